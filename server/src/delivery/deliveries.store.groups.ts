import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { tableName } from '../database/names';
import { GroupCommit } from '../utils/group-commit';
import { dbTimestamp } from '../utils/time';
import { returnedIds, rowsOf } from '../database/row';
import { OPEN_STATUSES } from './recipients';
import { subscriberReachOf } from './delivery.rows';
import { reachableRule, unreachable } from './reachable-recipient';

/** A claim's stamp as written to `claimed_at` (what the send's outcome write matches). */
export type ClaimStamp = Date | number;

export interface SentRecord {
  id: number;
  providerMessageId: string;
  attempts: number;
  /** The send's own claim: a row whose claim is gone (a failed status came first, a hold) keeps what it has. */
  claimedAt: ClaimStamp;
}

/**
 * The grouped writes of the send path, part of the deliveries store: claims and sent outcomes of
 * every send in flight, each group in one statement (group commit).
 *
 * On PostgreSQL each group is ONE round trip whose SQL text is the same for any group size: the
 * group travels as arrays (`= ANY(?::int[])`, `unnest(…)`), never as a list of placeholders, so the
 * statement is prepared-statement friendly and PostgreSQL's statistics see one statement. Two
 * measured reasons for the shape (docs/performance.md, "#26"):
 * - the claim checks its recipient in the same statement (a join with the subscriber by primary
 *   key), so no second read per group;
 * - status checks are written `coalesce(status, '') IN (…)`: as a plain `status IN (…)` the planner,
 *   with statistics that said few rows are open (they always say so before the next ANALYZE of a
 *   table whose broadcast has just been fanned out), answered the group from the status index
 *   and read every open delivery of every broadcast for each group: 285–329 rows fetched per
 *   message instead of 2. The expression keeps the primary key the only way in.
 * SQLite's claim is one statement too (a correlated EXISTS for the recipient); its sent write and
 * other clients keep the statement-per-group shape with `IN` lists.
 */
