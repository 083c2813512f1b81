import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';
import { PLUGIN_ID, UID } from '../constants';
import { columnName, joinTableOf, tableName } from '../database/names';
import { fieldOf, rawRowsOf, textOf, toCount } from '../database/row';

/**
 * Counts of the subscriber table kept beside it, so the statistics page reads a few hundred
 * rows instead of counting a town (a fresh overview took 2.1 s at 1,000,000 subscribers).
 *
 * Who writes them: the database, in the statement that changes the row. Triggers on the
 * subscriber table and on its topic link table add and subtract as rows are inserted, changed
 * and deleted. Subscriber rows are written from a dozen places (sign-up, confirmation, the
 * citizen's changes, withdrawal, erasure, retention, the WhatsApp identity, the account rows,
 * Strapi's relation writes for topics, the content manager); a trigger covers all of them and
 * any added later, and because it is part of the statement, a statement that fails (a unique
 * address, a lost connection, a failing count write) changes neither rows nor counts.
 *
 * `ensureKeptCounts` runs at every boot: when the triggers of this version are missing (a new
 * install, an upgrade, a table a schema sync rebuilt) it creates them and counts once, with the
 * tables locked against writers on PostgreSQL, so no change falls between count and trigger.
 */

export const SUBSCRIBER_COUNTS = 'tc_subscriber_counts';
export const TOPIC_LINK_COUNTS = 'tc_topic_link_counts';
/**
 * The topic id under which `TOPIC_LINK_COUNTS` counts subscribers with at least one topic, per
 * status (Strapi's ids start at 1). The rest of its rows count links per topic and status.
 */
export const ANY_TOPIC = 0;
/** Bump when the trigger bodies change: the next boot replaces them and counts afresh. */
const TRIGGER_PREFIX = 'tc_kept_counts_';
const VERSION = 'v1';
const SUBSCRIBER_KEY = ['status', 'channel', 'source_key', 'villages_key', 'confirmed', 'withdrawn'] as const;

/** One group of subscribers that agree on everything the statistics break down by. */
export interface SubscriberGroup {
  status: string;
  channel: string;
  source: string | null;
  /** `|a|b|` as stored; '' for the whole town. */
  villages: string;
  /** Has a confirmation time. */
  confirmed: boolean;
  /** Withdrew after confirming (unsubscribedAt ≥ confirmedAt): a withdrawal the growth series counts. */
  withdrawn: boolean;
  count: number;
}

export interface TopicLinkCount {
  topicId: number;
  status: string;
  count: number;
}

/** Source null is kept as '' and any source as ':' + source, so '' and null stay apart. */
function subscriberGroupFromRow(row: unknown): SubscriberGroup {
  const sourceKey = textOf(fieldOf(row, 'source_key')) ?? '';
  return {
    status: textOf(fieldOf(row, 'status')) ?? '',
    channel: textOf(fieldOf(row, 'channel')) ?? '',
    source: sourceKey === '' ? null : sourceKey.slice(1),
    villages: textOf(fieldOf(row, 'villages_key')) ?? '',
    confirmed: toCount(fieldOf(row, 'confirmed')) === 1,
    withdrawn: toCount(fieldOf(row, 'withdrawn')) === 1,
    count: toCount(fieldOf(row, 'n')),
  };
}

function topicLinkCountFromRow(row: unknown): TopicLinkCount {
  return { topicId: toCount(fieldOf(row, 'topic_id')), status: textOf(fieldOf(row, 'status')) ?? '', count: toCount(fieldOf(row, 'n')) };
}

/** The kept counts as they stand (groups with a count of 0 left out). */
export async function readKeptCounts(strapi: Core.Strapi): Promise<{ groups: SubscriberGroup[]; topicLinks: TopicLinkCount[] }> {
  const knex = strapi.db.connection;
  const [groups, topicLinks]: unknown[][] = await Promise.all([knex(SUBSCRIBER_COUNTS).select('*').whereNot('n', 0), knex(TOPIC_LINK_COUNTS).select('*').whereNot('n', 0)]);
  return { groups: groups.map(subscriberGroupFromRow), topicLinks: topicLinks.map(topicLinkCountFromRow) };
}

/** Table and column names as Strapi created them. */
function namesOf(strapi: Core.Strapi) {
  const col = (attribute: string) => columnName(strapi, UID.subscriber, attribute);
  const link = joinTableOf(strapi, UID.subscriber, 'topics');
  return {
    subscribers: tableName(strapi, UID.subscriber),
    status: col('status'),
    channel: col('channel'),
    source: col('source'),
    villages: col('villages'),
    confirmed: col('confirmedAt'),
    unsubscribed: col('unsubscribedAt'),
    link: link.table,
    owner: link.ownerColumn,
    topic: link.targetColumn,
  };
}
type Names = ReturnType<typeof namesOf>;

