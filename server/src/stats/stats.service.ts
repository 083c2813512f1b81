import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, SUBSCRIBER_STATUSES, UID } from '../constants';
import { columnName, joinTableOf, tableName } from '../database/names';
import { countOf, fieldOf, rawRowsOf, textOf, toCount } from '../database/row';
import { getService } from '../utils/get-service';
import { addDays, dayBoundaries, dayOf } from '../utils/calendar-days';
import { dbTimestamp } from '../utils/time';
import { maskedMessage } from '../utils/log';
import { protectCells, suppressSmall, type CellCount } from './small-cells';
import { isAccountChannel } from '../../../shared/contracts/channels';
import { ACCOUNT_SOURCE } from '../subscribers/account-subscribers';
import { topicReads } from '../subscribers/topic.rows';

/**
 * Aggregate statistics, straight from SQL. Nothing here returns a person: only counts, and a
 * breakdown cell of 1–4 is reported as "<5" so a small group (three people on a topic, the one
 * subscriber from the sports club's link) cannot be singled out. Totals stay exact, so a "<5"
 * beside exact cells could be worked out as the total minus the rest: `protectCells` hides as
 * many further cells ("*") as it takes to prevent that (secondary suppression).
 *
 * Days are calendar days in the town's time zone. The database is asked for counts between
 * instants that JS computed (see utils/calendar-days), so SQLite, which has no time zones, and
 * PostgreSQL give identical answers, including on the 23- and 25-hour days of a DST change.
 */

export { SMALL_CELL, HIDDEN_CELL, suppressSmall, protectCells, type CellCount } from './small-cells';

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
  /**
   * Active subscribers per village (`town.villages`, in config order), and '*' for those who
   * chose the whole town; empty when the town has no villages. Same suppression as topics.
   */
  byVillage: Array<{ key: string; label: string; count: CellCount }>;
}

