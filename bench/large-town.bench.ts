/**
 * Figures for large towns, printed, never asserted:
 * 1. 100,000 subscribers (BENCH_SUBSCRIBERS): a split deployment, the web instance publishing with
 *    `worker: false` and the plugin's own worker launcher (bin/town-crier-worker.cjs, its default
 *    heap limits) in its own process. Per run: publish → first message at the fake Cloud API
 *    (80/s, as Meta by default), fan-out time, and the worker's peak resident memory (VmHWM,
 *    target < 300 MB), BENCH_RUNS runs (default 3) on the same data, a fresh worker each.
 *    BENCH_WORKER=node starts the bare test worker instead (Node's default heap, plus
 *    BENCH_WORKER_NODE_OPTIONS if given), for the comparison.
 * 2. BENCH_MILLION=1, PostgreSQL only (DATABASE_URL): 1,000,000 subscribers seeded with set-based
 *    SQL, the same publish → first message / fan-out / peak memory, then 10,000,000 delivery
 *    records and the admin statistics (target < 100 ms a request), with the slowest SQL of one
 *    overview request. It loads the machine for several minutes: run it alone.
 * Every figure is printed with the load average: the project machine is shared.
 * Run: npx vitest run --config bench/vitest.config.ts bench/large-town.bench.ts
 */
