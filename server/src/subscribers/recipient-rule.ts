import type { Core } from '@strapi/strapi';
import { RECEIVED_DELIVERY_STATUSES, UID } from '../constants';
import { columnName, joinTableOf, tableName } from '../database/names';
import { villageWhere } from '../villages/villages';
import { RowShapeError, wholeNumberOf } from '../database/row';
import { toDate } from '../utils/time';

/**
 * Who may receive what: the one rule behind fan-out (who gets rows), the editor's preview and
 * the broadcast monitor (who will get it), and a follow-up (who got the thread).
 *
 * - **News**: subscriber rows active on the channel that hold one of the news' topics or no topic
 *   at all ("all news"), and live in one of its villages or chose the whole town (news for no
 *   village goes to all).
 * - **A follow-up** (update or all-clear): the rows that received the thread so far on that
 *   channel, still active and not erased (fan-out/follow-up-recipients.ts adds "and new ones" when
 *   the editor asks for it, through the news rule).
 * - **Known unreachable** rows (a citizen who stopped marketing messages, a number Meta cannot
 *   reach) match both rules: fan-out records them as skipped so the numbers add up, and the
 *   counts shown before sending leave them out.
 */

/** The columns a fan-out page reads of each matching row. */
export interface RecipientRow {
  id: number;
  marketing_stopped_at: Date | null;
  undeliverable_at: Date | null;
}

/**
 * A fan-out page's row, parsed by hand rather than with zod: this runs for every recipient of
 * every broadcast (thousands per page), and three columns need no schema library. A missing
 * column is an error, not an `undefined` that would read as "reachable".
 */
export function recipientFromRow(raw: unknown): RecipientRow {
  if (typeof raw !== 'object' || raw === null || !('id' in raw) || !('marketing_stopped_at' in raw) || !('undeliverable_at' in raw)) {
    throw RowShapeError.row('subscriber', 'id, marketing_stopped_at and undeliverable_at are required');
  }
  const id = wholeNumberOf(raw.id);
  if (id === null) throw RowShapeError.row('subscriber', 'id is not an integer');
  return { id, marketing_stopped_at: toDate(raw.marketing_stopped_at), undeliverable_at: toDate(raw.undeliverable_at) };
}

/** A news item's audience on one channel. */
export interface NewsAudience {
  channel: string;
  topicIds: readonly number[];
  villageSlugs?: readonly string[];
}

/**
 * The subscriber attributes that, when set, make a row known unreachable: `knownUnreachable` and
 * `reachable` below, and the send's claim in SQL (delivery/reachable-recipient.ts), read this list.
 */
export const UNREACHABLE_MARKS = ['marketingStoppedAt', 'undeliverableAt'] as const;

/** Whether a matching row is known to be unreachable, so it is recorded as skipped rather than sent. */
export const knownUnreachable = (row: { marketing_stopped_at: unknown; undeliverable_at: unknown }) => Boolean(row.marketing_stopped_at) || Boolean(row.undeliverable_at);

export function recipientRule(strapi: Core.Strapi) {
  const knex = () => strapi.db.connection;
  const col = (attribute: string) => `s.${columnName(strapi, UID.subscriber, attribute)}`;
  const subscribers = () => `${tableName(strapi, UID.subscriber)} as s`;

  /** Rows matching the news rule on `audience.channel`, as `s`; the caller selects, counts or pages. */
  const news = (audience: NewsAudience) => {
    const link = joinTableOf(strapi, UID.subscriber, 'topics');
    const query = knex()(subscribers()).where(col('status'), 'active').where(col('channel'), audience.channel);
    if (audience.topicIds.length) {
      query.where((where) =>
        where
          .whereNotExists(knex()(link.table).select(knex().raw('1')).whereRaw('?? = s.id', [link.ownerColumn]))
          .orWhereExists(
            knex()(link.table)
              .select(knex().raw('1'))
              .whereRaw('?? = s.id', [link.ownerColumn])
              .whereIn(link.targetColumn, [...audience.topicIds])
          )
      );
    }
    const inVillages = villageWhere(col('villages'), audience.villageSlugs ?? []);
    if (inVillages) query.where(inVillages);
    return query;
  };

  /**
   * Rows matching the follow-up rule: received one of the thread's announcements (`documentIds`)
   * on their own channel; `channel` narrows to one channel.
   */
  const threadReceivers = (documentIds: readonly string[], channel?: string) => {
    const deliveries = tableName(strapi, UID.delivery);
    const query = knex()(subscribers())
      .where(col('status'), 'active')
      .whereNull(col('erasedAt'))
      .whereExists(
        knex()(`${deliveries} as d`)
          .select(knex().raw('1'))
          .whereRaw('d.subscriber_id = s.id')
          .whereRaw('?? = ??', ['d.channel', col('channel')])
          .whereIn('d.announcement_document_id', [...documentIds])
          .whereIn('d.status', [...RECEIVED_DELIVERY_STATUSES])
      );
    if (channel) query.where(col('channel'), channel);
    return query;
  };

  /** Leaves out the known unreachable: what the counts shown before sending want. */
  const reachable = <Query extends ReturnType<typeof news>>(query: Query) => {
    for (const mark of UNREACHABLE_MARKS) query.whereNull(col(mark));
    return query;
  };

  /** One page of matching rows by id, as fan-out reads them. */
  const page = async (query: ReturnType<typeof news>, afterId: number, limit: number): Promise<RecipientRow[]> => {
    const rows: unknown[] = await query
      .select('s.id', `${col('marketingStoppedAt')} as marketing_stopped_at`, `${col('undeliverableAt')} as undeliverable_at`)
      .where('s.id', '>', afterId)
      .orderBy('s.id', 'asc')
      .limit(limit);
    return rows.map(recipientFromRow);
  };

  return { news, threadReceivers, reachable, page, column: col };
}
