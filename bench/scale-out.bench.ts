/**
 * Scale-out, printed (issues 12 and 26): 1, 2 and 4 worker processes (each a full Strapi with
 * `worker: true`, tests/support/worker-child.cjs) on one Redis and one database, the web instance
 * publishing with `worker: false`, the fake Cloud API in its own process. Each run sends one
 * broadcast paced at Meta's ceiling (BENCH_PACED_RATE, default 1,000/s) and prints messages/s,
 * the busiest sliding second, p50/p99 send latency (each provider request from `http.request` to
 * the answer's headers, as the workers' event loops saw it), each worker's peak RSS (VmHWM), and on
 * PostgreSQL the statements (transactions) and rows touched per message across all processes.
 * BENCH_SCALE_UNTHROTTLED=1 adds an unthrottled run per worker count.
 *
 * The one assertion is correctness, not time: every broadcast reaches each subscriber exactly
 * once (as many sends as subscribers, all to distinct numbers, every delivery row `sent`, and no
 * further send once the queues are drained).
 *
 * Run: npm run bench -- bench/scale-out.bench.ts (SQLite), with DATABASE_URL=postgres://… for PostgreSQL.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../tests/support/strapi';
import { drained } from '../tests/support/drained';
import { WHATSAPP } from '../tests/support/whatsapp';

// Without `businessAccountId` the plugin reads no messaging tier from the fake, so `dailyRecipientLimit` below applies.
const { businessAccountId: _businessAccountId, ...WHATSAPP_SENDER } = WHATSAPP;
import { startWorkerProcess, type WorkerProcess } from '../tests/support/worker-process';
import { seedActiveSubscribers } from './seed';
import { busiestSecond, load, startFakeProcess, type FakeProcess } from './support/fake-cloud-api-process';
import { percentile } from './support/percentile';
import { memoryOf } from './support/process-memory';

const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const MESSAGES = Number(process.env.BENCH_SCALE_MESSAGES ?? 6_000);
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 1_000);
const UNTHROTTLED = process.env.BENCH_SCALE_UNTHROTTLED === '1';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

let test: TestStrapi | undefined;
let fake: FakeProcess | undefined;
const workers: WorkerProcess[] = [];
afterAll(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  await test?.close();
  await fake?.close();
});

const peakRssMb = (pid: number) => Math.round(memoryOf(pid, 'VmHWM') / 1024 / 1024);

it(`scale-out: ${WORKER_COUNTS.join(', ')} worker processes, ${MESSAGES.toLocaleString('en')} messages each run at ${PACED_RATE}/s`, async () => {
  fake = await startFakeProcess();
  test = await bootStrapi({
    pluginConfig: {
      worker: false,
      channels: { whatsapp: { ...WHATSAPP_SENDER, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion, messagesPerSecond: 100_000, dailyRecipientLimit: 10_000_000 } },
      broadcast: { deliveryConcurrency: CONCURRENCY },
    },
  });
  const app = test;
  if (app.dialect === 'sqlite') await app.strapi.db.connection.raw('PRAGMA journal_mode = WAL');
  await seedActiveSubscribers(app, MESSAGES);
  const knex = app.strapi.db.connection;
  const deliveries = app.strapi.db.metadata.get('plugin::town-crier.delivery').tableName;
  const base = JSON.parse(process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG as string) as { channels: { whatsapp: Record<string, unknown> } } & Record<string, unknown>;
  const latencyDir = mkdtempSync(path.join(os.tmpdir(), 'tc-latency-'));
  const workerEnv = (rate: number) => ({
    TOWN_CRIER_TEST_PLUGIN_CONFIG: JSON.stringify({ ...base, worker: true, channels: { ...base.channels, whatsapp: { ...base.channels.whatsapp, messagesPerSecond: rate } } }),
    BENCH_SEND_LATENCY_DIR: latencyDir,
  });
  // PostgreSQL: statements across every process (each one a transaction of its own) and rows touched.
  const pgCounters = async () =>
    app.dialect === 'postgres'
      ? ((await knex.raw(
          `SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()) AS statements,
                  (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = ?) AS updated,
                  (SELECT coalesce(idx_tup_fetch, 0) + seq_tup_read FROM pg_stat_user_tables WHERE relname = ?) AS read`,
          [deliveries, deliveries]
        )) as { rows: Array<Record<string, string>> }).rows[0]
      : undefined;
  // PostgreSQL reports a backend's counters when its transaction ends, at most once a second.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

  const lines: string[] = [];
  let run = 0;
  const broadcast = async (count: number, rate: number) => {
    for (const worker of workers.splice(0)) await worker.stop();
    workers.push(...(await Promise.all(Array.from({ length: count }, () => startWorkerProcess(workerEnv(rate), { timeoutMs: 300_000 })))));
    await fake!.reset();
    await settle();
    const before = await pgCounters();
    run += 1;
    const created = (await app.strapi.documents('plugin::town-crier.announcement').create({
      data: { title: `Skalierung ${run}`, text: 'Details auf der Website.', url: 'https://musterstadt.de/news/bench', urgency: 'emergency' },
      status: 'published',
    } as never)) as { documentId: string };
    await eventually(async () => (await fake!.count()) >= MESSAGES, { timeoutMs: 30 * 60_000, intervalMs: 100 });
    // Exactly once: the rows all say `sent`, the queues have nothing left, and the fake saw each number once.
    const sentRows = async () =>
      Number(((await knex(deliveries).where({ announcement_document_id: created.documentId, status: 'sent' }).count({ n: '*' })) as Array<{ n: number | string }>)[0].n);
    await eventually(async () => (await sentRows()) >= MESSAGES, { timeoutMs: 5 * 60_000, intervalMs: 100 });
    await drained(app, { timeoutMs: 120_000 });
    await settle();
    const after = await pgCounters();
    const sends = await fake!.sends();
    const distinct = new Set(sends.map(([, to]) => to)).size;
    expect(sends.length, 'sends at the fake: each subscriber once, none twice').toBe(MESSAGES);
    expect(distinct, 'distinct recipients at the fake: nobody missed').toBe(MESSAGES);
    // After the drain: no row left `sent` again for a retry meanwhile (the wait above only saw the count reached once).
    expect(await sentRows(), 'delivery rows still sent after the queues drained').toBe(MESSAGES);

    const rss = workers.map((worker) => peakRssMb(worker.workerPid));
    for (const worker of workers.splice(0)) await worker.stop();
    const latencies = readdirSync(latencyDir)
      .flatMap((file) => JSON.parse(readFileSync(path.join(latencyDir, file), 'utf8')) as number[])
      .sort((a, b) => a - b);
    for (const file of readdirSync(latencyDir)) rmSync(path.join(latencyDir, file));
    const times = sends.map(([at]) => at).sort((a, b) => a - b);
    const perMessage = (field: string) => (before && after ? ((Number(after[field]) - Number(before[field])) / MESSAGES).toFixed(2) : '–');
    return {
      rate: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000),
      busiest: busiestSecond(times),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      rss,
      sql: app.dialect === 'postgres' ? `; per message ${perMessage('statements')} statements, ${perMessage('updated')} delivery rows updated, ${perMessage('read')} read (all processes)` : '',
    };
  };

  for (const count of WORKER_COUNTS) {
    for (const rate of UNTHROTTLED ? [PACED_RATE, 100_000] : [PACED_RATE]) {
      const result = await broadcast(count, rate);
      const line =
        `${count} worker process${count > 1 ? 'es' : ' '} at ${rate >= 100_000 ? 'no pace' : `${rate}/s`}: ${result.rate.toFixed(0)} messages/s, busiest second ${result.busiest}, ` +
        `send latency p50 ${result.p50.toFixed(1)} ms / p99 ${result.p99.toFixed(1)} ms, peak RSS ${result.rss.map((mb) => `${mb} MB`).join(' + ')}${result.sql}; exactly once ✓; load average ${load()}`;
      console.log(line);
      lines.push(line);
    }
  }
  console.log(
    [
      `scale-out [${app.dialect}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${MESSAGES.toLocaleString('en')} messages a run, deliveryConcurrency ${CONCURRENCY} per process]:`,
      ...lines.map((entry) => `  ${entry}`),
    ].join('\n')
  );
});
