import { z } from 'zod';
import { nullable, dbDate } from '../database/row-fields';
import { WARNING_SOURCES } from '../../../shared/contracts/warnings';

/** A `town_crier_warning_sources` row (a source's validators and failures), parsed once where it is read. */
const warningSourceRow = z.object({
  id: z.coerce.number(),
  source: z.enum(WARNING_SOURCES),
  etag: nullable(z.string()),
  lastModified: nullable(z.string()),
  lastSuccessAt: dbDate,
  failingSince: dbDate,
  lastError: nullable(z.string()),
});
export type SourceRow = z.infer<typeof warningSourceRow>;

export const sourceFromRow = (raw: unknown): SourceRow => warningSourceRow.parse(raw);
