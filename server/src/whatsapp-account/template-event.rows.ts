import { z } from 'zod';
import { dateColumn, idColumn, tableRows } from '../utils/rows';

const text = z.string().nullable();

/** What Meta said about the town's templates (status and category changes), parsed (utils/rows.ts). */
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
