import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, WHATSAPP } from '../support/whatsapp';
import { statusWebhook } from '../support/fake-whatsapp-cloud-api';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber } from '../support/seed';
import { checkExactlyOnce, digitsOf, receivedPerRecipient } from '../support/exactly-once';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/** Deliver jobs one worker process runs at once per channel (`broadcast.deliveryConcurrency`, set below). */
const CHANNEL_CONCURRENCY = 8;
const ACTIVE = 80;

/**
 * Crash test: this process publishes (`worker: false`); a separate worker process sends, is
 * killed with SIGKILL half way, and a new one finishes the broadcast. See "Crash and fault
 * tests" in docs/architecture.md.
 */
describe('a worker process killed mid-broadcast', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  const workers: WorkerProcess[] = [];
  const active = Array.from({ length: ACTIVE }, (_, i) => `+49151${String(20_000_000 + i)}`);
  const unsubscribed = ['+4915299990001', '+4915299990002', '+4915299990003'];
  const pending = ['+4915299990011', '+4915299990012'];
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({
      pluginConfig: {
        worker: false,
        // Stalled jobs of a dead worker are taken over after 2–6 s instead of up to 90 s.
        // A send found in flight after the kill waits 3 s for a status webhook (none come in the first case) before it is sent again.
        broadcast: { reconcileEverySeconds: 2, stalledJobSeconds: 2, deliveryConcurrency: CHANNEL_CONCURRENCY, ambiguousWaitSeconds: 3 },
        channels: { whatsapp: { ...WHATSAPP, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion, messagesPerSecond: 1000, dailyRecipientLimit: 100_000 } },
      },
    });
    // Two processes write to one SQLite file; WAL lets readers and a writer work side by side
    // (the mode is stored in the file, so the worker processes get it too).
    if (test.dialect === 'sqlite') await test.strapi.db.connection.raw('PRAGMA journal_mode = WAL');
    for (const address of active) await seedSubscriber(test, address);
    for (const address of unsubscribed) await seedSubscriber(test, address, { status: 'unsubscribed' });
    for (const address of pending) await seedSubscriber(test, address, { status: 'pending' });
    // The same database and Redis prefix as this process, but working the jobs.
    const pluginConfig = JSON.parse(process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG as string) as Record<string, unknown>;
    workerEnv = { TOWN_CRIER_TEST_PLUGIN_CONFIG: JSON.stringify({ ...pluginConfig, worker: true }) };
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await test?.close();
    await fake?.close();
  });

  it('loses no message and repeats only the sends in flight at the kill, when the worker is killed with SIGKILL and restarted', async () => {
    workers.push(await startWorkerProcess(workerEnv));
    // Each send takes a while, so the kill lands with sends in flight.
    fake.setLatency(150);
    const title = 'Wasserrohrbruch in der Lindenstraße';
    const articleId = await publishArticle(test, { title });

    await eventually(async () => receivedPerRecipient(fake, title).size >= ACTIVE / 4, { intervalMs: 5 });
    await workers[0].kill();

    // The dead process cannot send any more: what the fake took but the database does not
    // show as sent is exactly the in-flight window.
    const announcement = (await announcementFor(test, articleId))!;
    const sentRows = new Set(
      (await deliveriesOf(test, announcement.documentId)).filter((row) => row.status === 'sent').map((row) => row.subscriberId)
    );
    const subscriberIds = new Map(
      ((await test.strapi.db.query('plugin::town-crier.subscriber').findMany({ select: ['id', 'address'] })) as Array<{ id: number; address: string }>).map(
        (row) => [digitsOf(row.address), row.id]
      )
    );
    const takenAtKill = [...receivedPerRecipient(fake, title).keys()];
    const inFlight = takenAtKill.filter((digits) => !sentRows.has(subscriberIds.get(digits) as number));
    expect(takenAtKill.length).toBeLessThan(ACTIVE);
    expect(inFlight.length).toBeLessThanOrEqual(CHANNEL_CONCURRENCY);

    workers.push(await startWorkerProcess(workerEnv));
    const finished = await eventually(
      async () => {
        const row = await announcementFor(test, articleId);
        return row?.broadcastStatus === 'sent' && row;
      },
      { timeoutMs: 60_000 }
    );
    expect(finished).toMatchObject({ recipientsCount: ACTIVE, sentCount: ACTIVE, failedCount: 0, skippedCount: 0 });

    const result = checkExactlyOnce(fake, title, active, [...unsubscribed, ...pending]);
    expect(result.missing).toEqual([]);
    expect(result.toOthers).toEqual([]);
    expect(result.strangers).toEqual([]);
    expect(result.moreThanTwice).toEqual([]);
    // A second message only for a send that had reached the provider when the process died.
    expect(result.duplicated.filter((digits) => !inFlight.includes(digits))).toEqual([]);
    expect(result.total).toBe(ACTIVE + result.duplicated.length);
  });

  it('sends every citizen non-urgent news exactly once across a SIGKILL when status webhooks flow: in-flight sends are settled by their receipts', async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    // Long enough for the new worker to boot and read the receipts of what was in flight.
    const webhookEnv = {
      TOWN_CRIER_TEST_PLUGIN_CONFIG: JSON.stringify({
        ...JSON.parse(workerEnv.TOWN_CRIER_TEST_PLUGIN_CONFIG),
        broadcast: { ...JSON.parse(workerEnv.TOWN_CRIER_TEST_PLUGIN_CONFIG).broadcast, ambiguousWaitSeconds: 30 },
      }),
    };
    workers.push(await startWorkerProcess(webhookEnv));
    fake.reset();
    fake.setLatency(150);
    // Meta's side: a `sent` status webhook for every message it took, carrying our delivery reference.
    const receipted = new Set<unknown>();
    let pumping = true;
    const pump = (async () => {
      while (pumping) {
        for (const request of [...fake.requests]) {
          const body = request.body as { type?: string; to?: string; biz_opaque_callback_data?: string } | undefined;
          if (receipted.has(request) || body?.type !== 'template' || request.response?.status !== 200) continue;
          receipted.add(request);
          const id = (request.response.body as { messages: Array<{ id: string }> }).messages[0].id;
          await postWebhook(test, statusWebhook([{ id, status: 'sent', recipientDigits: String(body.to), deliveryRef: body.biz_opaque_callback_data }]));
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    const title = 'Sommerfest im Rathauspark';
    const articleId = await publishArticle(test, { title, urgency: 'info' });
    await eventually(async () => receivedPerRecipient(fake, title).size >= ACTIVE / 4, { intervalMs: 5 });
    await workers[0].kill();
    expect(receivedPerRecipient(fake, title).size).toBeLessThan(ACTIVE);
    // Sends the provider had taken while their rows were still open: without receipts these would go out twice.
    const announcement = (await announcementFor(test, articleId))!;
    const openRows = new Set(
      (await deliveriesOf(test, announcement.documentId)).filter((row) => ['pending', 'waiting'].includes(row.status)).map((row) => row.subscriberId)
    );
    const subscriberIds = new Map(
      ((await test.strapi.db.query('plugin::town-crier.subscriber').findMany({ select: ['id', 'address'] })) as Array<{ id: number; address: string }>).map(
        (row) => [digitsOf(row.address), row.id]
      )
    );
    expect([...receivedPerRecipient(fake, title).keys()].filter((digits) => openRows.has(subscriberIds.get(digits) as number)).length).toBeGreaterThan(0);

    workers.push(await startWorkerProcess(webhookEnv));
    try {
      await eventually(
        async () => {
          const row = await announcementFor(test, articleId);
          return row?.broadcastStatus === 'sent' && row;
        },
        { timeoutMs: 90_000 }
      );
    } finally {
      pumping = false;
      await pump;
    }
    const result = checkExactlyOnce(fake, title, active, [...unsubscribed, ...pending]);
    expect(result.missing).toEqual([]);
    expect(result.toOthers).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.total).toBe(ACTIVE);
  }, 180_000);
});
