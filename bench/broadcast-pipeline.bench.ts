/**
 * Figures for the broadcast pipeline, printed, never asserted (targets from issue 5):
 * 1. unthrottled throughput of publish → fan-out → bull → adapter → fake Cloud API, side by side
 *    with plain axios calls to the same fake (target: ≥ 0.75 of plain and ≥ 1,000 messages/s),
 *    BENCH_RUNS times (default 3), min/median/max and the load average printed; the fake runs in
 *    its own process for both sides;
 * 2. pacing accuracy at 80 messages/s (target: no one-second window above 80, average ≥ 76);
 * 3. 100,000 subscribers: publish → first message (target < 1 s) and the worker's peak memory (target < 300 MB).
 * Run: npm run bench (SQLite) or DATABASE_URL=postgres://… npm run bench (PostgreSQL).
 * BENCH_PROFILE=1: a CPU profile of this process (Strapi and its worker) from publish to the last
 * send of the first throughput run, written to bench/results/ and summarised (bench/support/cpu-profile.ts),
 * with the OS's CPU time of this process, the fake, Redis and the PostgreSQL backends over the same
 * phase (bench/support/process-cpu.ts) and the SQL statements per message.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { afterAll, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../tests/support/strapi';
import { startFakeWhatsappCloudApi, type FakeCloudApi } from '../tests/support/fake-whatsapp-cloud-api';
import { WHATSAPP } from '../tests/support/whatsapp';

// Without `businessAccountId` the plugin reads no messaging tier from the fake, so `dailyRecipientLimit` below applies.
const { businessAccountId: _businessAccountId, ...WHATSAPP_SENDER } = WHATSAPP;
import { startWorkerProcess } from '../tests/support/worker-process';
import { seedActiveSubscribers } from './seed';
import { startCpuProfile, summarizeCpuProfile } from './support/cpu-profile';
import { pidsOf, startProcessCpu } from './support/process-cpu';
import { startSqlCensus } from './support/sql-census';
import { busiestSecond, load, spread, startFakeProcess, type FakeProcess } from './support/fake-cloud-api-process';

const THROUGHPUT_MESSAGES = Number(process.env.BENCH_THROUGHPUT_MESSAGES ?? 5_000);
const PACED_MESSAGES = Number(process.env.BENCH_PACED_MESSAGES ?? 1_600);
const LARGE_TOWN = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

let test: TestStrapi | undefined;
let fake: FakeCloudApi | undefined;
let fakeProcess: FakeProcess | undefined;
afterAll(async () => {
  await test?.close();
  await fake?.close();
  await fakeProcess?.close();
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const templateSends = (api: FakeCloudApi) => api.requests.filter((request) => (request.body as { type?: string } | undefined)?.type === 'template');

async function bootWith(pluginConfig: Record<string, unknown>) {
  await test?.close();
  await fake?.close();
  await fakeProcess?.close();
  fakeProcess = undefined;
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

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Boots Strapi against the fake Cloud API in its own process (both sides of the comparison talk to it over HTTP). */
async function bootWithFakeProcess(whatsapp: Record<string, unknown>) {
  await test?.close();
  await fake?.close();
  test = undefined;
  fake = undefined;
  await fakeProcess?.close();
  fakeProcess = await startFakeProcess();
  test = await bootStrapi({
    pluginConfig: {
      channels: { whatsapp: { ...WHATSAPP_SENDER, baseUrl: fakeProcess.baseUrl, apiVersion: fakeProcess.apiVersion, dailyRecipientLimit: 10_000_000, ...whatsapp } },
      broadcast: { deliveryConcurrency: CONCURRENCY, ...(process.env.BENCH_BATCH_SIZE ? { deliveryBatchSize: Number(process.env.BENCH_BATCH_SIZE) } : {}) },
    },
  });
  return { test, api: fakeProcess };
}

