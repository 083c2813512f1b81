import { validationError } from '../http/errors';
import type { z } from 'zod';

/** Parses with zod and turns failures into Strapi's 400 shape, naming each bad field. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.map(String),
    message: issue.message,
    name: 'ValidationError',
  }));
  const first = details[0];
  throw validationError(`${first.path.join('.') || 'body'}: ${first.message}`, { errors: details });
}
