import { z } from 'zod';
import { dateColumn, idColumn, tableRows } from '../database/row';

/** The "posted to the WhatsApp Channel" tick, parsed (database/row.ts); handoff.service writes it. */
export const channelHandoffRows = tableRows('channel-handoff', {
  id: idColumn,
  announcementDocumentId: z.string(),
  postedAt: dateColumn,
  postedBy: z.string().nullable(),
  postedById: idColumn.nullable(),
});