it(`throughput: ${THROUGHPUT_MESSAGES.toLocaleString('en')} messages through the pipeline vs plain axios, ${RUNS} runs`, async () => {
  const { test: app, api } = await bootWithFakeProcess({ messagesPerSecond: 100_000 });
  await seedActiveSubscribers(app, THROUGHPUT_MESSAGES);
  const body = (i: number) => ({
    messaging_product: 'whatsapp',
    to: `4915${100_000_000 + i}`,
    type: 'template',
    template: { name: 'town_news', language: { code: 'de' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Benchmark' }] }] },
  });
  const plain: number[] = [];
  const pipeline: number[] = [];
  const endToEnd: number[] = [];
  const ratios: number[] = [];
  const statementsPerMessage: number[] = [];
  for (let run = 1; run <= RUNS; run += 1) {
    // Plain axios: the same request bodies, the same concurrency, a keep-alive agent; no database, no queue.
    await api.reset();
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const client = axios.create({ baseURL: api.baseUrl, httpAgent: agent, headers: { Authorization: `Bearer ${WHATSAPP.accessToken}` } });
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
    await api.reset();

    // One run is profiled: its pipeline phase, not the plain-axios side or the seeding.
    const profiler = process.env.BENCH_PROFILE === '1' && run === 1 ? await startCpuProfile() : undefined;
    // Every run counts its SQL statements, pool waits and rows touched (load-independent; bench/support/sql-census.ts).
    const census = await startSqlCensus(app.strapi.db.connection, app.dialect, ['town_crier_deliveries', 'town_crier_subscribers']);
    // The sampled thread is not the whole process (libuv pool, GC helpers) nor the machine: the OS's CPU time per process says who used the cores.
    const database = process.env.TOWN_CRIER_TEST_DATABASE_URL ? new URL(process.env.TOWN_CRIER_TEST_DATABASE_URL).pathname.slice(1) : undefined;
    const processCpu = profiler
      ? startProcessCpu({
          'benchmark process': () => [process.pid],
          'fake Cloud API': () => [api.pid],
          ...(database ? { 'PostgreSQL backends of this database': () => pidsOf(` ${database} `) } : {}),
          'redis-server (shared)': () => pidsOf('redis-server'),
        })
      : undefined;
    const started = Date.now();
    await publishAnnouncement(app, `Durchsatz ${run}`);
    await eventually(async () => (await api.count()) >= THROUGHPUT_MESSAGES, { timeoutMs: 30 * 60_000, intervalMs: 100 });
    const profile = await profiler?.stop();
    const cpu = processCpu?.stop();
    const wallMs = Date.now() - started;
    const sends = await api.sends();
    const counted = await census.stop(sends.length);
    statementsPerMessage.push(counted.statementsPerMessage);
    console.log([`SQL census, throughput run ${run} [${app.dialect}], publish to last send; load average ${load()}`, ...counted.lines].map((line, i) => (i ? `  ${line}` : line)).join('\n'));
    if (profile) {
      const root = path.resolve(__dirname, '..');
      const file = path.join(root, 'bench', 'results', `throughput-${app.dialect}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      console.log(
        [
          `CPU profile, throughput run ${run} [${app.dialect}, concurrency ${CONCURRENCY}], publish to last send; load average ${load()}; Redis prefix ${app.prefix}; ${path.relative(root, file)}`,
          `CPU by process (OS, user + system, ms) in ${wallMs.toLocaleString('en')} ms wall on ${os.cpus().length} cores: ` +
            Object.entries(cpu?.used ?? {})
              .map(([name, ms]) => `${name} ${ms.toLocaleString('en')} (${(ms / sends.length).toFixed(2)}/message)`)
              .join(', ') +
            `; whole machine ${(cpu?.machine ?? 0).toLocaleString('en')}`,
          ...summarizeCpuProfile(profile, { messages: sends.length, root }),
        ].join('\n')
      );
    }
    const first = sends[0][0];
    const last = sends[sends.length - 1][0];
    const pipelineRate = (sends.length - 1) / ((last - first) / 1000);
    const distinct = new Set(sends.map(([, to]) => to)).size;
    plain.push(plainRate);
    pipeline.push(pipelineRate);
    endToEnd.push(sends.length / ((last - started) / 1000));
    ratios.push(pipelineRate / plainRate);
    console.log(
      `throughput run ${run} [${app.dialect}, concurrency ${CONCURRENCY}]: plain ${plainRate.toFixed(0)}/s, pipeline ${pipelineRate.toFixed(0)}/s, ratio ${(pipelineRate / plainRate).toFixed(2)}; ` +
        `${sends.length} sends to ${distinct} distinct numbers (expected ${THROUGHPUT_MESSAGES}); load average ${load()}`
    );
  }
  console.log(
    [
      `throughput [${app.dialect}, concurrency ${CONCURRENCY}, ${RUNS} runs, ${os.cpus().length} cores, fake Cloud API in its own process]:`,
      `  plain axios       ${spread(plain)} messages/s`,
      `  pipeline          ${spread(pipeline)} messages/s (first to last send)`,
      `  incl. publish     ${spread(endToEnd)} messages/s (publish to last send)`,
      `  ratio             ${spread(ratios, 2)} (target ≥ 0.75; ≥ 1,000 messages/s)`,
      `  SQL per message   ${spread(statementsPerMessage, 3)} statements (round trips)`,
      `  load average      ${load()} (1 / 5 / 15 min)`,
    ].join('\n')
  );
});

it(`pacing: ${PACED_MESSAGES.toLocaleString('en')} messages at 80/s`, async () => {
  const { test: app, api } = await bootWithFakeProcess({ messagesPerSecond: 80 });
  await seedActiveSubscribers(app, PACED_MESSAGES);
  await publishAnnouncement(app, 'Takt');
  await eventually(async () => (await api.count()) >= PACED_MESSAGES, { timeoutMs: 10 * 60_000, intervalMs: 200 });
  const times = (await api.sends()).map(([at]) => at).sort((a, b) => a - b);
  const busiest = busiestSecond(times);
  const average = (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
  console.log(
    `pacing [${app.dialect}]: configured 80/s → busiest one-second window ${busiest} (target ≤ 80), average ${average.toFixed(1)}/s (target ≥ 76) over ${times.length} messages; load average ${load()}`
  );
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
