import { z } from 'zod';
import type { Core } from '@strapi/strapi';
import { CHANNEL_IDS, UID } from '../constants';
import { dateColumn, idColumn, nullableDateColumn, parserOf, tableRows } from '../database/row';

const text = z.string().nullable();

/**
 * What citizens wrote (the inbox and command traffic), parsed (database/row.ts). Written by
 * webhooks/inbound-commands.service (new messages) and inbox.service (handled, replied).
 */
export const inboundMessageRows = tableRows('inbound-message', {
  id: idColumn,
  channel: z.enum(CHANNEL_IDS),
  fromAddress: text,
  providerMessageId: text,
  text,
  receivedAt: dateColumn,
  handledAt: nullableDateColumn,
  handledBy: text,
  replyText: text,
  repliedAt: nullableDateColumn,
  autoRepliedAt: nullableDateColumn,
});
export type InboundMessageRow = ReturnType<typeof inboundMessageRows.fromRow>;

/** A message read with its sender's subscriber row (id and name only: what staff see). */
const withSender = inboundMessageRows.schema.extend({ subscriber: z.object({ id: idColumn, name: text }).nullable().optional() });
export const inboundMessageWithSenderFromRow = parserOf('inbound-message', withSender);
export type InboundMessageWithSender = ReturnType<typeof inboundMessageWithSenderFromRow>;

export const inboundMessageReads = (strapi: Core.Strapi) => {
  const query = () => strapi.db.query(UID.inboundMessage);
  type Column = Parameters<typeof inboundMessageRows.pick>[0][number];
  const sender = { subscriber: { select: ['id', 'name'] } };
  return {
    async findOne(where: Record<string, unknown>): Promise<InboundMessageRow | null> {
      const row: unknown = await query().findOne({ where });
      return row ? inboundMessageRows.fromRow(row) : null;
    },
    async pickOne<C extends Column>(select: readonly C[], params: { where: Record<string, unknown>; orderBy?: unknown }) {
      const row: unknown = await query().findOne({ ...params, select: [...select] });
      return row ? inboundMessageRows.pick(select)(row) : null;
    },
    async findOneWithSender(id: number): Promise<InboundMessageWithSender | null> {
      const row: unknown = await query().findOne({ where: { id }, populate: sender });
      return row ? inboundMessageWithSenderFromRow(row) : null;
    },
    async findManyWithSender(params: { where: Record<string, unknown>; orderBy?: unknown; offset?: number; limit?: number }): Promise<InboundMessageWithSender[]> {
      const rows: unknown[] = await query().findMany({ ...params, populate: sender });
      return rows.map(inboundMessageWithSenderFromRow);
    },
  };
};