export const groupedWrites = (strapi: Core.Strapi) => {
  const table = () => tableName(strapi, UID.delivery);
  const subscribers = () => tableName(strapi, UID.subscriber);
  const knex = () => strapi.db.connection;
  const onPostgres = () => strapi.db.dialect.client === 'postgres';
  const openList = OPEN_STATUSES.map((status) => `'${status}'`).join(', ');
  const reachable = reachableRule(strapi);

  /**
   * Grouped writes touch many rows in one statement; on PostgreSQL two of them (a claim group and
   * a cancel's skip) can lock the same rows in different orders, and the database aborts one
   * (40P01, deadlock detected). The aborted one changed nothing and is simply run again.
   */
  const onceMoreOnDeadlock = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01') throw error;
      return write();
    }
  };

  /**
   * The subscribers of `subscriberIds` the news may still go to, read by primary key alone (with
   * their status in the WHERE, PostgreSQL's planner reached for the status index and read the
   * town). Asked right before a claim: someone who wrote STOP while their delivery waited for a
   * send slot is not claimed, however long ago their batch read them.
   */
  const reachableOf = async (subscriberIds: number[]): Promise<Set<number>> => {
    const rows = rowsOf(
      await knex()(`${subscribers()} as s`)
        .select('s.id', ...reachable.columns('s'))
        .whereIn('s.id', [...new Set(subscriberIds)]),
      subscriberReachOf
    );
    return new Set(rows.filter((row) => !unreachable(row)).map((row) => row.id));
  };

  /** PostgreSQL: the open, unclaimed rows of `ids` whose recipient is reachable, claimed in one statement. */
  const claimOnPostgres = async (ids: number[], stamp: ClaimStamp): Promise<Set<number>> => {
    // The recipient test is the reachable rule (./reachable-recipient.ts), in SQL.
    const recipient = reachable.sql('s');
    return returnedIds(
      await onceMoreOnDeadlock(() =>
        knex().raw(
          `UPDATE ?? AS d SET claimed_at = ?, hold_until = NULL FROM ?? AS s
           WHERE d.id = ANY(?::int[]) AND s.id = d.subscriber_id AND d.claimed_at IS NULL AND coalesce(d.status, '') IN (${openList})
             AND ${recipient.sql}
           RETURNING d.id`,
          [table(), stamp, subscribers(), ids, ...recipient.bindings]
        )
      )
    );
  };

  /**
   * SQLite: the same in one statement, the recipient as a correlated EXISTS, which SQLite answers
   * by rowid for each claimed row (EXPLAIN QUERY PLAN: `SEARCH s USING INTEGER PRIMARY KEY`).
   * As an `IN (subquery)` it had listed every active subscriber per claim.
   */
  const claimOnSqlite = async (ids: number[], stamp: ClaimStamp): Promise<Set<number>> => {
    const rule = reachable.sql('s');
    return returnedIds(
      await knex()(table())
        .whereIn('id', ids)
        .whereIn('status', OPEN_STATUSES)
        .whereNull('claimed_at')
        .whereExists((recipient) => recipient.select(knex().raw('1')).from(`${subscribers()} as s`).whereRaw('s.id = ??.subscriber_id', [table()]).whereRaw(rule.sql, rule.bindings))
        .update({ claimed_at: stamp, hold_until: null }, ['id'])
    );
  };

  const claimElsewhere = async (subscriberIdsOf: Map<number, number>, stamp: ClaimStamp): Promise<Set<number>> => {
    const reachableIds = await reachableOf([...subscriberIdsOf.values()]);
    const ids = [...subscriberIdsOf].filter(([, subscriberId]) => reachableIds.has(subscriberId)).map(([id]) => id);
    const fresh = () => knex()(table()).whereIn('status', OPEN_STATUSES).whereNull('claimed_at');
    if (strapi.db.dialect.useReturning()) {
      return ids.length ? returnedIds(await onceMoreOnDeadlock(() => fresh().whereIn('id', ids).update({ claimed_at: stamp, hold_until: null }, ['id']))) : new Set<number>();
    }
    // Without RETURNING (MySQL) a group cannot tell which rows it took: one statement each.
    const claimed = new Set<number>();
    for (const id of ids) if (await fresh().where('id', id).update({ claimed_at: stamp, hold_until: null })) claimed.add(id);
    return claimed;
  };

  /**
   * Claims of many sends in one statement (group commit). A delivery asked for twice in one
   * group is claimed for the first ask only: the second is a second job for the same row.
   */
  const claims = new GroupCommit<{ id: number; subscriberId: number }, ClaimStamp | null>(async (asks) => {
    const stamp = dbTimestamp(strapi, new Date());
    const subscriberIdsOf = new Map(asks.map((ask) => [ask.id, ask.subscriberId]));
    const ids = [...subscriberIdsOf.keys()];
    const claimed = onPostgres() ? await claimOnPostgres(ids, stamp) : strapi.db.dialect.client === 'sqlite' ? await claimOnSqlite(ids, stamp) : await claimElsewhere(subscriberIdsOf, stamp);
    return asks.map((ask) => (claimed.delete(ask.id) ? stamp : null));
  });

  /** PostgreSQL: every sent outcome of the group in one statement, whatever their attempts and claims. */
  const sentOnPostgres = async (records: SentRecord[], stamp: ClaimStamp) => {
    const open = `coalesce(d.status, '') IN (${openList})`;
    await onceMoreOnDeadlock(() =>
      knex().raw(
        `UPDATE ?? AS d SET
           status = CASE WHEN ${open} THEN 'sent' ELSE d.status END,
           status_at = CASE WHEN ${open} THEN ?::timestamp ELSE d.status_at END,
           last_error_code = CASE WHEN ${open} THEN NULL ELSE d.last_error_code END,
           last_error_class = CASE WHEN ${open} THEN NULL ELSE d.last_error_class END,
           hold_until = CASE WHEN ${open} THEN NULL ELSE d.hold_until END,
           provider_message_id = v.provider_message_id, attempts = v.attempts, sent_at = ?::timestamp, claimed_at = NULL
         FROM unnest(?::int[], ?::text[], ?::int[], ?::timestamp[]) AS v(id, provider_message_id, attempts, claimed_at)
         WHERE d.id = v.id AND d.claimed_at = v.claimed_at`,
        [table(), stamp, stamp, records.map((record) => record.id), records.map((record) => record.providerMessageId), records.map((record) => record.attempts), records.map((record) => record.claimedAt)]
      )
    );
  };

  const sentElsewhere = async (records: SentRecord[], stamp: ClaimStamp) => {
    // One statement per (attempts, claim): the claims of one claim group share their stamp.
    const groups = new Map<string, SentRecord[]>();
    for (const record of records) {
      const key = `${record.attempts}:${+record.claimedAt}`;
      groups.set(key, [...(groups.get(key) ?? []), record]);
    }
    for (const group of groups.values()) {
      const { attempts, claimedAt } = group[0];
      const ids = group.map((record) => record.id);
      const messageIds = () => knex().raw(`CASE id ${group.map(() => 'WHEN ? THEN ?').join(' ')} END`, group.flatMap((record) => [record.id, record.providerMessageId]));
      const marked = await onceMoreOnDeadlock(() =>
        knex()(table())
          .whereIn('id', ids)
          .whereIn('status', OPEN_STATUSES)
          .where('claimed_at', claimedAt as never)
          .update({ status: 'sent', provider_message_id: messageIds(), attempts, sent_at: stamp, status_at: stamp, last_error_code: null, last_error_class: null, claimed_at: null, hold_until: null })
      );
      if (marked < ids.length) {
        // A status that came first (delivered, read, failed) wins; the row gets the send's facts only.
        await onceMoreOnDeadlock(() =>
          knex()(table()).whereIn('id', ids).whereNotIn('status', OPEN_STATUSES).where('claimed_at', claimedAt as never).update({ provider_message_id: messageIds(), attempts, sent_at: stamp, claimed_at: null })
        );
      }
    }
  };

  /**
   * Sent outcomes of many sends (group commit). A fast provider's `delivered` webhook can land
   * before this write; such a row keeps its newer status and only gets the send's facts. Only
   * the send's own claim is matched: a row whose claim is gone keeps what it has.
   */
  const sentRecords = new GroupCommit<SentRecord, void>(async (records) => {
    const stamp = dbTimestamp(strapi, new Date());
    if (onPostgres()) await sentOnPostgres(records, stamp);
    else await sentElsewhere(records, stamp);
    return records.map(() => undefined);
  });

  return { reachableOf, claims, sentRecords };
};
