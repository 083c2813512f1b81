import { z } from 'zod';
import { dateColumn, idColumn, tableRows } from '../database/row';

/**
 * What a sandbox channel "sent" (channels/registry.ts writes it), parsed (database/row.ts). The
 * body stays `unknown`: each channel's preview reads its own request shape (sandbox-payloads.ts).
 */
export const outboxMessageRows = tableRows('outbox-message', {
  id: idColumn,
  channel: z.string(),
  toAddress: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  body: z.unknown(),
  createdAt: dateColumn,
});
