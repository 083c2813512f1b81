import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, WHATSAPP } from '../support/whatsapp';
import { publishArticle, seedSubscriber } from '../support/seed';
import { receivedPerRecipient } from '../support/exactly-once';
import { LAUNCHER, startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/**
 * The plugin's worker launcher (bin/town-crier-worker.cjs), as a town runs it beside a web
 * instance with `worker: false`: it works the jobs although the config file says `worker: false`,
 * and it runs Strapi under its own V8 heap limits unless it was started with one.
 */
describe('the worker launcher', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  const workers: WorkerProcess[] = [];
  let env: Record<string, string>;

  const argsOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({
      pluginConfig: {
        worker: false,
        channels: { whatsapp: { ...WHATSAPP, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion, messagesPerSecond: 1000, dailyRecipientLimit: 100_000 } },
      },
    });
    if (test.dialect === 'sqlite') await test.strapi.db.connection.raw('PRAGMA journal_mode = WAL');
    for (const address of ['+4915133300001', '+4915133300002', '+4915133300003']) await seedSubscriber(test, address);
    // The web instance's own config, `worker: false` included: the launcher overrides it.
    env = { TOWN_CRIER_TEST_PLUGIN_CONFIG: process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG as string };
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await test?.close();
    await fake?.close();
  });

  it('starts itself again with its heap limits and works the jobs the web instance publishes', async () => {
    const worker = await startWorkerProcess({ ...env, NODE_OPTIONS: '' }, LAUNCHER);
    workers.push(worker);
    expect(worker.workerPid).not.toBe(worker.pid);
    expect(argsOf(worker.workerPid)).toEqual(expect.arrayContaining(['--max-old-space-size=192', '--max-semi-space-size=8']));

    const title = 'Straßensperrung am Markt';
    await publishArticle(test, { title });
    await eventually(async () => receivedPerRecipient(fake, title).size >= 3, { timeoutMs: 60_000 });
    expect(Object.fromEntries(receivedPerRecipient(fake, title))).toEqual({ '4915133300001': 1, '4915133300002': 1, '4915133300003': 1 });

    await worker.stop();
    // SIGTERM reaches the worker through the supervising process: both are gone.
    expect(() => process.kill(worker.workerPid, 0)).toThrow();
  });

  it('runs in one process, under the caller\'s limit, when started with a heap limit of its own', async () => {
    const worker = await startWorkerProcess({ ...env, NODE_OPTIONS: '--max-old-space-size=300' }, LAUNCHER);
    workers.push(worker);
    expect(worker.workerPid).toBe(worker.pid);
    expect(argsOf(worker.pid)).not.toContain('--max-old-space-size=192');
  });
});
