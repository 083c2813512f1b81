/**
 * Figures for the admin statistics, printed, never asserted (target: one request < 100 ms):
 * 100,000 subscribers (two years of sign-ups and withdrawals, topics, sources) and 1,000,000
 * delivery records on the SQLite file database the tests use (PostgreSQL with DATABASE_URL).
 * Timed through HTTP with an admin token, so auth, routing and JSON are included.
 * Run: npm run bench -- bench/stats.bench.ts   (BENCH_STATS_SUBSCRIBERS / BENCH_STATS_DELIVERIES to shrink;
 * BENCH_STATS_KEEP=/tmp/stats.db keeps a copy of the seeded SQLite database for EXPLAIN QUERY PLAN)
 */
import os from 'node:os';
import { afterAll, beforeAll, it } from 'vitest';
import { bootStrapi, createSuperAdmin, type TestStrapi } from '../tests/support/strapi';
import { seedBenchTopics } from './seed';
import { percentile } from './support/percentile';

const SUBSCRIBERS = Number(process.env.BENCH_STATS_SUBSCRIBERS ?? 100_000);
const DELIVERIES = Number(process.env.BENCH_STATS_DELIVERIES ?? 1_000_000);
const ANNOUNCEMENTS = 200;
const RUNS = 25;
const DAY = 86_400_000;
/** SQLite turns a multi-row insert into one compound SELECT, capped at 500 terms. */
const CHUNK = 400;

let test: TestStrapi;
let token: string;


