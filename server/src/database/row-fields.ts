import { z } from 'zod';
import { toDate } from '../utils/time';

/**
 * Pieces of the row parsers (`*.row.ts`): what the query engine answers is parsed once where it
 * is read, so the rest of the code holds a Date and a null, never "a Date, a string or a number".
 */

/** A column that may be missing or null in the row: null either way. */
export const nullable = <Schema extends z.ZodType>(schema: Schema) => schema.nullish().transform((value) => value ?? null);

/** A datetime column, whichever form the driver answers it in (ISO string, epoch ms, Date): a Date or null. */
export const dbDate = z.unknown().optional().transform(toDate);

const countResult = z.object({ count: z.coerce.number().optional() }).nullish();

/** How many rows the query engine's `updateMany` or `deleteMany` changed (it answers `{ count }`); null when it did not say. */
export const changedCount = (result: unknown): number | null => countResult.parse(result)?.count ?? null;
