import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp } from '../support/whatsapp';
import { announcementFor, publishArticle, seedSubscriber } from '../support/seed';
import { checkExactlyOnce } from '../support/exactly-once';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

/**
 * A town changes its quiet hours and restarts: news held by the old quiet hours goes out by the
 * new ones at the next start, without anyone pressing resume. This process publishes
 * (`worker: false`); worker processes with the old and then the new config do the work.
 */
describe('a quiet-hours change applies at the next start', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  const workers: WorkerProcess[] = [];
  const numbers = ['+4915180000001', '+4915180000002', '+4915180000003'];
  let baseConfig: Record<string, unknown>;

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const berlinHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
    // Quiet hours that cover "now", whatever time the suite runs.
    const start = `${String(berlinHour).padStart(2, '0')}:00`;
    const end = `${String((berlinHour + 2) % 24).padStart(2, '0')}:00`;
    test = await bootStrapi({
      pluginConfig: { ...whatsapp.config, worker: false, broadcast: { quietHours: { enabled: true, start, end, timeZone: 'Europe/Berlin' } } },
    });
    if (test.dialect === 'sqlite') await test.strapi.db.connection.raw('PRAGMA journal_mode = WAL');
    for (const number of numbers) await seedSubscriber(test, number);
    baseConfig = JSON.parse(process.env.TOWN_CRIER_TEST_PLUGIN_CONFIG as string) as Record<string, unknown>;
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await test?.close();
    await fake?.close();
  });

  it('releases news held by quiet hours once a restart brings quiet hours that no longer cover now', async () => {
    const worker = (broadcast: Record<string, unknown>) =>
      startWorkerProcess({ TOWN_CRIER_TEST_PLUGIN_CONFIG: JSON.stringify({ ...baseConfig, worker: true, broadcast: { ...(baseConfig.broadcast as object), ...broadcast } }) });
    workers.push(await worker({}));
    const title = 'Straßenfest am Samstag';
    const articleId = await publishArticle(test, { title, urgency: 'info' });
    await eventually(async () => (await announcementFor(test, articleId))?.statusReason === 'quiet-hours', { timeoutMs: 30_000 });
    await workers[0].stop();
    expect(fake.requests).toHaveLength(0);

    // The town switches quiet hours off and starts again.
    workers.push(await worker({ quietHours: { enabled: false } }));
    const sent = await eventually(
      async () => {
        const row = await announcementFor(test, articleId);
        return row?.broadcastStatus === 'sent' && row;
      },
      { timeoutMs: 30_000 }
    );
    expect(sent).toMatchObject({ recipientsCount: numbers.length, sentCount: numbers.length, statusReason: null });
    const result = checkExactlyOnce(fake, title, numbers, []);
    expect(result.missing).toEqual([]);
    expect(result.duplicated).toEqual([]);
  });
});
