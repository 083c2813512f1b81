/** The admin API's answers as strict zod schemas (./admin-responses.ts): the pieces every answer's schema is made of, and the compiler's exactness check. */
import { z } from 'zod';

export const text = z.string();

export const optionalText = z.string().nullable();

export const count = z.number();

export const enumOf = <const Values extends readonly [string, ...string[]]>(values: Values) => z.enum(values);

export const paginationSchema = z.strictObject({ page: count, pageSize: count, total: count, pageCount: count.optional() });

/** `{ data }`, Strapi's envelope of most admin answers. */
export const dataResponseSchema = <Schema extends z.ZodType>(schema: Schema) => z.strictObject({ data: schema });

/** True only when A and B are the same type (every key, optional or not, and every nested type). */
export type Exact<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

export type Same<Schema extends z.ZodType, Type> = Exact<z.output<Schema>, Type>;

export type Holds<Check extends true> = Check;