/** The group key of one subscriber row (`NEW`, `OLD` or a table alias), in `SUBSCRIBER_KEY` order. */
function keyOf(n: Names, row: string): string[] {
  const confirmed = `${row}.${n.confirmed} IS NOT NULL`;
  return [
    `COALESCE(${row}.${n.status}, '')`,
    `COALESCE(${row}.${n.channel}, '')`,
    `CASE WHEN ${row}.${n.source} IS NULL THEN '' ELSE ':' || ${row}.${n.source} END`,
    `COALESCE(${row}.${n.villages}, '')`,
    `CASE WHEN ${confirmed} THEN 1 ELSE 0 END`,
    `CASE WHEN ${confirmed} AND ${row}.${n.unsubscribed} >= ${row}.${n.confirmed} THEN 1 ELSE 0 END`,
  ];
}

const addToSubscriberCounts = (select: string) =>
  `INSERT INTO ${SUBSCRIBER_COUNTS} (${SUBSCRIBER_KEY.join(', ')}, n) ${select} ` +
  `ON CONFLICT (${SUBSCRIBER_KEY.join(', ')}) DO UPDATE SET n = ${SUBSCRIBER_COUNTS}.n + excluded.n`;
const addToTopicCounts = (select: string) =>
  `INSERT INTO ${TOPIC_LINK_COUNTS} (topic_id, status, n) ${select} ON CONFLICT (topic_id, status) DO UPDATE SET n = ${TOPIC_LINK_COUNTS}.n + excluded.n`;

/**
 * The statements each trigger runs, the same on both databases. Rows are written in key order
 * (one statement for the old and the new group), so two transactions take the count rows'
 * locks in the same order. Every SELECT has a WHERE: SQLite would read `ON CONFLICT` after a
 * bare FROM as a join's ON.
 */
function statements(n: Names) {
  const keyColumns = SUBSCRIBER_KEY.join(', ');
  /** The old group loses one, the new gains one; one statement, so a row that stays in its group nets 0. */
  const moveGroup = (old: string | null, next: string | null) => {
    const part = (row: string, sign: number) => `SELECT ${keyOf(n, row).map((expression, index) => `${expression} AS ${SUBSCRIBER_KEY[index]}`).join(', ')}, ${sign} AS d`;
    const parts = [old ? part(old, -1) : null, next ? part(next, 1) : null].filter((sql): sql is string => sql !== null);
    return addToSubscriberCounts(`SELECT ${keyColumns}, SUM(d) FROM (${parts.join(' UNION ALL ')}) g WHERE 1 = 1 GROUP BY ${keyColumns} ORDER BY ${keyColumns}`);
  };
  /** The links of subscriber `row`, counted under `status`, `sign` times. */
  const moveLinks = (row: string, sign: 1 | -1) => [
    addToTopicCounts(
      `SELECT l.${n.topic}, COALESCE(${row}.${n.status}, ''), ${sign} * COUNT(*) FROM ${n.link} l WHERE l.${n.owner} = ${row}.id GROUP BY l.${n.topic} ORDER BY l.${n.topic}`
    ),
    addToTopicCounts(`SELECT ${ANY_TOPIC}, COALESCE(${row}.${n.status}, ''), ${sign} WHERE EXISTS (SELECT 1 FROM ${n.link} l WHERE l.${n.owner} = ${row}.id)`),
  ];
  /**
   * One link row (`NEW` or `OLD`) of a subscriber that still exists; a cascade from the
   * subscriber's delete finds none (its BEFORE DELETE took the links off). Link triggers run
   * BEFORE the row is written: PostgreSQL runs AFTER row triggers at the end of the statement,
   * when a subscriber's first link could no longer be told from its second.
   */
  const linkChanged = (row: 'NEW' | 'OLD', ownerMoved = '') => {
    const sign = row === 'NEW' ? 1 : -1;
    // The subscriber's first link (none yet) or its last (this one is all that is left).
    const firstOrLast = row === 'NEW' ? `NOT EXISTS (SELECT 1 FROM ${n.link} l WHERE l.${n.owner} = NEW.${n.owner})` : `(SELECT COUNT(*) FROM ${n.link} l WHERE l.${n.owner} = OLD.${n.owner}) = 1`;
    return [
      addToTopicCounts(`SELECT ${row}.${n.topic}, COALESCE(s.${n.status}, ''), ${sign} FROM ${n.subscribers} s WHERE s.id = ${row}.${n.owner}`),
      addToTopicCounts(`SELECT ${ANY_TOPIC}, COALESCE(s.${n.status}, ''), ${sign} FROM ${n.subscribers} s WHERE s.id = ${row}.${n.owner} AND ${firstOrLast}${ownerMoved}`),
    ];
  };
  return {
    subscriberInserted: [moveGroup(null, 'NEW')],
    subscriberChanged: [moveGroup('OLD', 'NEW')],
    /** Only when the status changed: the links move from the old status to the new. */
    subscriberStatusChanged: [...moveLinks('OLD', -1), ...moveLinks('NEW', 1)],
    /** Before the row goes, while its links are still there (their cascade then finds no subscriber). */
    subscriberDeleted: [moveGroup('OLD', null), ...moveLinks('OLD', -1)],
    linkInserted: linkChanged('NEW'),
    linkDeleted: linkChanged('OLD'),
    /** A link moved to another subscriber or topic; whether anyone has a topic changes only with the subscriber. */
    linkMoved: [...linkChanged('OLD', ` AND OLD.${n.owner} <> NEW.${n.owner}`), ...linkChanged('NEW', ` AND OLD.${n.owner} <> NEW.${n.owner}`)],
  };
}

