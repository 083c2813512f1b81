import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle } from '../support/seed';
import { checkExactlyOnce } from '../support/exactly-once';

const CITIZENS = 700;
const DAILY_LIMIT = 250;
/** One simulated "day" of the rolling reach window (accelerated windows: `broadcast.reachWindowSeconds`). */
const DAY_SECONDS = 8;

/**
 * Ahrensbök: about 700 WhatsApp subscribers, and a new WhatsApp account may reach 250 a day.
 * Three simulated days: every citizen gets the news exactly once, nobody fails for lack of
 * attempts while waiting, and the broadcast says how many go today and how many later.
 */
describe('a town larger than its daily reach limit, over three simulated days', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let auth: { Authorization: string };
  const numbers = Array.from({ length: CITIZENS }, (_, i) => `+49151${String(30_000_000 + i)}`);

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({
      pluginConfig: {
        channels: { whatsapp: { ...(whatsapp.config.channels as { whatsapp: object }).whatsapp, dailyRecipientLimit: DAILY_LIMIT, messagesPerSecond: 1000 } },
        // Two attempts: on the old code every wait for the window used one up, and the third day never came.
        broadcast: { reachWindowSeconds: DAY_SECONDS, maxAttempts: 2 },
      },
    });
    const knex = test.strapi.db.connection;
    const table = test.strapi.db.metadata.get('plugin::town-crier.subscriber').tableName;
    const now = test.dialect === 'sqlite' ? Date.now() : new Date();
    for (let start = 0; start < CITIZENS; start += 100) {
      await knex(table).insert(
        numbers.slice(start, start + 100).map((address, i) => ({
          document_id: `reach${start + i}`,
          channel: 'whatsapp',
          address,
          status: 'active',
          locale: 'de',
          created_at: now,
          updated_at: now,
          published_at: now,
        }))
      );
    }
    auth = { Authorization: `Bearer ${await createSuperAdmin(test)}` };
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('says before publishing how many go today and how many later', async () => {
    const response = await test.request.get('/town-crier/preview?uid=api::article.article').set(auth);
    expect(response.status).toBe(200);
    expect(response.body.data.dailyLimit.whatsapp).toMatchObject({ limit: DAILY_LIMIT, sendableNow: DAILY_LIMIT, later: CITIZENS - DAILY_LIMIT });
  });

  it('reaches all 700 exactly once over three windows; none fails for lack of attempts', async () => {
    const title = 'Wasserversorgung: Abkochgebot aufgehoben';
    const articleId = await publishArticle(test, { title });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.fanOutDoneAt ? row : null;
    });

    // Day one: the limit is reached, the rest wait — and the broadcast says so.
    const dayOne = await eventually(async () => {
      const deliveries = await deliveriesOf(test, announcement.documentId);
      return deliveries.filter((d) => d.status === 'sent').length === DAILY_LIMIT && deliveries;
    });
    const detail = (await test.request.get(`/town-crier/broadcasts/${announcement.documentId}`).set(auth)).body.data;
    const run = detail.runs.find((candidate: { channel: string }) => candidate.channel === 'whatsapp');
    expect(run).toMatchObject({ state: 'sending', reason: 'daily-limit', waiting: CITIZENS - DAILY_LIMIT });
    expect(run.today + run.later).toBe(CITIZENS - DAILY_LIMIT);
    expect(run.later).toBeGreaterThanOrEqual(CITIZENS - 2 * DAILY_LIMIT);
    expect(detail.statusReason).toBe('daily-limit');
    expect(dayOne.filter((d) => ['pending', 'waiting'].includes(d.status))).toHaveLength(CITIZENS - DAILY_LIMIT);

    const finished = await eventually(
      async () => {
        const row = await announcementFor(test, articleId);
        return row?.broadcastStatus === 'sent' && row;
      },
      // Three windows are the minimum; the rest is room for a loaded CI machine (the assertions below decide).
      { timeoutMs: 20 * DAY_SECONDS * 1000 }
    );
    expect(finished).toMatchObject({ recipientsCount: CITIZENS, sentCount: CITIZENS, failedCount: 0 });
    const deliveries = await deliveriesOf(test, announcement.documentId);
    // Each was sent once; waiting for the window never counted as an attempt.
    expect(deliveries.filter((d) => d.status !== 'sent' || d.attempts !== 1)).toEqual([]);
    const result = checkExactlyOnce(fake, title, numbers, []);
    expect(result.missing).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.total).toBe(CITIZENS);

    // Never more than the limit within any window: the sends of each simulated day are spaced a window apart
    // (counted from admission; arrival at the provider varies by the pacing wait, hence 5 % of slack here).
    const sendTimes = fake.requests.filter((request) => request.response?.status === 200).map((request) => request.receivedAt).sort((a, b) => a - b);
    for (let i = DAILY_LIMIT; i < sendTimes.length; i += 1) expect(sendTimes[i] - sendTimes[i - DAILY_LIMIT]).toBeGreaterThanOrEqual(DAY_SECONDS * 1000 * 0.95);
  }, 240_000);
});
