import { z } from 'zod';
import type { Core } from '@strapi/strapi';
import { CHANNEL_IDS, SUBSCRIBER_STATUSES, UID } from '../constants';
import { topicRows } from './topic.rows';
import { dateColumn, idColumn, nullableDateColumn, parserOf, tableRows } from '../database/row';

/**
 * The subscriber table's rows, parsed once (database/row.ts): every column of
 * content-types/subscriber/schema.ts. Writers stay where they are (the subscription modules,
 * privacy.service); this module only reads.
 */
const text = z.string().nullable();
const json = z.unknown().transform((value) => value ?? null);

export const subscriberRows = tableRows('subscriber', {
  id: idColumn,
  documentId: text.optional(),
  channel: z.enum(CHANNEL_IDS),
  address: text,
  whatsappUserId: text,
  name: text,
  pushSubscription: json,
  activitypubFollower: json,
  /** `|a|b|` slugs of `town.villages`; null: the whole town (villages/villages.ts decodes it). */
  villages: text,
  locale: text,
  status: z.enum(SUBSCRIBER_STATUSES),
  source: text,
  confirmedAt: nullableDateColumn,
  unsubscribedAt: nullableDateColumn,
  erasedAt: nullableDateColumn,
  purgedAt: nullableDateColumn,
  expiresAt: nullableDateColumn,
  tokenHash: text,
  confirmCode: text,
  consentVersion: text,
  lastInboundAt: nullableDateColumn,
  marketingStoppedAt: nullableDateColumn,
  undeliverableAt: nullableDateColumn,
  signupLinkId: text,
  unreachableHintAt: nullableDateColumn,
  createdAt: dateColumn.optional(),
  updatedAt: dateColumn.optional(),
});

export type SubscriberRow = z.output<typeof subscriberRows.schema>;
export const subscriberFromRow = subscriberRows.fromRow;

const topicRef = topicRows.schema.pick({ id: true, slug: true, name: true, active: true });
/** A subscriber read with `populate: ['topics']`. */
export const subscriberWithTopicsFromRow = parserOf('subscriber', subscriberRows.schema.extend({ topics: z.array(topicRef).default([]) }));
export type SubscriberWithTopics = ReturnType<typeof subscriberWithTopicsFromRow>;

/**
 * The export (GDPR Art. 15) hands out the row as stored: loose, so the columns Strapi adds itself
 * (publishedAt, …) and every topic field pass through; the named columns are still checked.
 */
export const subscriberExportFromRow = parserOf('subscriber', subscriberRows.schema.extend({ topics: z.array(topicRows.schema.loose()).default([]) }).loose());

/**
 * The subscriber's reads, each answer parsed. `where` and the other parameters are the query
 * engine's own; `select` is the columns list `pick` parses.
 */
export const subscriberReads = (strapi: Core.Strapi) => {
  const query = () => strapi.db.query(UID.subscriber);
  type Params = { where: Record<string, unknown>; orderBy?: unknown; limit?: number };
  type Column = Parameters<typeof subscriberRows.pick>[0][number];
  return {
    async findOne(params: Params): Promise<SubscriberRow | null> {
      const row: unknown = await query().findOne(params);
      return row ? subscriberFromRow(row) : null;
    },
    async findOneWithTopics(params: Params): Promise<SubscriberWithTopics | null> {
      const row: unknown = await query().findOne({ ...params, populate: ['topics'] });
      return row ? subscriberWithTopicsFromRow(row) : null;
    },
    async findManyWithTopics(params: Params): Promise<SubscriberWithTopics[]> {
      const rows: unknown[] = await query().findMany({ ...params, populate: ['topics'] });
      return rows.map(subscriberWithTopicsFromRow);
    },
    async pickOne<C extends Column>(select: readonly C[], params: Params) {
      const row: unknown = await query().findOne({ ...params, select: [...select] });
      return row ? subscriberRows.pick(select)(row) : null;
    },
    async pickMany<C extends Column>(select: readonly C[], params: Params) {
      const rows: unknown[] = await query().findMany({ ...params, select: [...select] });
      return rows.map(subscriberRows.pick(select));
    },
  };
};
