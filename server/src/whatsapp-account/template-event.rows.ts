import { z } from 'zod';
import { dateColumn, idColumn, tableRows } from '../database/row';

const text = z.string().nullable();

/** What Meta said about the town's templates (status and category changes), parsed (database/row.ts). */
export const templateEventRows = tableRows('template-event', {
  id: idColumn,
  channel: z.string(),
  templateName: z.string(),
  language: text,
  change: z.enum(['status', 'category']),
  status: text,
  reason: text,
  previousCategory: text,
  newCategory: text,
  occurredAt: dateColumn,
});
