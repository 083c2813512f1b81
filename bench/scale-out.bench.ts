/**
 * Scale-out, printed, never asserted (issue 12): 1, 2 and 4 worker processes (each a full
 * Strapi with `worker: true`, tests/support/worker-child.cjs) on one Redis and one database,
 * the web instance publishing with `worker: false`, the fake Cloud API in its own process.
 * 1. unthrottled throughput per worker count (first to last send at the fake);
 * 2. pacing across processes at a set rate (BENCH_PACED_RATE, default 400/s): the busiest
 *    sliding second at the fake must stay ≤ the rate, however many processes send.
 * Run on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx vitest run --config bench/vitest.config.ts bench/scale-out.bench.ts
 */
import os from 'node:os';
import { afterAll, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../tests/support/strapi';
import { WHATSAPP } from '../tests/support/whatsapp';

// Without `businessAccountId` the plugin reads no messaging tier from the fake, so `dailyRecipientLimit` below applies.
const { businessAccountId: _businessAccountId, ...WHATSAPP_SENDER } = WHATSAPP;
import { startWorkerProcess, type WorkerProcess } from '../tests/support/worker-process';
import { seedActiveSubscribers } from './seed';
import { busiestSecond, load, startFakeProcess, type FakeProcess } from './support/fake-cloud-api-process';

const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const MESSAGES = Number(process.env.BENCH_SCALE_MESSAGES ?? 6_000);
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

let test: TestStrapi | undefined;
let fake: FakeProcess | undefined;
const workers: WorkerProcess[] = [];
afterAll(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  await test?.close();
  await fake?.close();
});

it(`scale-out: ${WORKER_COUNTS.join(', ')} worker processes, ${MESSAGES.toLocaleString('en')} messages each run`, async () => {
  fake = await startFakeProcess();
  test = await bootStrapi({
    pluginConfig: {
      worker: false,
      channels: { whatsapp: { ...WHATSAPP_SENDER, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion, messagesPerSecond: 100_000, dailyRecipientLimit: 10_000_000 } },
      broadcast: { deliveryConcurrency: CONCURRENCY },
    },
  });
  if (test.dialect === 'sqlite') await test.strapi.db.connection.raw('PRAGMA journal_mode = WAL');
  await seedActiveSubscribers(test, MESSAGES);
  const base = JSON.parse(process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG as string) as { channels: { whatsapp: Record<string, unknown> } } & Record<string, unknown>;
  const workerEnv = (rate: number) => ({
    TOWN_CRIER_TEST_PLUGIN_CONFIG: JSON.stringify({ ...base, worker: true, channels: { ...base.channels, whatsapp: { ...base.channels.whatsapp, messagesPerSecond: rate } } }),
  });
  const lines: string[] = [];
  let run = 0;
  const broadcast = async (count: number, rate: number) => {
    for (const worker of workers.splice(0)) await worker.stop();
    workers.push(...(await Promise.all(Array.from({ length: count }, () => startWorkerProcess(workerEnv(rate), { timeoutMs: 300_000 })))));
    await fake!.reset();
    run += 1;
    await test!.strapi.documents('plugin::town-crier.announcement').create({
      data: { title: `Skalierung ${run}`, text: 'Details auf der Website.', url: 'https://musterstadt.de/news/bench', urgency: 'emergency' },
      status: 'published',
    } as never);
    await eventually(async () => (await fake!.count()) >= MESSAGES, { timeoutMs: 30 * 60_000, intervalMs: 100 });
    const sends = await fake!.sends();
    const times = sends.map(([at]) => at).sort((a, b) => a - b);
    return {
      rate: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000),
      busiest: busiestSecond(times),
      distinct: new Set(sends.map(([, to]) => to)).size,
      total: sends.length,
    };
  };

  for (const count of WORKER_COUNTS) {
    const free = await broadcast(count, 100_000);
    const line = `${count} worker process${count > 1 ? 'es' : ''}: unthrottled ${free.rate.toFixed(0)} messages/s (${free.total} sends, ${free.distinct} distinct); load average ${load()}`;
    console.log(line);
    lines.push(line);
    const paced = await broadcast(count, PACED_RATE);
    const pacedLine = `${count} worker process${count > 1 ? 'es' : ''}: at ${PACED_RATE}/s busiest sliding second ${paced.busiest} (must be ≤ ${PACED_RATE}), average ${paced.rate.toFixed(1)}/s (${paced.total} sends, ${paced.distinct} distinct); load average ${load()}`;
    console.log(pacedLine);
    lines.push(pacedLine);
  }
  console.log(
    [`scale-out [${test.dialect}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), deliveryConcurrency ${CONCURRENCY} per process]:`, ...lines.map((entry) => `  ${entry}`)].join('\n')
  );
});
