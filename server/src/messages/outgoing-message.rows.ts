import { z } from 'zod';
import { CHANNEL_IDS } from '../constants';
import { idColumn, tableRows } from '../database/row';

/**
 * A one-to-one text waiting for its queue job, parsed (database/row.ts). Written by
 * messages.service; privacy.service deletes a citizen's on erasure and retention.
 */
export const outgoingMessageRows = tableRows('outgoing-message', {
  id: idColumn,
  channel: z.enum(CHANNEL_IDS),
  subscriberId: idColumn.nullable(),
  inboundMessageId: idColumn.nullable(),
  text: z.string(),
});