/** Deterministic pseudo-random numbers, so every run seeds the same data. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

async function insertAll(table: string, count: number, row: (i: number) => Record<string, unknown>) {
  const knex = test.strapi.db.connection;
  await knex.transaction(async (trx) => {
    for (let start = 0; start < count; start += CHUNK) {
      await trx(table).insert(Array.from({ length: Math.min(CHUNK, count - start) }, (_, i) => row(start + i)));
    }
  });
}

beforeAll(async () => {
  test = await bootStrapi();
  token = await createSuperAdmin(test);
  const db = test.strapi.db;
  const stamp = (at: number) => (test.dialect === 'sqlite' ? at : new Date(at));
  const now = Date.now();
  const rnd = random(42);
  const started = Date.now();

  const topicIds = await seedBenchTopics(test);

  const sources = ['web', 'flyer', 'qr-code', 'newsletter', null];
  await insertAll(db.metadata.get('plugin::town-crier.subscriber').tableName, SUBSCRIBERS, (i) => {
    const confirmed = now - Math.floor(rnd() * 730 * DAY);
    const roll = rnd();
    const status = roll < 0.85 ? 'active' : roll < 0.93 ? 'unsubscribed' : 'pending';
    return {
      document_id: `bench${i}`,
      channel: 'whatsapp',
      address: `+4915${String(100_000_000 + i)}`,
      status,
      source: sources[Math.floor(rnd() * sources.length)],
      locale: 'de',
      confirmed_at: status === 'pending' ? null : stamp(confirmed),
      unsubscribed_at: status === 'unsubscribed' ? stamp(confirmed + Math.floor(rnd() * (now - confirmed))) : null,
      created_at: stamp(confirmed),
      updated_at: stamp(confirmed),
      published_at: stamp(confirmed),
    };
  });
  const subscriberIds = ((await db.connection(db.metadata.get('plugin::town-crier.subscriber').tableName).select('id').orderBy('id')) as Array<{ id: number }>).map((row) => row.id);

  // One or two topics for 70 % of subscribers; the rest chose "all news".
  const link = (db.metadata.get('plugin::town-crier.subscriber').attributes.topics as unknown as { joinTable: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } } }).joinTable;
  const links: Array<[number, number]> = [];
  for (const id of subscriberIds) {
    if (rnd() < 0.3) continue;
    const first = Math.floor(rnd() * topicIds.length);
    links.push([id, topicIds[first]]);
    if (rnd() < 0.4) links.push([id, topicIds[(first + 1) % topicIds.length]]);
  }
  await insertAll(link.name, links.length, (i) => ({ [link.joinColumn.name]: links[i][0], [link.inverseJoinColumn.name]: links[i][1] }));

  const statuses = ['read', 'read', 'delivered', 'delivered', 'delivered', 'sent', 'failed', 'skipped'];
  await insertAll(db.metadata.get('plugin::town-crier.announcement').tableName, ANNOUNCEMENTS, (i) => {
    const at = now - Math.floor(((ANNOUNCEMENTS - i) / ANNOUNCEMENTS) * 365 * DAY);
    const per = Math.floor(DELIVERIES / ANNOUNCEMENTS);
    return {
      document_id: `bench-announcement-${i}`,
      title: `Meldung ${i}`,
      text: 'Text',
      broadcast_status: 'sent',
      fan_out_done_at: stamp(at),
      finished_at: stamp(at + DAY),
      published_at: stamp(at),
      created_at: stamp(at),
      updated_at: stamp(at),
      recipients_count: per,
      sent_count: Math.floor(per * 0.75),
      delivered_count: Math.floor(per * 0.62),
      read_count: Math.floor(per * 0.25),
      failed_count: Math.floor(per * 0.12),
      skipped_count: Math.floor(per * 0.13),
    };
  });
  const perAnnouncement = Math.ceil(DELIVERIES / ANNOUNCEMENTS);
  await insertAll(db.metadata.get('plugin::town-crier.delivery').tableName, DELIVERIES, (i) => {
    const announcement = Math.floor(i / perAnnouncement);
    const at = now - Math.floor(((ANNOUNCEMENTS - announcement) / ANNOUNCEMENTS) * 365 * DAY);
    const status = statuses[i % statuses.length];
    return {
      document_id: `bench-delivery-${i}`,
      announcement_document_id: `bench-announcement-${announcement}`,
      subscriber_id: subscriberIds[(i * 7919) % subscriberIds.length],
      channel: 'whatsapp',
      status,
      attempts: 1,
      last_error_code: status === 'failed' ? '131026' : null,
      last_error_class: status === 'failed' ? 'permanent-recipient' : null,
      sent_at: status === 'skipped' ? null : stamp(at),
      status_at: stamp(at + 60_000),
      created_at: stamp(at),
      updated_at: stamp(at),
      published_at: stamp(at),
    };
  });
  // What autovacuum does on a live database: statistics, and the visibility map that lets
  // PostgreSQL count from an index alone.
  await db.connection.raw(test.dialect === 'sqlite' ? 'ANALYZE' : 'VACUUM ANALYZE');
  if (process.env.BENCH_STATS_KEEP) await db.connection.raw(`VACUUM INTO '${process.env.BENCH_STATS_KEEP}'`);
  console.log(
    `seeded ${SUBSCRIBERS.toLocaleString('en')} subscribers, ${links.length.toLocaleString('en')} topic links, ${DELIVERIES.toLocaleString('en')} deliveries in ${((Date.now() - started) / 1000).toFixed(0)} s [${test.dialect}]`
  );
});
afterAll(async () => {
  await test?.close();
});

/**
 * Wall time is what an admin waits; on a shared machine it also measures the neighbours, so the
 * process's CPU time per request (SQLite runs in this process) is printed beside it, with the
 * load average at the time.
 */
async function measure(label: string, path: string) {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS + 2; run += 1) {
    const started = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const response = await test.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`);
    const used = process.cpuUsage(cpuStart);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    // The first two warm caches and the query planner; a dashboard is opened more than once.
    if (run >= 2) {
      wall.push(ms);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  console.log(
    `${label}: wall median ${percentile(wall, 50).toFixed(1)} ms, p95 ${percentile(wall, 95).toFixed(1)} ms; CPU median ${percentile(cpu, 50).toFixed(1)} ms, p95 ${percentile(cpu, 95).toFixed(1)} ms over ${RUNS} requests (target < 100 ms) [${test.dialect}, load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores]`
  );
}

it('answers the overview', async () => {
  await measure('GET /stats/overview', '/stats/overview');
});

it('answers the growth series (90 and 730 days)', async () => {
  await measure('GET /stats/growth?days=90', '/stats/growth?days=90');
  await measure('GET /stats/growth?days=730', '/stats/growth?days=730');
});

it('exports the CSV (365 days)', async () => {
  await measure('GET /stats/export.csv?days=365', '/stats/export.csv?days=365');
});