import os from 'node:os';
import { afterAll, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../tests/support/strapi';
import { startFakeWhatsappCloudApi, type FakeCloudApi } from '../tests/support/fake-whatsapp-cloud-api';
import { WHATSAPP } from '../tests/support/whatsapp';
import { LAUNCHER, startWorkerProcess, type WorkerProcess } from '../tests/support/worker-process';
import { seedActiveSubscribers, seedTownSql, seedDeliveriesSql } from './seed';
import { percentile } from './support/percentile';
import { memoryOf } from './support/process-memory';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MILLION = process.env.BENCH_MILLION === '1';
const WORKER = process.env.BENCH_WORKER ?? 'launcher';
/** BENCH_MILLION_SUBSCRIBERS / BENCH_MILLION_DELIVERIES shrink the large town for a dry run of the SQL. */
const BIG_TOWN = Number(process.env.BENCH_MILLION_SUBSCRIBERS ?? 1_000_000);
const BIG_DELIVERIES = Number(process.env.BENCH_MILLION_DELIVERIES ?? 10_000_000);
/**
 * How long the worker keeps going after the fan-out before its peak is read: long enough for
 * one round of the reconciler at its production default (60 s), which lists the queue's jobs.
 */
const HOLD_SECONDS = Number(process.env.BENCH_HOLD_SECONDS ?? 65);

let test: TestStrapi | undefined;
let fake: FakeCloudApi | undefined;
afterAll(async () => {
  await test?.close();
  await fake?.close();
});

/** 0 means the process had already ended (a zombie's status has no memory lines): say so instead. */
const mb = (bytes: number) => (bytes ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : 'unknown: the worker had exited (out of memory? see its output above)');
const load = () => `load ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} on ${os.cpus().length} cores`;
const templateSends = (api: FakeCloudApi) => api.requests.filter((request) => (request.body as { type?: string } | undefined)?.type === 'template');
const summary = (values: number[], unit: string, digits = 0) =>
  `min ${Math.min(...values).toFixed(digits)} / median ${percentile(values, 50).toFixed(digits)} / max ${Math.max(...values).toFixed(digits)} ${unit}`;

async function bootWebInstance() {
  fake = await startFakeWhatsappCloudApi({ accessToken: WHATSAPP.accessToken, phoneNumberId: WHATSAPP.phoneNumberId });
  // A large sender's account: sending goes on during and after the fan-out (TIER_250 would stop it at 250).
  fake.setMessagingLimit('TIER_UNLIMITED');
  test = await bootStrapi({
    pluginConfig: {
      worker: false,
      // The production default (the tests' 3600 s would keep the reconciler out of the measurement).
      broadcast: { reconcileEverySeconds: 60 },
      channels: { whatsapp: { ...WHATSAPP, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion, dailyRecipientLimit: 10_000_000, messagesPerSecond: 80 } },
    },
  });
  return { app: test, api: fake };
}

/** The worker as a town runs it: the launcher with its defaults (or the bare test worker, BENCH_WORKER=node). */
async function startWorker(): Promise<WorkerProcess> {
  // The web instance's config says `worker: false`; the launcher makes its own process a worker regardless.
  const env = { TOWN_CRIER_TEST_PLUGIN_CONFIG: process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG as string };
  if (WORKER === 'node') {
    const pluginConfig = JSON.parse(env.TOWN_CRIER_TEST_PLUGIN_CONFIG) as Record<string, unknown>;
    return startWorkerProcess({
      TOWN_CRIER_TEST_PLUGIN_CONFIG: JSON.stringify({ ...pluginConfig, worker: true }),
      ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
    });
  }
  return startWorkerProcess(env, LAUNCHER);
}

const workerLabel = () =>
  WORKER === 'node'
    ? `bare node worker${process.env.BENCH_WORKER_NODE_OPTIONS ? ` with ${process.env.BENCH_WORKER_NODE_OPTIONS}` : " (Node's default heap)"}`
    : `bin/town-crier-worker.cjs${process.env.TOWN_CRIER_WORKER_HEAP_MB || process.env.TOWN_CRIER_WORKER_SEMI_SPACE_MB ? ` (heap ${process.env.TOWN_CRIER_WORKER_HEAP_MB ?? 'default'} MB, semi-space ${process.env.TOWN_CRIER_WORKER_SEMI_SPACE_MB ?? 'default'} MB)` : ' (its defaults)'}`;

/** One publish with a fresh worker: first message, fan-out done, the worker's peak memory. */
async function publishAndMeasure(app: TestStrapi, api: FakeCloudApi, title: string) {
  api.reset();
  const worker = await startWorker();
  try {
    const rssAtBoot = memoryOf(worker.workerPid, 'VmRSS');
    const started = performance.now();
    const created = (await app.strapi.documents('plugin::town-crier.announcement').create({
      data: { title, text: `${title}: Details auf der Website.`, url: 'https://musterstadt.de/news/bench', urgency: 'emergency' },
      status: 'published',
    } as never)) as { documentId: string };
    await eventually(async () => templateSends(api).length > 0, { timeoutMs: 120_000, intervalMs: 5 });
    const firstMessageMs = templateSends(api)[0].receivedAt - started;
    await eventually(
      async () => {
        const row = await app.strapi.db.query('plugin::town-crier.announcement').findOne({ where: { documentId: created.documentId, publishedAt: { $notNull: true } } });
        return row?.fanOutDoneAt;
      },
      { timeoutMs: 60 * 60_000, intervalMs: 200 }
    );
    const fanOutSeconds = (performance.now() - started) / 1000;
    const sentByFanOutDone = templateSends(api).length;
    await new Promise((resolve) => setTimeout(resolve, HOLD_SECONDS * 1000));
    const peak = memoryOf(worker.workerPid, 'VmHWM');
    const supervisor = worker.workerPid !== worker.pid ? memoryOf(worker.pid, 'VmHWM') : 0;
    return { documentId: created.documentId, firstMessageMs, fanOutSeconds, rssAtBoot, peak, supervisor, sentByFanOutDone, sent: templateSends(api).length };
  } finally {
    await worker.stop();
  }
}

it(`a town of ${SUBSCRIBERS.toLocaleString('en')}: worker peak memory, ${RUNS} runs`, async () => {
  if (MILLION) return;
  const { app, api } = await bootWebInstance();
  await seedActiveSubscribers(app, SUBSCRIBERS);
  const runtime = app.strapi.plugin('town-crier').service('runtime') as { queue(): { counts(q: string): Promise<unknown>; obliterate(): Promise<void> } };
  const dispatch = app.strapi.plugin('town-crier').service('dispatch') as { cancel(documentId: string): Promise<unknown> };
  const results = [];
  for (let run = 1; run <= RUNS; run += 1) {
    const result = await publishAndMeasure(app, api, `Großstadt ${run}`);
    results.push(result);
    console.log(
      `large town run ${run} [${app.dialect}, ${workerLabel()}]: publish → first message ${result.firstMessageMs.toFixed(0)} ms; fan-out of ${SUBSCRIBERS.toLocaleString('en')} done in ${result.fanOutSeconds.toFixed(1)} s (${result.sentByFanOutDone} sent by then, ${result.sent} ${HOLD_SECONDS} s later); ` +
        `worker RSS ${mb(result.rssAtBoot)} after boot, peak (VmHWM) ${mb(result.peak)}${result.supervisor ? `; launcher's supervising process ${mb(result.supervisor)}` : ''} [${load()}]`
    );
    // The next run starts clean: this broadcast's rest is cancelled and its jobs removed.
    await dispatch.cancel(result.documentId);
    await runtime.queue().counts('whatsapp');
    await runtime.queue().obliterate();
  }
  console.log(
    `large town [${app.dialect}, ${workerLabel()}], ${RUNS} runs: worker peak ${summary(results.map((r) => r.peak / 1048576), 'MB')} (target < 300 MB); ` +
      `first message ${summary(results.map((r) => r.firstMessageMs), 'ms')}; fan-out ${summary(results.map((r) => r.fanOutSeconds), 's', 1)}`
  );
});

it('a town of 1,000,000 on PostgreSQL (BENCH_MILLION=1)', async () => {
  if (!MILLION) return;
  if (!process.env.DATABASE_URL) throw new Error('BENCH_MILLION needs PostgreSQL: set DATABASE_URL');
  const { app, api } = await bootWebInstance();
  let started = performance.now();
  const town = await seedTownSql(app, BIG_TOWN);
  console.log(`seeded ${town.subscribers.toLocaleString('en')} subscribers (${town.active.toLocaleString('en')} active), ${town.links.toLocaleString('en')} topic links in ${((performance.now() - started) / 1000).toFixed(0)} s [${load()}]`);

  // BENCH_MILLION_SKIP_FANOUT=1 measures only the statistics (their SQL is what changes most often).
  const result = process.env.BENCH_MILLION_SKIP_FANOUT === '1' ? null : await publishAndMeasure(app, api, 'Landkreis');
  if (result) console.log(
    `town of ${BIG_TOWN.toLocaleString('en')} [postgres, ${workerLabel()}]: publish → first message ${result.firstMessageMs.toFixed(0)} ms; fan-out of ${town.active.toLocaleString('en')} deliveries done in ${result.fanOutSeconds.toFixed(1)} s ` +
      `(${Math.round(town.active / result.fanOutSeconds).toLocaleString('en')}/s; ${result.sentByFanOutDone} sent by then, ${result.sent} ${HOLD_SECONDS} s later); worker RSS ${mb(result.rssAtBoot)} after boot, peak (VmHWM, fan-out + ${HOLD_SECONDS} s of sending) ${mb(result.peak)}` +
      `${result.supervisor ? `; launcher's supervising process ${mb(result.supervisor)}` : ''} [${load()}]`
  );

  started = performance.now();
  const deliveries = await seedDeliveriesSql(app, BIG_DELIVERIES, 200);
  console.log(`seeded ${deliveries.toLocaleString('en')} more delivery records for 200 past broadcasts, VACUUM ANALYZE, in ${((performance.now() - started) / 1000).toFixed(0)} s [${load()}]`);

  const token = await createSuperAdmin(app);
  for (const [label, path] of [
    ['GET /stats/overview', '/stats/overview'],
    ['GET /stats/growth?days=90', '/stats/growth?days=90'],
    ['GET /stats/growth?days=730', '/stats/growth?days=730'],
    ['GET /stats/export.csv?days=365', '/stats/export.csv?days=365'],
  ]) {
    const wall: number[] = [];
    for (let run = 0; run < 12; run += 1) {
      const at = performance.now();
      const response = await app.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`);
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      // The first two warm caches and the planner; a dashboard is opened more than once.
      if (run >= 2) wall.push(performance.now() - at);
    }
    console.log(`${label} at ${BIG_TOWN.toLocaleString('en')} subscribers / ${(deliveries + (result ? town.active : 0)).toLocaleString('en')} deliveries: wall median ${percentile(wall, 50).toFixed(1)} ms, p95 ${percentile(wall, 95).toFixed(1)} ms over ${wall.length} requests (target < 100 ms; a large town's answer is reused for stats.cache.seconds) [${load()}]`);
  }
  // What one fresh count costs (the first request, and one request per stats.cache.seconds).
  const stats = app.strapi.plugin('town-crier').service('stats') as { countOverview(now: Date): Promise<unknown>; countGrowth(days: number, now: Date): Promise<unknown> };
  for (const [label, count] of [
    ['overview counted afresh', () => stats.countOverview(new Date())],
    ['growth 90 days counted afresh', () => stats.countGrowth(90, new Date())],
    ['growth 730 days counted afresh', () => stats.countGrowth(730, new Date())],
  ] as Array<[string, () => Promise<unknown>]>) {
    const wall: number[] = [];
    for (let run = 0; run < 5; run += 1) {
      const at = performance.now();
      await count();
      if (run >= 1) wall.push(performance.now() - at);
    }
    console.log(`${label}: median ${percentile(wall, 50).toFixed(0)} ms, max ${Math.max(...wall).toFixed(0)} ms over ${wall.length} counts [${load()}]`);
  }

  // The profile: every SQL statement of one overview request, slowest first.
  const knex = app.strapi.db.connection;
  const timings = new Map<string, { sql: string; at: number; ms?: number }>();
  const onQuery = (query: { __knexQueryUid: string; sql: string }) => timings.set(query.__knexQueryUid, { sql: query.sql, at: performance.now() });
  const onResponse = (_: unknown, query: { __knexQueryUid: string }) => {
    const entry = timings.get(query.__knexQueryUid);
    if (entry) entry.ms = performance.now() - entry.at;
  };
  knex.on('query', onQuery).on('query-response', onResponse);
  await app.request.get('/town-crier/stats/overview').set('Authorization', `Bearer ${token}`);
  knex.removeListener('query', onQuery).removeListener('query-response', onResponse);
  const slowest = [...timings.values()].filter((entry) => entry.ms !== undefined).sort((a, b) => (b.ms as number) - (a.ms as number)).slice(0, 6);
  console.log(`overview's slowest statements (of ${timings.size}, concurrent ones overlap):\n${slowest.map((entry) => `  ${(entry.ms as number).toFixed(1)} ms  ${entry.sql.slice(0, 220)}`).join('\n')}`);
}, 120 * 60_000);
