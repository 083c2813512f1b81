import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, SUBSCRIBER_STATUSES, UID } from '../constants';
import { columnName, tableName } from '../database/names';
import { getService } from '../utils/get-service';
import { addDays, dayBoundaries, dayOf } from '../utils/calendar-days';
import { dbTimestamp } from '../utils/time';
import { maskedMessage } from '../utils/log';
import { protectCells, suppressSmall, type CellCount } from './small-cells';
import { isAccountChannel } from '../../../shared/contracts/channels';
import { ACCOUNT_SOURCE } from '../subscribers/account-subscribers';
import { ANY_TOPIC, readKeptCounts, type SubscriberGroup } from './kept-counts';
import { fieldOf, rawRowsOf, textOf, toCount } from '../database/row';

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
   * Who was active before the first day is the kept total (kept-counts.ts) minus the window's
   * days and the few rows after its end (a time in the future), so the count reads the window's
   * rows, not the town's, whether the window is a month or two years.
   */
  const dailySeries = async (days: number, now: Date, groups: SubscriberGroup[]): Promise<GrowthDay[]> => {
    const zone = timeZone();
    const firstDay = addDays(dayOf(now, zone), -(days - 1));
    const bounds = dayBoundaries(firstDay, days, zone);
    const subscribers = tableName(strapi, UID.subscriber);
    const confirmed = col('confirmedAt');
    const unsubscribed = col('unsubscribedAt');
    const withdrawnAfterConfirming = `${confirmed} IS NOT NULL AND ${unsubscribed} >= ${confirmed}`;

    const after = 2 * days;
    const terms: CountTerm[] = [
      { key: after, sql: `${subscribers} WHERE ${confirmed} >= ?`, bindings: [at(bounds[days])] },
      { key: after + 1, sql: `${subscribers} WHERE ${unsubscribed} >= ? AND ${withdrawnAfterConfirming}`, bindings: [at(bounds[days])] },
    ];
    let counts: Map<number, number>;
    if (strapi.db.dialect.client === 'postgres') {
      // PostgreSQL plans every part of a long UNION ALL separately (730 days took half a
      // second); width_bucket puts each row into its day in one index range scan instead.
      const thresholds = `ARRAY[${bounds.map(() => 'CAST(? AS timestamp)').join(', ')}]`;
      const perDay = async (column: string, extra: string, offset: number) => {
        const result: unknown = await knex().raw(
          `SELECT width_bucket(${column}, ${thresholds}) AS b, COUNT(*) AS n FROM ${subscribers} WHERE ${column} >= ? AND ${column} < ?${extra} GROUP BY b`,
          [...bounds.map(at), at(bounds[0]), at(bounds[days])]
        );
        return rawRowsOf(result).map((row): [number, number] => [offset + toCount(fieldOf(row, 'b')) - 1, toCount(fieldOf(row, 'n'))]);
      };
      const [afterEnd, signups, withdrawals] = await Promise.all([countTerms(terms), perDay(confirmed, '', 0), perDay(unsubscribed, ` AND ${withdrawnAfterConfirming}`, days)]);
      counts = new Map([...afterEnd, ...signups, ...withdrawals]);
    } else {
      // SQLite answers each day as one index range count; a few hundred of them cost ~3 ms.
      for (let i = 0; i < days; i += 1) {
        const range = [at(bounds[i]), at(bounds[i + 1])];
        terms.push({ key: i, sql: `${subscribers} WHERE ${confirmed} >= ? AND ${confirmed} < ?`, bindings: range });
        terms.push({ key: days + i, sql: `${subscribers} WHERE ${unsubscribed} >= ? AND ${unsubscribed} < ? AND ${withdrawnAfterConfirming}`, bindings: range });
      }
      counts = await countTerms(terms);
    }

    const total = (has: (group: SubscriberGroup) => boolean) => groups.reduce((sum, group) => sum + (has(group) ? group.count : 0), 0);
    const inWindow = (offset: number) => Array.from({ length: days }, (_, i) => counts.get(offset + i) ?? 0).reduce((sum, count) => sum + count, 0);
    const confirmedBefore = total((group) => group.confirmed) - inWindow(0) - (counts.get(after) ?? 0);
    const withdrawnBefore = total((group) => group.withdrawn) - inWindow(days) - (counts.get(after + 1) ?? 0);
    let active = confirmedBefore - withdrawnBefore;
    return Array.from({ length: days }, (_, i) => {
      const signups = counts.get(i) ?? 0;
      const withdrawals = counts.get(days + i) ?? 0;
      active += signups - withdrawals;
      return { day: addDays(firstDay, i), signups, withdrawals, active };
    });
  };

  /** Channel values come from the subscriber schema, so a channel added there shows up here (with 0). */
  const knownChannels = (): string[] => {
    const values = fieldOf(strapi.getModel(UID.subscriber).attributes.channel, 'enum');
    // Nobody subscribes to an account channel: its followers are the platform's, its posts are counted per broadcast.
    return (Array.isArray(values) ? values : []).filter((channel): channel is string => typeof channel === 'string' && !isAccountChannel(channel));
  };

  const topicsOf = async () => {
    const rows: unknown[] = await strapi.db.query(UID.topic).findMany({ select: ['id', 'name', 'slug', 'active'], orderBy: { name: 'asc' } });
    return rows.map(topicFromRow);
  };

  /**
   * Status counts and the breakdowns, from the counts the database keeps beside the subscriber
   * and topic link tables (kept-counts.ts): a few hundred rows, whatever the size of the town.
   * Active subscribers per topic are the topic's links of active subscribers; "no topic" is the
   * active subscribers minus those with at least one link. Villages are a text column `|a|b|`,
   * kept per distinct value, so each village sums the values that name it.
   */
  const snapshot = async (groups: SubscriberGroup[], topicLinks: Array<{ topicId: number; status: string; count: number }>) => {
    const topics = await topicsOf();
    const channels = knownChannels();
    const sum = (has: (group: SubscriberGroup) => boolean) => groups.reduce((total, group) => total + (has(group) ? group.count : 0), 0);
    const activeGroups = groups.filter((group) => group.status === 'active');
    // The town's own accounts (Mastodon, Bluesky) are one system row each: active, no topic, the
    // whole town. They are not citizens: taken out of every count they fall into.
    const accountRows = sum((group) => group.status === 'active' && group.source === ACCOUNT_SOURCE);
    const statusCount = (status: string) => sum((group) => group.status === status) - (status === 'active' ? accountRows : 0);
    const activeLinks = new Map(topicLinks.filter((row) => row.status === 'active').map((row) => [row.topicId, row.count]));
    const activeIn = (topicId: number) => activeLinks.get(topicId) ?? 0;
    const active = statusCount('active');
    const withoutTopic = active - activeIn(ANY_TOPIC);

    const sources = new Map<string, number>();
    for (const group of activeGroups.filter((group) => group.source !== ACCOUNT_SOURCE)) sources.set(group.source ?? 'unknown', (sources.get(group.source ?? 'unknown') ?? 0) + group.count);
    const villages = config().town.villages;
    const inVillage = (slug: string) => activeGroups.reduce((total, group) => total + (group.villages.includes(`|${slug}|`) ? group.count : 0), 0);
    const wholeTown = activeGroups.reduce((total, group) => total + (group.villages === '' ? group.count : 0), 0);
    const protect = <Cell extends { exact: number }>(cells: Cell[]) => {
      const counts = protectCells(cells.map((cell) => cell.exact));
      return cells.map(({ exact: _exact, ...cell }, index) => ({ ...cell, count: counts[index] }));
    };
    // Hidden cells ("<5" and "*") sort after the shown ones and among themselves by key, so
    // their place in the list does not tell 4 from 1 or bound a hidden cell between two others.
    const sourceCells = protect([...sources].map(([key, exact]) => ({ key, exact })));
    const sortValue = (cell: { count: CellCount }) => (typeof cell.count === 'number' ? cell.count : -1);

    const breakdowns: Breakdowns = {
      byChannel: protect(channels.map((channel) => ({ key: channel, exact: sum((group) => group.status === 'active' && group.channel === channel) }))),
      byTopic: protect([
        // Inactive topics are listed only while someone still holds them.
        ...topics
          .filter((topic) => topic.active !== false || activeIn(topic.id) > 0)
          .map((topic) => ({ key: topic.slug, label: topic.name, exact: activeIn(topic.id) })),
        { key: ALL_TOPICS_KEY, label: 'All news (no topic chosen)', exact: withoutTopic },
      ]),
      bySource: sourceCells.sort((a, b) => sortValue(b) - sortValue(a) || a.key.localeCompare(b.key)),
      byVillage: villages.length
        ? protect([
            ...villages.map((village) => ({ key: village.slug, label: village.name, exact: inVillage(village.slug) })),
            { key: WHOLE_TOWN_KEY, label: 'Whole town (no village chosen)', exact: wholeTown - accountRows },
          ])
        : [],
    };
    return { subscribers: { active, pending: statusCount('pending'), unsubscribed: statusCount('unsubscribed') }, breakdowns };
  };

  /**
   * Deliveries of the broadcasts that ran in the window, summed from the announcements'
   * counters (recomputed from the delivery rows by the worker). The same numbers the broadcast
   * monitor shows, read from a few rows instead of scanning a million deliveries.
   */
  const deliveriesSince = async (since: Date) => {
    const table = tableName(strapi, UID.announcement);
    const a = (attribute: string) => columnName(strapi, UID.announcement, attribute);
    const rows: unknown[] = await knex()(table)
      .whereNotNull(a('publishedAt'))
      .whereNotNull(a('broadcastStatus'))
      .where((where) => where.where(a('fanOutDoneAt'), '>=', at(since)).orWhereNull(a('fanOutDoneAt')))
      .sum({ sent: a('sentCount'), delivered: a('deliveredCount'), read: a('readCount'), failed: a('failedCount') });
    const sums = (name: string) => toCount(fieldOf(rows[0], name));
    return { sent: sums('sent'), delivered: sums('delivered'), read: sums('read'), failed: sums('failed') };
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
      const { groups, topicLinks } = await readKeptCounts(strapi);
      // Side by side: on PostgreSQL each runs on its own connection (the month's costs count delivery rows).
      const [{ subscribers, breakdowns: split }, month, last30Days, costPerMonth, whatsappBudget] = await Promise.all([
        snapshot(groups, topicLinks),
        dailySeries(30, now, groups),
        deliveriesSince(dayBoundaries(addDays(dayOf(now, zone), -29), 1, zone)[0]),
        getService(strapi, 'costs').perMonth(12, now),
        getService(strapi, 'budget').status(now),
      ]);
      const net = (days: GrowthDay[]) => days.reduce((sum, day) => sum + day.signups - day.withdrawals, 0);
      return {
        subscribers,
        netChange: { days7: net(month.slice(-7)), days30: net(month) },
        target: { value: target, reached: subscribers.active, percent: Math.round((subscribers.active / target) * 1000) / 10 },
        ...split,
        deliveries: { last30Days },
        costPerMonth,
        whatsappBudget,
        timeZone: zone,
        generatedAt: now.toISOString(),
      };
    },

    async countGrowth(days: number, now: Date) {
      const { groups } = await readKeptCounts(strapi);
      return { timeZone: timeZone(), target: config().stats.subscriberTarget, days: await dailySeries(days, now, groups) };
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
function topicFromRow(row: unknown) {
  return { id: toCount(fieldOf(row, 'id')), name: textOf(fieldOf(row, 'name')) ?? '', slug: textOf(fieldOf(row, 'slug')) ?? '', active: fieldOf(row, 'active') !== false };
}

function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