/** SQLite refuses a compound SELECT of more than 500 parts; 400 leaves room. */
const MAX_UNION_TERMS = 400;
/** Key of the topic row for subscribers who chose no topic, and so receive all news. */
export const ALL_TOPICS_KEY = '*';
/** Key of the village row for subscribers who chose the whole town. */
export const WHOLE_TOWN_KEY = '*';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const config = () => getService(strapi, 'runtime').config();
  const timeZone = () => config().stats.timeZone;
  const col = (attribute: string) => columnName(strapi, UID.subscriber, attribute);
  const at = (date: Date) => dbTimestamp(strapi, date);

  interface CountTerm {
    key: number;
    /** `table WHERE …`: what follows FROM. */
    sql: string;
    bindings: unknown[];
    /** Defaults to COUNT(*). */
    count?: string;
  }

  /** Runs many COUNT(*) queries as few statements (UNION ALL), answering count by key. */
  const countTerms = async (terms: CountTerm[]): Promise<Map<number, number>> => {
    const counts = new Map<number, number>();
    for (let start = 0; start < terms.length; start += MAX_UNION_TERMS) {
      const chunk = terms.slice(start, start + MAX_UNION_TERMS);
      const sql = chunk.map((term) => `SELECT ${term.key} AS k, ${term.count ?? 'COUNT(*)'} AS n FROM ${term.sql}`).join(' UNION ALL ');
      const result: unknown = await knex().raw(sql, chunk.flatMap((term) => term.bindings));
      for (const row of rawRowsOf(result)) counts.set(toCount(fieldOf(row, 'k')), toCount(fieldOf(row, 'n')));
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

    const before = 2 * days;
    const terms: CountTerm[] = [
      { key: before, sql: `${subscribers} WHERE ${confirmed} < ?`, bindings: [at(bounds[0])] },
      { key: before + 1, sql: `${subscribers} WHERE ${unsubscribed} < ? AND ${withdrawnAfterConfirming}`, bindings: [at(bounds[0])] },
    ];
    let counts: Map<number, number>;
    if (strapi.db.dialect.client === 'postgres') {
      // PostgreSQL plans every part of a long UNION ALL separately (730 days took half a
      // second); width_bucket puts each row into its day in one index range scan instead.
      counts = await countTerms(terms);
      const thresholds = `ARRAY[${bounds.map(() => 'CAST(? AS timestamp)').join(', ')}]`;
      const perDay = async (column: string, extra: string, offset: number) => {
        const result = await knex().raw(
          `SELECT width_bucket(${column}, ${thresholds}) AS b, COUNT(*) AS n FROM ${subscribers} WHERE ${column} >= ? AND ${column} < ?${extra} GROUP BY b`,
          [...bounds.map(at), at(bounds[0]), at(bounds[days])]
        );
        for (const row of rawRowsOf(result)) counts.set(offset + toCount(fieldOf(row, 'b')) - 1, toCount(fieldOf(row, 'n')));
      };
      await perDay(confirmed, '', 0);
      await perDay(unsubscribed, ` AND ${withdrawnAfterConfirming}`, days);
    } else {
      // SQLite answers each day as one index range count; a few hundred of them cost ~3 ms.
      for (let i = 0; i < days; i += 1) {
        const range = [at(bounds[i]), at(bounds[i + 1])];
        terms.push({ key: i, sql: `${subscribers} WHERE ${confirmed} >= ? AND ${confirmed} < ?`, bindings: range });
        terms.push({ key: days + i, sql: `${subscribers} WHERE ${unsubscribed} >= ? AND ${unsubscribed} < ? AND ${withdrawnAfterConfirming}`, bindings: range });
      }
      counts = await countTerms(terms);
    }

    let active = (counts.get(before) ?? 0) - (counts.get(before + 1) ?? 0);
    return Array.from({ length: days }, (_, i) => {
      const signups = counts.get(i) ?? 0;
      const withdrawals = counts.get(days + i) ?? 0;
      active += signups - withdrawals;
      return { day: addDays(firstDay, i), signups, withdrawals, active };
    });
  };

  /** Channel values come from the subscriber schema, so a channel added there shows up here (with 0). */
  const knownChannels = (): string[] => {
    const attribute = strapi.getModel(UID.subscriber).attributes.channel as { enum?: string[] };
    // Nobody subscribes to an account channel: its followers are the platform's, its posts are counted per broadcast.
    return (attribute.enum ?? []).filter((channel) => !isAccountChannel(channel));
  };

  /**
   * Active subscribers per village in one pass over the active rows (villages are a text column
   * `|a|b|`, so each is a LIKE; one statement with a SUM per village reads the rows once).
   */
  const villageCounts = async (): Promise<{ named: number[]; wholeTown: number }> => {
    const villages = config().town.villages;
    if (!villages.length) return { named: [], wholeTown: 0 };
    const column = col('villages');
    const sums = villages.map((_, index) => `SUM(CASE WHEN ${column} LIKE ? THEN 1 ELSE 0 END) AS v${index}`);
    const result = await knex().raw(
      `SELECT ${sums.join(', ')}, SUM(CASE WHEN ${column} IS NULL OR ${column} = '' THEN 1 ELSE 0 END) AS whole FROM ${tableName(strapi, UID.subscriber)} WHERE ${col('status')} = 'active'`,
      villages.map((village) => `%|${village.slug}|%`)
    );
    const [row] = rawRowsOf(result);
    return { named: villages.map((_, index) => toCount(fieldOf(row, `v${index}`))), wholeTown: toCount(fieldOf(row, 'whole')) };
  };

  /**
   * Status counts and the breakdowns. Speed matters here (100,000 subscribers in well under
   * 100 ms on SQLite): an index range COUNT costs a fraction of a GROUP BY over the same rows,
   * so fixed values (statuses, channels, topics) are counted one range each, in one statement.
   * Topics are counted from the link table and corrected by the links of subscribers who are
   * not active, who are few, instead of joining every link to its subscriber.
   */
  const snapshot = async () => {
    const subscribers = tableName(strapi, UID.subscriber);
    const link = joinTableOf(strapi, UID.subscriber, 'topics');
    const status = col('status');
    const topics = await topicReads(strapi).pickMany(['id', 'name', 'slug', 'active'], { where: {}, orderBy: { name: 'asc' } });
    const channels = knownChannels();
    // Named, not `<> 'active'`: SQLite only searches the status index for equality or IN.
    const notActive = SUBSCRIBER_STATUSES.filter((value) => value !== 'active');

    const terms: CountTerm[] = [];
    const key = (() => {
      const keys = new Map<string, number>();
      return (label: string) => {
        if (!keys.has(label)) keys.set(label, keys.size);
        return keys.get(label) as number;
      };
    })();
    for (const value of SUBSCRIBER_STATUSES) terms.push({ key: key(`status:${value}`), sql: `${subscribers} WHERE ${status} = ?`, bindings: [value] });
    for (const channel of channels) {
      terms.push({ key: key(`channel:${channel}`), sql: `${subscribers} WHERE ${status} = 'active' AND ${col('channel')} = ?`, bindings: [channel] });
    }
    for (const topic of topics) terms.push({ key: key(`topic:${topic.id}`), sql: `${link.table} WHERE ${link.targetColumn} = ?`, bindings: [topic.id] });
    terms.push({ key: key('linked'), sql: link.table, bindings: [], count: `COUNT(DISTINCT ${link.ownerColumn})` });
    terms.push({
      key: key('linked-not-active'),
      sql: `${subscribers} s WHERE s.${status} IN (${notActive.map(() => '?').join(', ')}) AND EXISTS (SELECT 1 FROM ${link.table} l WHERE l.${link.ownerColumn} = s.id)`,
      bindings: notActive,
    });

    const [counts, notActiveTopicRows, sourceRows, villages] = await Promise.all([
      countTerms(terms),
      knex()(`${subscribers} as s`)
        .join(`${link.table} as l`, `l.${link.ownerColumn}`, 's.id')
        .whereIn(`s.${status}`, notActive)
        .select({ key: `l.${link.targetColumn}` })
        .count({ n: '*' })
        .groupBy(`l.${link.targetColumn}`)
        .then(keyedCounts),
      knex()(subscribers).select({ key: col('source') }).count({ n: '*' }).where(status, 'active').groupBy(col('source')).then(keyedCounts),
      villageCounts(),
    ]);
    // The town's own accounts (Mastodon, Bluesky) are one system row each: active, no topic, the
    // whole town. They are not citizens: taken out of every count they fall into.
    const accountRows = countOf(rawRowsOf(await knex()(subscribers).count({ n: '*' }).where(status, 'active').where(col('source'), ACCOUNT_SOURCE))[0]);
    const accountIn = (label: string) => (label === 'status:active' ? accountRows : 0);
    const count = (label: string) => (counts.get(key(label)) ?? 0) - accountIn(label);
    const notActiveByTopic = new Map(notActiveTopicRows.map((row) => [toCount(row.key), row.n]));
    const activeIn = (topicId: number) => count(`topic:${topicId}`) - (notActiveByTopic.get(topicId) ?? 0);
    const active = count('status:active');
    const withoutTopic = active - (count('linked') - count('linked-not-active'));

    const sources = new Map<string, number>();
    for (const row of sourceRows.filter((row) => row.key !== ACCOUNT_SOURCE)) {
      const source = textOf(row.key) ?? 'unknown';
      sources.set(source, (sources.get(source) ?? 0) + row.n);
    }
    const protect = <Cell extends { exact: number }>(cells: Cell[]) => {
      const counts = protectCells(cells.map((cell) => cell.exact));
      return cells.map(({ exact: _exact, ...cell }, index) => ({ ...cell, count: counts[index] }));
    };
    // Hidden cells ("<5" and "*") sort after the shown ones and among themselves by key, so
    // their place in the list does not tell 4 from 1 or bound a hidden cell between two others.
    const sourceCells = protect([...sources].map(([key, exact]) => ({ key, exact })));
    const sortValue = (cell: { count: CellCount }) => (typeof cell.count === 'number' ? cell.count : -1);

    const breakdowns: Breakdowns = {
      byChannel: protect(channels.map((channel) => ({ key: channel, exact: count(`channel:${channel}`) }))),
      byTopic: protect([
        // Inactive topics are listed only while someone still holds them.
        ...topics
          .filter((topic) => topic.active !== false || activeIn(topic.id) > 0)
          .map((topic) => ({ key: topic.slug, label: topic.name, exact: activeIn(topic.id) })),
        { key: ALL_TOPICS_KEY, label: 'All news (no topic chosen)', exact: withoutTopic },
      ]),
      bySource: sourceCells.sort((a, b) => sortValue(b) - sortValue(a) || a.key.localeCompare(b.key)),
      byVillage: villages.named.length
        ? protect([
            ...config().town.villages.map((village, index) => ({ key: village.slug, label: village.name, exact: villages.named[index] })),
            { key: WHOLE_TOWN_KEY, label: 'Whole town (no village chosen)', exact: villages.wholeTown - accountRows },
          ])
        : [],
    };
    return { subscribers: { active, pending: count('status:pending'), unsubscribed: count('status:unsubscribed') }, breakdowns };
  };

  /**
   * Deliveries of the broadcasts that ran in the window, summed from the announcements'
   * counters (recomputed from the delivery rows by the worker). The same numbers the broadcast
   * monitor shows, read from a few rows instead of scanning a million deliveries.
   */
  const deliveriesSince = async (since: Date) => {
    const table = tableName(strapi, UID.announcement);
    const a = (attribute: string) => columnName(strapi, UID.announcement, attribute);
    const [row] = rawRowsOf(await knex()(table)
      .whereNotNull(a('publishedAt'))
      .whereNotNull(a('broadcastStatus'))
      .where((where) => where.where(a('fanOutDoneAt'), '>=', at(since)).orWhereNull(a('fanOutDoneAt')))
      .sum({ sent: a('sentCount'), delivered: a('deliveredCount'), read: a('readCount'), failed: a('failedCount') }));
    const sum = (name: string) => toCount(fieldOf(row, name));
    return { sent: sum('sent'), delivered: sum('delivered'), read: sum('read'), failed: sum('failed') };
  };

  /**
   * Answers of large towns, reused for `stats.cache.seconds` (see the config). Requests that
   * arrive while an answer is being counted share that count instead of starting their own, so
   * a dashboard open in ten browsers costs the database one count, not ten. Once an answer is
   * older than `seconds` it is still served while one recount runs in the background, so no
   * request of a large town waits for a count of a million rows (its `generatedAt` says when it
   * was counted); only an answer nobody asked for in `STALE_AFTER` × `seconds` is counted afresh
   * first, so a dashboard opened in the morning never shows last night. A small town's answer is
   * dropped as soon as it is counted: its next request counts afresh.
   */
  const STALE_AFTER = 10;
  const answers = new Map<string, { at: number; value: Promise<unknown>; reusable: boolean; refreshing?: boolean }>();
  const reuse = async <T>(key: string, now: Date, count: () => Promise<T>, activeOf: (value: T) => number): Promise<T> => {
    const { fromSubscribers, seconds } = config().stats.cache;
    const held = answers.get(key);
    const age = held ? now.getTime() - held.at : -1;
    if (held && age >= 0) {
      if (!held.reusable || age < seconds * 1000) return held.value as Promise<T>;
      if (age < STALE_AFTER * seconds * 1000) {
        if (!held.refreshing) {
          held.refreshing = true;
          count()
            .then((value) => {
              if (answers.get(key) !== held) return;
              if (activeOf(value) >= fromSubscribers) answers.set(key, { at: now.getTime(), value: Promise.resolve(value), reusable: true });
              else answers.delete(key);
            })
            .catch((error: Error) => {
              held.refreshing = false;
              strapi.log.warn(`[${PLUGIN_ID}] statistics ${key}: recount failed, the answer of ${new Date(held.at).toISOString()} stays: ${maskedMessage(error)}`);
            });
        }
        return held.value as Promise<T>;
      }
    }
    const entry = { at: now.getTime(), value: count() as Promise<unknown>, reusable: false };
    answers.set(key, entry);
    try {
      const value = (await entry.value) as T;
      if (seconds > 0 && activeOf(value) >= fromSubscribers) entry.reusable = true;
      else if (answers.get(key) === entry) answers.delete(key);
      return value;
    } catch (error) {
      if (answers.get(key) === entry) answers.delete(key);
      throw error;
    }
  };

  return {
    timeZone,

    async overview(now = new Date()) {
      return reuse(`overview:${dayOf(now, timeZone())}`, now, () => this.countOverview(now), (value) => value.subscribers.active);
    },

    async growth(days: number, now = new Date()) {
      return reuse(`growth:${days}:${dayOf(now, timeZone())}`, now, () => this.countGrowth(days, now), (value) => value.days[value.days.length - 1]?.active ?? 0);
    },

    /** The overview counted now, whatever the cache holds. */
    async countOverview(now: Date) {
      const zone = timeZone();
      const target = config().stats.subscriberTarget;
      const [{ subscribers, breakdowns: split }, month, last30Days] = await Promise.all([
        snapshot(),
        dailySeries(30, now),
        deliveriesSince(dayBoundaries(addDays(dayOf(now, zone), -29), 1, zone)[0]),
      ]);
      const net = (days: GrowthDay[]) => days.reduce((sum, day) => sum + day.signups - day.withdrawals, 0);
      return {
        subscribers,
        netChange: { days7: net(month.slice(-7)), days30: net(month) },
        target: { value: target, reached: subscribers.active, percent: Math.round((subscribers.active / target) * 1000) / 10 },
        ...split,
        deliveries: { last30Days },
        costPerMonth: await getService(strapi, 'costs').perMonth(12, now),
        whatsappBudget: await getService(strapi, 'budget').status(now),
        timeZone: zone,
        generatedAt: now.toISOString(),
      };
    },

    async countGrowth(days: number, now: Date) {
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
      for (const cell of overview.byVillage) rows.push(['village', cell.key, cell.label, '', '', '', cell.count]);
      return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
    },
  };
};

/**
 * RFC 4180 quoting, plus a leading apostrophe for text a spreadsheet would run as a formula
 * (topic names and sources are typed by people). "<5" is not a formula and stays as it is.
 */
/** `key`/`n` rows of a GROUP BY count: the key as the driver gives it, the count as a number. */
function keyedCounts(rows: unknown): Array<{ key: unknown; n: number }> {
  return rawRowsOf(rows).map((row) => ({ key: fieldOf(row, 'key'), n: toCount(fieldOf(row, 'n')) }));
}

function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
