import { z } from 'zod';
import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { dateColumn, idColumn, tableRows } from '../database/row';

/**
 * A stored provider webhook, parsed (database/row.ts). The payload stays `unknown`: the channel's
 * webhook parser is what reads it. Written by webhook-events.service, deleted by it and privacy.service.
 */
export const inboundWebhookRows = tableRows('inbound-webhook', {
  id: idColumn,
  channel: z.string(),
  payload: z.unknown(),
  receivedAt: dateColumn,
});
export type InboundWebhookRow = ReturnType<typeof inboundWebhookRows.fromRow>;

export const inboundWebhookReads = (strapi: Core.Strapi) => ({
  async findOne(id: number): Promise<InboundWebhookRow | null> {
    const row: unknown = await strapi.db.query(UID.inboundWebhook).findOne({ where: { id } });
    return row ? inboundWebhookRows.fromRow(row) : null;
  },
  async ofChannel(channel: string): Promise<InboundWebhookRow[]> {
    const rows: unknown[] = await strapi.db.query(UID.inboundWebhook).findMany({ where: { channel }, orderBy: { id: 'asc' } });
    return rows.map(inboundWebhookRows.fromRow);
  },
});