/** What makes a subscriber change count: any column of the key. */
function keyChanged(n: Names, differs: string): string {
  return [n.status, n.channel, n.source, n.villages, n.confirmed, n.unsubscribed].map((column) => `OLD.${column} ${differs} NEW.${column}`).join(' OR ');
}

function sqliteTriggers(n: Names): Array<[string, string]> {
  const s = statements(n);
  const body = (list: string[]) => `BEGIN ${list.map((statement) => `${statement};`).join(' ')} END`;
  const name = (suffix: string) => `${TRIGGER_PREFIX}${VERSION}_${suffix}`;
  return [
    [name('sub_ins'), `CREATE TRIGGER ${name('sub_ins')} AFTER INSERT ON ${n.subscribers} ${body(s.subscriberInserted)}`],
    [name('sub_upd'), `CREATE TRIGGER ${name('sub_upd')} AFTER UPDATE ON ${n.subscribers} WHEN ${keyChanged(n, 'IS NOT')} ${body(s.subscriberChanged)}`],
    [name('sub_status'), `CREATE TRIGGER ${name('sub_status')} AFTER UPDATE OF ${n.status} ON ${n.subscribers} WHEN OLD.${n.status} IS NOT NEW.${n.status} ${body(s.subscriberStatusChanged)}`],
    [name('sub_del'), `CREATE TRIGGER ${name('sub_del')} BEFORE DELETE ON ${n.subscribers} ${body(s.subscriberDeleted)}`],
    [name('link_ins'), `CREATE TRIGGER ${name('link_ins')} BEFORE INSERT ON ${n.link} ${body(s.linkInserted)}`],
    [name('link_del'), `CREATE TRIGGER ${name('link_del')} BEFORE DELETE ON ${n.link} ${body(s.linkDeleted)}`],
    [
      name('link_upd'),
      `CREATE TRIGGER ${name('link_upd')} BEFORE UPDATE ON ${n.link} WHEN OLD.${n.owner} IS NOT NEW.${n.owner} OR OLD.${n.topic} IS NOT NEW.${n.topic} ${body(s.linkMoved)}`,
    ],
  ];
}

function postgresTriggers(n: Names): Array<[string, string]> {
  const s = statements(n);
  const name = (suffix: string) => `${TRIGGER_PREFIX}${VERSION}_${suffix}`;
  const fn = (suffix: string, list: string[], returns: 'NEW' | 'OLD') =>
    `CREATE OR REPLACE FUNCTION ${name(suffix)}() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN ${list.map((statement) => `${statement};`).join(' ')} RETURN ${returns}; END $fn$`;
  const trigger = (suffix: string, when: string, table: string, condition = '') =>
    `CREATE TRIGGER ${name(suffix)} ${when} ON ${table} FOR EACH ROW ${condition ? `WHEN (${condition}) ` : ''}EXECUTE FUNCTION ${name(suffix)}()`;
  const both = (suffix: string, list: string[], returns: 'NEW' | 'OLD', when: string, table: string, condition = '') =>
    `${fn(suffix, list, returns)}; ${trigger(suffix, when, table, condition)}`;
  return [
    [name('sub_ins'), both('sub_ins', s.subscriberInserted, 'NEW', 'AFTER INSERT', n.subscribers)],
    [name('sub_upd'), both('sub_upd', s.subscriberChanged, 'NEW', 'AFTER UPDATE', n.subscribers, keyChanged(n, 'IS DISTINCT FROM'))],
    [name('sub_status'), both('sub_status', s.subscriberStatusChanged, 'NEW', `AFTER UPDATE OF ${n.status}`, n.subscribers, `OLD.${n.status} IS DISTINCT FROM NEW.${n.status}`)],
    [name('sub_del'), both('sub_del', s.subscriberDeleted, 'OLD', 'BEFORE DELETE', n.subscribers)],
    [name('link_ins'), both('link_ins', s.linkInserted, 'NEW', 'BEFORE INSERT', n.link)],
    [name('link_del'), both('link_del', s.linkDeleted, 'OLD', 'BEFORE DELETE', n.link)],
    [
      name('link_upd'),
      both('link_upd', s.linkMoved, 'NEW', 'BEFORE UPDATE', n.link, `OLD.${n.owner} IS DISTINCT FROM NEW.${n.owner} OR OLD.${n.topic} IS DISTINCT FROM NEW.${n.topic}`),
    ],
  ];
}

