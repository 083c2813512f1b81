import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { columnName, joinTableOf, tableName, toCount } from '../database/names';
import { getService } from '../utils/get-service';
import { addDays, dayBoundaries, dayOf } from '../utils/calendar-days';
import { dbTimestamp } from '../utils/time';

/**
 * Aggregate statistics, straight from SQL. Nothing here returns a person: only counts, and a
 * breakdown cell of 1–4 is reported as "<5" so a small group (three people on a topic, the one
 * subscriber from the sports club's link) cannot be singled out. Totals stay exact.
 *
 * Days are calendar days in the town's time zone. The database is asked for counts between
 * instants that JS computed (see utils/calendar-days), so SQLite, which has no time zones, and
 * PostgreSQL give identical answers, including on the 23- and 25-hour days of a DST change.
 */

export const SMALL_CELL = '<5' as const;
export type CellCount = number | typeof SMALL_CELL;

/** The rule the towns' data-protection officers asked for: 0 stays 0, 1–4 become "<5". */
export function suppressSmall(count: number): CellCount {
  return count >= 1 && count <= 4 ? SMALL_CELL : count;
}

export interface GrowthDay {
  day: string;
  signups: number;
  withdrawals: number;
  /** Active subscribers at the end of the day. */
  active: number;
}

export interface Breakdowns {
  byChannel: Array<{ key: string; count: CellCount }>;
  byTopic: Array<{ key: string; label: string; count: CellCount }>;
  bySource: Array<{ key: string; count: CellCount }>;
}

