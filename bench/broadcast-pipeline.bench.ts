/**
 * Figures for the broadcast pipeline, printed, never asserted (targets from issue 5):
 * 1. unthrottled throughput of publish → fan-out → bull → adapter → fake Cloud API, side by side
 *    with plain axios calls to the same fake (target: ≥ 0.75 of plain and ≥ 1,000 messages/s);
 * 2. pacing accuracy at 80 messages/s (target: no one-second window above 80, average ≥ 76);
 * 3. 100,000 subscribers: publish → first message (target < 1 s) and the worker's peak memory (target < 300 MB).
 * Run: npm run bench (SQLite) or DATABASE_URL=postgres://… npm run bench (PostgreSQL).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import axios from 'axios';
import { afterAll, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../tests/support/strapi';
import { startFakeWhatsappCloudApi, type FakeCloudApi } from '../tests/support/fake-whatsapp-cloud-api';
import { WHATSAPP } from '../tests/support/whatsapp';
import { startWorkerProcess } from '../tests/support/worker-process';
import { seedActiveSubscribers } from './seed';

const THROUGHPUT_MESSAGES = Number(process.env.BENCH_THROUGHPUT_MESSAGES ?? 5_000);
const PACED_MESSAGES = Number(process.env.BENCH_PACED_MESSAGES ?? 1_600);
const LARGE_TOWN = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

let test: TestStrapi | undefined;
let fake: FakeCloudApi | undefined;
afterAll(async () => {
  await test?.close();
  await fake?.close();
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const templateSends = (api: FakeCloudApi) => api.requests.filter((request) => (request.body as { type?: string } | undefined)?.type === 'template');

async function bootWith(pluginConfig: Record<string, unknown>) {
  await test?.close();
  await fake?.close();
  fake = await startFakeWhatsappCloudApi({ accessToken: WHATSAPP.accessToken, phoneNumberId: WHATSAPP.phoneNumberId });
  test = await bootStrapi({
    pluginConfig: {
      ...(pluginConfig.worker === false ? { worker: false } : {}),
      channels: { whatsapp: { ...WHATSAPP, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion, dailyRecipientLimit: 10_000_000, ...(pluginConfig.whatsapp as object) } },
      broadcast: { deliveryConcurrency: CONCURRENCY },
    },
  });
  return { test, fake };
}

async function publishAnnouncement(target: TestStrapi, title: string) {
  return (await target.strapi.documents('plugin::town-crier.announcement').create({
    data: { title, text: `${title}: Details auf der Website.`, url: 'https://musterstadt.de/news/bench', urgency: 'emergency' },
    status: 'published',
  } as never)) as { documentId: string };
}

it(`throughput: ${THROUGHPUT_MESSAGES.toLocaleString('en')} messages through the pipeline vs plain axios`, async () => {
  const { test: app, fake: api } = await bootWith({ whatsapp: { messagesPerSecond: 100_000 } });
  await seedActiveSubscribers(app, THROUGHPUT_MESSAGES);

  // Plain axios: the same request bodies, the same concurrency, a keep-alive agent; no database, no queue.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const client = axios.create({ baseURL: api.baseUrl, httpAgent: agent, headers: { Authorization: `Bearer ${WHATSAPP.accessToken}` } });
  const body = (i: number) => ({
    messaging_product: 'whatsapp',
    to: `4915${100_000_000 + i}`,
    type: 'template',
    template: { name: 'town_news', language: { code: 'de' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Benchmark' }] }] },
  });
  let next = 0;
  const plainStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < THROUGHPUT_MESSAGES) {
        const i = next++;
        await client.post(`/${api.apiVersion}/${WHATSAPP.phoneNumberId}/messages`, body(i));
      }
    })
  );
  const plainRate = THROUGHPUT_MESSAGES / ((performance.now() - plainStarted) / 1000);
  agent.destroy();
  api.reset();

  const started = performance.now();
  await publishAnnouncement(app, 'Durchsatz');
  await eventually(async () => templateSends(api).length >= THROUGHPUT_MESSAGES, { timeoutMs: 30 * 60_000, intervalMs: 100 });
  const sends = templateSends(api);
  const first = sends[0].receivedAt;
  const last = sends[sends.length - 1].receivedAt;
  const pipelineRate = (sends.length - 1) / ((last - first) / 1000);
  const endToEnd = sends.length / ((last - started) / 1000);
  const distinct = new Set(sends.map((request) => (request.body as { to: string }).to)).size;
  console.log(
    [
      `throughput [${app.dialect}, concurrency ${CONCURRENCY}]:`,
      `  plain axios       ${plainRate.toFixed(0)} messages/s`,
      `  pipeline          ${pipelineRate.toFixed(0)} messages/s (first to last send), ${endToEnd.toFixed(0)}/s including publish and fan-out`,
      `  ratio             ${(pipelineRate / plainRate).toFixed(2)} (target ≥ 0.75; ≥ 1,000 messages/s)`,
      `  sent ${sends.length} requests to ${distinct} distinct numbers (expected ${THROUGHPUT_MESSAGES} each)`,
    ].join('\n')
  );
});

it(`pacing: ${PACED_MESSAGES.toLocaleString('en')} messages at 80/s`, async () => {
  const { test: app, fake: api } = await bootWith({ whatsapp: { messagesPerSecond: 80 } });
  await seedActiveSubscribers(app, PACED_MESSAGES);
  await publishAnnouncement(app, 'Takt');
  await eventually(async () => templateSends(api).length >= PACED_MESSAGES, { timeoutMs: 10 * 60_000, intervalMs: 200 });
  const times = templateSends(api).map((request) => request.receivedAt);
  // Busiest one-second window anywhere (sliding, not aligned to clock seconds).
  let busiest = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi += 1) {
    while (times[hi] - times[lo] >= 1000) lo += 1;
    busiest = Math.max(busiest, hi - lo + 1);
  }
  const average = (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
  console.log(`pacing [${app.dialect}]: configured 80/s → busiest one-second window ${busiest} (target ≤ 80), average ${average.toFixed(1)}/s (target ≥ 76) over ${times.length} messages`);
});

it(`a town of ${LARGE_TOWN.toLocaleString('en')}: publish → first message, worker memory`, async () => {
  // The worker is its own process, as in production with `worker: false` on the web instance:
  // its peak resident memory (VmHWM) is the worker's alone, not the benchmark's.
  const { test: app, fake: api } = await bootWith({ worker: false, whatsapp: { messagesPerSecond: 80 } });
  await seedActiveSubscribers(app, LARGE_TOWN);
  const pluginConfig = JSON.parse(process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG as string) as Record<string, unknown>;
  // BENCH_WORKER_NODE_OPTIONS (e.g. --max-old-space-size=192) shows what a heap cap does to the peak.
  const worker = await startWorkerProcess({
    TOWN_CRIER_TEST_PLUGIN_CONFIG: JSON.stringify({ ...pluginConfig, worker: true }),
    ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
  });
  const memory = (field: 'VmRSS' | 'VmHWM') => {
    const line = readFileSync(`/proc/${worker.pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith(field));
    return Number(line?.replace(/\D/g, '') ?? 0) * 1024;
  };
  try {
    const rssAtBoot = memory('VmRSS');
    const started = performance.now();
    const created = await publishAnnouncement(app, 'Großstadt');
    await eventually(async () => templateSends(api).length > 0, { timeoutMs: 60_000, intervalMs: 5 });
    const firstMessageMs = templateSends(api)[0].receivedAt - started;
    await eventually(
      async () => {
        const row = await app.strapi.db.query('plugin::town-crier.announcement').findOne({ where: { documentId: created.documentId, publishedAt: { $notNull: true } } });
        return row?.fanOutDoneAt;
      },
      { timeoutMs: 30 * 60_000, intervalMs: 200 }
    );
    const fanOutSeconds = (performance.now() - started) / 1000;
    console.log(
      `large town [${app.dialect}]: publish → first message ${firstMessageMs.toFixed(0)} ms (target < 1,000 ms); fan-out of ${LARGE_TOWN.toLocaleString('en')} done in ${fanOutSeconds.toFixed(1)} s; ` +
        `worker process RSS ${mb(rssAtBoot)} after boot, peak ${mb(memory('VmHWM'))} (target < 300 MB)${process.env.BENCH_WORKER_NODE_OPTIONS ? ` with ${process.env.BENCH_WORKER_NODE_OPTIONS}` : ''}`
    );
  } finally {
    await worker.stop();
  }
});
