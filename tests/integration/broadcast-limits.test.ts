import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import IORedis from 'ioredis';
import { bootStrapi, createSuperAdmin, eventually, REDIS_URL, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const DAY_MS = 24 * 3_600_000;

describe('pacing: the daily reach limit, quiet hours and scheduled sending', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const berlinHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
    // Quiet hours that cover "now", whatever time the suite runs.
    const start = `${String(berlinHour).padStart(2, '0')}:00`;
    const end = `${String((berlinHour + 2) % 24).padStart(2, '0')}:00`;
    test = await bootStrapi({
      pluginConfig: {
        ...whatsapp.config,
        channels: { whatsapp: { ...(whatsapp.config.channels as { whatsapp: object }).whatsapp, dailyRecipientLimit: 3 } },
        broadcast: { quietHours: { enabled: true, start, end, timeZone: 'Europe/Berlin' } },
      },
    });
    const topics = await seedTopics(test, [['Notfälle', 'notfaelle']]);
    for (let i = 0; i < 5; i += 1) await seedSubscriber(test, `+49151000000${10 + i}`, { topics: [topics.notfaelle] });
  });
  let adminToken: string | null = null;
  const login = async () => (adminToken ??= await createSuperAdmin(test));
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('holds non-urgent news during quiet hours and says until when', async () => {
    const articleId = await publishArticle(test, { title: 'Flohmarkt', topic: 'notfaelle', urgency: 'info' });
    const held = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.statusReason === 'quiet-hours' && row;
    });
    expect(held.broadcastStatus).toBe('scheduled');
    const resumesAt = new Date(held.resumesAt as string).getTime();
    expect(resumesAt).toBeGreaterThan(Date.now());
    expect(resumesAt - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(fake.requests).toHaveLength(0);
  });

  it('the side panel says before publishing that quiet hours hold the news, and afterwards counts the held recipients as waiting', async () => {
    const auth = { Authorization: `Bearer ${await login()}` };
    const before = await test.request.get('/town-crier/preview?uid=api::article.article&topic=notfaelle').set(auth);
    expect(before.body.data.startsAt.reason).toBe('quiet-hours');
    const end = new Date(before.body.data.startsAt.at).getTime();
    expect(end).toBeGreaterThan(Date.now());
    expect(end - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);

    const articleId = await publishArticle(test, { title: 'Laternenumzug', topic: 'notfaelle', urgency: 'info' });
    await eventually(async () => (await announcementFor(test, articleId))?.statusReason === 'quiet-hours');
    const after = await test.request.get(`/town-crier/preview?uid=api::article.article&documentId=${articleId}`).set(auth);
    expect(after.body.data.announcement).toMatchObject({ broadcastStatus: 'scheduled', statusReason: 'quiet-hours', recipients: 5, sent: 0, waiting: 5 });
    expect(new Date(after.body.data.announcement.resumesAt).getTime()).toBe(end);
  });

  it('shows quiet hours again after pause and resume: resume re-evaluates what holds the broadcast', async () => {
    const articleId = await publishArticle(test, { title: 'Sperrmüll', topic: 'notfaelle', urgency: 'info' });
    const held = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.statusReason === 'quiet-hours' && row;
    });
    const auth = { Authorization: `Bearer ${await login()}` };
    expect((await test.request.post(`/town-crier/broadcasts/${held.documentId}/pause`).set(auth)).status).toBe(200);
    expect(await announcementFor(test, articleId)).toMatchObject({ broadcastStatus: 'paused', statusReason: 'paused-by-editor' });
    expect((await test.request.post(`/town-crier/broadcasts/${held.documentId}/resume`).set(auth)).status).toBe(200);
    const resumed = (await announcementFor(test, articleId))!;
    expect(resumed).toMatchObject({ broadcastStatus: 'scheduled', statusReason: 'quiet-hours' });
    expect(new Date(resumed.resumesAt as string).getTime()).toBe(new Date(held.resumesAt as string).getTime());
    expect(fake.requests).toHaveLength(0);
  });

  it('sends an emergency at once, quiet hours or not, and never to more than the daily limit of distinct citizens', async () => {
    const articleId = await publishArticle(test, { title: 'Hochwasserwarnung', topic: 'notfaelle', urgency: 'emergency' });
    const waiting = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      if (!row?.fanOutDoneAt) return false;
      const deliveries = await deliveriesOf(test, row.documentId);
      const sent = deliveries.filter((d) => d.status === 'sent').length;
      const held = deliveries.filter((d) => d.status === 'waiting').length;
      return sent === 3 && held === 2 && row.statusReason === 'daily-limit' && row;
    });
    expect(fake.requests).toHaveLength(3);
    const resumesAt = new Date(waiting.resumesAt as string).getTime();
    // The first of today's recipients leaves the rolling window in about 24 hours.
    expect(resumesAt - Date.now()).toBeGreaterThan(DAY_MS - 60_000);
    expect(resumesAt - Date.now()).toBeLessThanOrEqual(DAY_MS);
    expect(waiting.broadcastStatus).toBe('sending');
  });

  it('rebuilds the daily reach window from the delivery rows when Redis lost it', async () => {
    const queue = (test.strapi.plugin('town-crier').service('runtime') as {
      limits(): { windowSize(key: string, windowMs: number, nowMs: number): Promise<number> };
    }).limits();
    const reconcile = () => (test.strapi.plugin('town-crier').service('workers') as { reconcile(): Promise<void> }).reconcile();
    expect(await queue.windowSize('reach:whatsapp', DAY_MS, Date.now())).toBe(3);

    // What a Redis restart without persistence does to this plugin's keys.
    const redis = new IORedis(REDIS_URL);
    try {
      const keys = await redis.keys(`${test.prefix}:window:*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    expect(await queue.windowSize('reach:whatsapp', DAY_MS, Date.now())).toBe(0);

    await reconcile();
    // The three citizens sent to moments ago still count; nobody else got a slot.
    expect(await queue.windowSize('reach:whatsapp', DAY_MS, Date.now())).toBe(3);
    expect(fake.requests).toHaveLength(3);
  });

  it('schedules an announcement with a future sendAt and shows when it starts', async () => {
    const sendAt = new Date(Date.now() + 3 * 3_600_000);
    const created = (await test.strapi.documents('plugin::town-crier.announcement').create({
      data: { title: 'Später', text: 'Kommt später.', urgency: 'emergency', sendAt },
      status: 'published',
    } as never)) as { documentId: string };
    const row = await test.strapi.db.query('plugin::town-crier.announcement').findOne({ where: { documentId: created.documentId, publishedAt: { $notNull: true } } });
    expect(row).toMatchObject({ broadcastStatus: 'scheduled', statusReason: 'send-at' });
    expect(new Date(row.resumesAt).getTime()).toBe(sendAt.getTime());
  });
});