/** SQLite refuses a compound SELECT of more than 500 parts; 400 leaves room. */
const MAX_UNION_TERMS = 400;
/** Key of the topic row for subscribers who chose no topic, and so receive all news. */
export const ALL_TOPICS_KEY = '*';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const config = () => getService(strapi, 'runtime').config();
  const timeZone = () => config().stats.timeZone;
  const col = (attribute: string) => columnName(strapi, UID.subscriber, attribute);
  const at = (date: Date) => dbTimestamp(strapi, date);

  interface CountTerm {
    key: number;
    sql: string;
    bindings: unknown[];
  }

  /** Runs many COUNT(*) queries as few statements (UNION ALL), answering count by key. */
  const countTerms = async (terms: CountTerm[]): Promise<Map<number, number>> => {
    const counts = new Map<number, number>();
    for (let start = 0; start < terms.length; start += MAX_UNION_TERMS) {
      const chunk = terms.slice(start, start + MAX_UNION_TERMS);
      const sql = chunk.map((term) => `SELECT ${term.key} AS k, COUNT(*) AS n FROM ${term.sql}`).join(' UNION ALL ');
      const result = await knex().raw(sql, chunk.flatMap((term) => term.bindings));
      // knex.raw answers rows on SQLite and a pg Result (with .rows) on PostgreSQL.
      const rows = (Array.isArray(result) ? result : result.rows) as Array<{ k: number | string; n: number | string }>;
      for (const row of rows) counts.set(Number(row.k), toCount(row.n));
    }
    return counts;
  };

  /**
   * One term per day for sign-ups (confirmations) and one for withdrawals, each an index range
   * count between two day boundaries. A withdrawal only counts for someone who had confirmed
   * (unsubscribedAt after confirmedAt): a sign-up abandoned before confirming was never active.
   */
  const dailySeries = async (days: number, now: Date): Promise<GrowthDay[]> => {
    const zone = timeZone();
    const firstDay = addDays(dayOf(now, zone), -(days - 1));
    const bounds = dayBoundaries(firstDay, days, zone);
    const subscribers = tableName(strapi, UID.subscriber);
    const confirmed = col('confirmedAt');
    const unsubscribed = col('unsubscribedAt');
    const withdrawnAfterConfirming = `${confirmed} IS NOT NULL AND ${unsubscribed} >= ${confirmed}`;

    const terms: CountTerm[] = [];
    for (let i = 0; i < days; i += 1) {
      const range = [at(bounds[i]), at(bounds[i + 1])];
      terms.push({ key: i, sql: `${subscribers} WHERE ${confirmed} >= ? AND ${confirmed} < ?`, bindings: range });
      terms.push({ key: days + i, sql: `${subscribers} WHERE ${unsubscribed} >= ? AND ${unsubscribed} < ? AND ${withdrawnAfterConfirming}`, bindings: range });
    }
    const before = 2 * days;
    terms.push({ key: before, sql: `${subscribers} WHERE ${confirmed} < ?`, bindings: [at(bounds[0])] });
    terms.push({ key: before + 1, sql: `${subscribers} WHERE ${unsubscribed} < ? AND ${withdrawnAfterConfirming}`, bindings: [at(bounds[0])] });

    const counts = await countTerms(terms);
    let active = (counts.get(before) ?? 0) - (counts.get(before + 1) ?? 0);
    return Array.from({ length: days }, (_, i) => {
      const signups = counts.get(i) ?? 0;
      const withdrawals = counts.get(days + i) ?? 0;
      active += signups - withdrawals;
      return { day: addDays(firstDay, i), signups, withdrawals, active };
    });
  };

  const statusCounts = async () => {
    const rows = (await knex()(tableName(strapi, UID.subscriber)).select({ status: col('status') }).count({ n: '*' }).groupBy(col('status'))) as Array<{
      status: string;
      n: number | string;
    }>;
    const by = Object.fromEntries(rows.map((row) => [row.status, toCount(row.n)]));
    return { active: by.active ?? 0, pending: by.pending ?? 0, unsubscribed: by.unsubscribed ?? 0 };
  };

  /** Channel values come from the subscriber schema, so a channel added there shows up here (with 0). */
  const knownChannels = (): string[] => {
    const attribute = strapi.getModel(UID.subscriber).attributes.channel as { enum?: string[] };
    return attribute.enum ?? [];
  };

  const breakdowns = async (): Promise<Breakdowns> => {
    const subscribers = tableName(strapi, UID.subscriber);
    const link = joinTableOf(strapi, UID.subscriber, 'topics');
    const activeOnly = { [col('status')]: 'active' };

    const [channelRows, sourceRows, topicRows, noTopicRows, topics] = await Promise.all([
      knex()(subscribers).select({ key: col('channel') }).count({ n: '*' }).where(activeOnly).groupBy(col('channel')),
      knex()(subscribers).select({ key: col('source') }).count({ n: '*' }).where(activeOnly).groupBy(col('source')),
      knex()(`${link.table} as l`)
        .join(`${subscribers} as s`, 's.id', `l.${link.ownerColumn}`)
        .where(`s.${col('status')}`, 'active')
        .select({ key: `l.${link.targetColumn}` })
        .count({ n: '*' })
        .groupBy(`l.${link.targetColumn}`),
      knex()(`${subscribers} as s`)
        .where(`s.${col('status')}`, 'active')
        .whereNotExists(knex()(link.table).select(knex().raw('1')).whereRaw(`?? = s.id`, [link.ownerColumn]))
        .count({ n: '*' }),
      strapi.db.query(UID.topic).findMany({ select: ['id', 'name', 'slug', 'active'], orderBy: { name: 'asc' } }) as Promise<
        Array<{ id: number; name: string; slug: string; active: boolean }>
      >,
    ]);
    type Row = { key: string | number | null; n: number | string };
    const mapOf = (rows: Row[]) => new Map(rows.map((row) => [row.key === null ? null : String(row.key), toCount(row.n)]));
    // Cells shown as "<5" sort as equals (by key), so their order does not tell 4 from 1.
    const shown = (exact: number) => (suppressSmall(exact) === SMALL_CELL ? 1 : exact);
    const byCount = <Entry extends { key: string; exact: number }>(a: Entry, b: Entry) => shown(b.exact) - shown(a.exact) || a.key.localeCompare(b.key);

    const channelCounts = mapOf(channelRows as Row[]);
    const channelKeys = [...new Set([...knownChannels(), ...[...channelCounts.keys()].filter((key): key is string => key !== null)])];
    const topicCounts = mapOf(topicRows as Row[]);
    const sourceCounts = mapOf(sourceRows as Row[]);
    const sources = new Map<string, number>();
    for (const [key, count] of sourceCounts) sources.set(key ?? 'unknown', (sources.get(key ?? 'unknown') ?? 0) + count);

    return {
      byChannel: channelKeys.map((key) => ({ key, count: suppressSmall(channelCounts.get(key) ?? 0) })),
      byTopic: [
        // Inactive topics are listed only while someone still holds them.
        ...topics
          .filter((topic) => topic.active !== false || (topicCounts.get(String(topic.id)) ?? 0) > 0)
          .map((topic) => ({ key: topic.slug, label: topic.name, count: suppressSmall(topicCounts.get(String(topic.id)) ?? 0) })),
        { key: ALL_TOPICS_KEY, label: 'All news (no topic chosen)', count: suppressSmall(toCount((noTopicRows as Row[])[0]?.n)) },
      ],
      bySource: [...sources]
        .map(([key, exact]) => ({ key, exact }))
        .sort(byCount)
        .map(({ key, exact }) => ({ key, count: suppressSmall(exact) })),
    };
  };

  /**
   * Deliveries of the broadcasts that ran in the window, summed from the announcements'
   * counters (recomputed from the delivery rows by the worker). The same numbers the broadcast
   * monitor shows, read from a few rows instead of scanning a million deliveries.
   */
  const deliveriesSince = async (since: Date) => {
    const table = tableName(strapi, UID.announcement);
    const a = (attribute: string) => columnName(strapi, UID.announcement, attribute);
    const [row] = (await knex()(table)
      .whereNotNull(a('publishedAt'))
      .whereNotNull(a('broadcastStatus'))
      .where((where) => where.where(a('fanOutDoneAt'), '>=', at(since)).orWhereNull(a('fanOutDoneAt')))
      .sum({ sent: a('sentCount'), delivered: a('deliveredCount'), read: a('readCount'), failed: a('failedCount') })) as Array<Record<string, unknown>>;
    return { sent: toCount(row?.sent), delivered: toCount(row?.delivered), read: toCount(row?.read), failed: toCount(row?.failed) };
  };

  return {
    timeZone,

    async overview(now = new Date()) {
      const zone = timeZone();
      const target = config().stats.subscriberTarget;
      const [subscribers, month, split, last30Days] = await Promise.all([
        statusCounts(),
        dailySeries(30, now),
        breakdowns(),
        deliveriesSince(dayBoundaries(addDays(dayOf(now, zone), -29), 1, zone)[0]),
      ]);
      const net = (days: GrowthDay[]) => days.reduce((sum, day) => sum + day.signups - day.withdrawals, 0);
      return {
        subscribers,
        netChange: { days7: net(month.slice(-7)), days30: net(month) },
        target: { value: target, reached: subscribers.active, percent: Math.round((subscribers.active / target) * 1000) / 10 },
        ...split,
        deliveries: { last30Days },
        timeZone: zone,
        generatedAt: now.toISOString(),
      };
    },

    async growth(days: number, now = new Date()) {
      return { timeZone: timeZone(), target: config().stats.subscriberTarget, days: await dailySeries(days, now) };
    },

    /** Aggregate rows only, one table so a spreadsheet can filter by `section`. */
    async exportCsv(days: number, now = new Date()): Promise<string> {
      const [overview, growth] = await Promise.all([this.overview(now), this.growth(days, now)]);
      const rows: Array<Array<string | number>> = [['section', 'key', 'label', 'signups', 'withdrawals', 'active', 'count']];
      for (const [key, count] of Object.entries(overview.subscribers)) rows.push(['subscribers', key, '', '', '', '', count]);
      rows.push(['target', 'value', '', '', '', '', overview.target.value]);
      for (const day of growth.days) rows.push(['day', day.day, '', day.signups, day.withdrawals, day.active, '']);
      for (const cell of overview.byChannel) rows.push(['channel', cell.key, '', '', '', '', cell.count]);
      for (const cell of overview.byTopic) rows.push(['topic', cell.key, cell.label, '', '', '', cell.count]);
      for (const cell of overview.bySource) rows.push(['source', cell.key, '', '', '', '', cell.count]);
      return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
    },
  };
};

/**
 * RFC 4180 quoting, plus a leading apostrophe for text a spreadsheet would run as a formula
 * (topic names and sources are typed by people). "<5" is not a formula and stays as it is.
 */
function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