/** Our triggers as the database has them: name → table. */
async function existingTriggers(trx: Knex.Transaction, postgres: boolean): Promise<Map<string, string>> {
  const result: unknown = postgres
    ? await trx.raw(`SELECT t.tgname AS name, c.relname AS tbl FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal`)
    : await trx.raw(`SELECT name, tbl_name AS tbl FROM sqlite_master WHERE type = 'trigger'`);
  const found = new Map<string, string>();
  for (const row of rawRowsOf(result)) {
    const name = textOf(fieldOf(row, 'name')) ?? '';
    if (name.startsWith(TRIGGER_PREFIX)) found.set(name, textOf(fieldOf(row, 'tbl')) ?? '');
  }
  return found;
}

/** Creates the count tables and triggers if this version's are missing, and counts once then. */
export async function ensureKeptCounts(strapi: Core.Strapi): Promise<void> {
  const knex = strapi.db.connection;
  const postgres = strapi.db.dialect.client === 'postgres';
  const n = namesOf(strapi);
  const triggers = postgres ? postgresTriggers(n) : sqliteTriggers(n);
  const created = await knex.transaction(async (trx) => {
    const count = postgres ? 'bigint' : 'integer';
    await trx.raw(
      `CREATE TABLE IF NOT EXISTS ${SUBSCRIBER_COUNTS} (status varchar(32) NOT NULL, channel varchar(32) NOT NULL, source_key varchar(256) NOT NULL, ` +
        `villages_key text NOT NULL, confirmed smallint NOT NULL, withdrawn smallint NOT NULL, n ${count} NOT NULL, PRIMARY KEY (${SUBSCRIBER_KEY.join(', ')}))`
    );
    await trx.raw(`CREATE TABLE IF NOT EXISTS ${TOPIC_LINK_COUNTS} (topic_id integer NOT NULL, status varchar(32) NOT NULL, n ${count} NOT NULL, PRIMARY KEY (topic_id, status))`);
    const current = (existing: Map<string, string>) => existing.size === triggers.length && triggers.every(([name]) => existing.has(name));
    if (current(await existingTriggers(trx, postgres))) return false;
    // Writers wait while the counts are made (a second booting process too, which then finds the triggers).
    if (postgres) await trx.raw(`LOCK TABLE ${n.subscribers}, ${n.link}, ${SUBSCRIBER_COUNTS}, ${TOPIC_LINK_COUNTS} IN SHARE ROW EXCLUSIVE MODE`);
    const existing = await existingTriggers(trx, postgres);
    if (current(existing)) return false;
    for (const [name, table] of existing) {
      await trx.raw(postgres ? `DROP TRIGGER IF EXISTS ${name} ON ${table}` : `DROP TRIGGER IF EXISTS ${name}`);
      if (postgres) await trx.raw(`DROP FUNCTION IF EXISTS ${name}()`);
    }
    for (const [, sql] of triggers) await trx.raw(sql);
    await trx.raw(`DELETE FROM ${SUBSCRIBER_COUNTS}`);
    await trx.raw(`DELETE FROM ${TOPIC_LINK_COUNTS}`);
    const keyColumns = SUBSCRIBER_KEY.join(', ');
    await trx.raw(`INSERT INTO ${SUBSCRIBER_COUNTS} (${keyColumns}, n) SELECT ${keyOf(n, 's').join(', ')}, COUNT(*) FROM ${n.subscribers} s GROUP BY 1, 2, 3, 4, 5, 6`);
    await trx.raw(
      `INSERT INTO ${TOPIC_LINK_COUNTS} (topic_id, status, n) SELECT l.${n.topic}, COALESCE(s.${n.status}, ''), COUNT(*) FROM ${n.link} l JOIN ${n.subscribers} s ON s.id = l.${n.owner} GROUP BY 1, 2`
    );
    await trx.raw(
      `INSERT INTO ${TOPIC_LINK_COUNTS} (topic_id, status, n) SELECT ${ANY_TOPIC}, COALESCE(s.${n.status}, ''), COUNT(*) FROM ${n.subscribers} s ` +
        `WHERE EXISTS (SELECT 1 FROM ${n.link} l WHERE l.${n.owner} = s.id) GROUP BY 1, 2`
    );
    return true;
  });
  if (created) strapi.log.info(`[${PLUGIN_ID}] statistics: counts of subscribers and topic links made afresh (${VERSION})`);
}
