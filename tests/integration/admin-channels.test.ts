import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { conformsToContract } from '../support/admin-contract';
import { statusWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, WHATSAPP } from '../support/whatsapp';
import { seedSubscriber } from '../support/seed';

/** The channel status page against a live WhatsApp channel pointed at the fake Cloud API. */
describe('channel status', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let token: string;

  const channels = async () => {
    const response = conformsToContract('GET', '/town-crier/channels', await test.request.get('/town-crier/channels').set('Authorization', `Bearer ${token}`));
    expect(response.status).toBe(200);
    return response.body.data as Array<Record<string, unknown> & { problems: string[] }>;
  };
  const publish = async (title: string) =>
    (await test.strapi.documents('plugin::town-crier.announcement').create({ data: { title, text: title, urgency: 'emergency' }, status: 'published' } as never)) as {
      documentId: string;
    };
  const announcement = (documentId: string) =>
    test.strapi.db.query('plugin::town-crier.announcement').findOne({ where: { documentId, publishedAt: { $notNull: true } } });

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({ pluginConfig: whatsapp.config });
    token = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('shows a configured live channel, and that no verified webhook has arrived yet', async () => {
    const [whatsapp, ...others] = await channels();
    expect(others.map(({ id, enabled, problems }) => ({ id, enabled, problems }))).toEqual([
      { id: 'email', enabled: false, problems: [] },
      { id: 'telegram', enabled: false, problems: [] },
      { id: 'webpush', enabled: false, problems: [] },
      { id: 'activitypub', enabled: false, problems: [] },
      { id: 'mastodon', enabled: false, problems: [] },
      { id: 'bluesky', enabled: false, problems: [] },
    ]);
    expect(whatsapp).toEqual({
      id: 'whatsapp',
      enabled: true,
      mode: 'live',
      configured: true,
      templates: { announcement: 'town_news', confirmation: 'town_news_optin' },
      messagesPerSecond: 80,
      dailyRecipientLimit: 250,
      usedLast24h: 0,
      lastWebhookAt: null,
      lastVerifiedWebhookAt: null,
      problems: ['no verified webhook in 24 h'],
      // Without a business account id nothing is read from Meta; the hint stays out of `problems`.
      whatsapp: expect.objectContaining({
        businessAccountConfigured: false,
        messagingLimit: null,
        templates: [],
        apiVersion: { configured: 'v24.0', retiresOn: null, newest: 'v26.0' },
        marketingEndpoint: 'messages',
        problems: [expect.objectContaining({ code: 'no-business-account' })],
      }),
      // The same problem as a code, which the admin words in its language.
      issues: [{ code: 'no-verified-webhook' }],
    });
  });

  it('records the last webhook received and verified, without a database write, shared through Redis', async () => {
    const before = Date.now();
    expect((await postWebhook(test, statusWebhook([{ id: 'wamid.unknown', status: 'delivered', recipientDigits: '4915100000001' }]))).status).toBe(200);
    const [whatsapp] = await channels();
    expect(new Date(whatsapp.lastVerifiedWebhookAt as string).getTime()).toBeGreaterThanOrEqual(before);
    // Received before the signature check, verified right after it.
    expect(new Date(whatsapp.lastWebhookAt as string).getTime()).toBeGreaterThanOrEqual(before);
    expect(new Date(whatsapp.lastWebhookAt as string).getTime()).toBeLessThanOrEqual(new Date(whatsapp.lastVerifiedWebhookAt as string).getTime());
    expect(whatsapp.problems).toEqual([]);
    const queue = (test.strapi.plugin('town-crier').service('runtime') as { limits(): { getStamp(key: string): Promise<number | null> } }).limits();
    expect(await queue.getStamp('webhook:whatsapp:verified')).toBe(new Date(whatsapp.lastVerifiedWebhookAt as string).getTime());
  });

  it('says when the last webhook failed the signature check', async () => {
    expect((await postWebhook(test, statusWebhook([{ id: 'wamid.x', status: 'read', recipientDigits: '4915100000001' }]), 'wrong-secret')).status).toBe(401);
    const [whatsapp] = await channels();
    expect(new Date(whatsapp.lastWebhookAt as string).getTime()).toBeGreaterThan(new Date(whatsapp.lastVerifiedWebhookAt as string).getTime());
    expect(whatsapp.problems).toEqual(['the last webhook failed the signature check: is the app secret right?']);
  });

  it('counts the daily reach used by the last 24 hours, and names a paused channel’s error', async () => {
    await seedSubscriber(test, '+4915100000011');
    await seedSubscriber(test, '+4915100000012');
    const first = await publish('Erste Meldung');
    await eventually(async () => (await announcement(first.documentId))?.broadcastStatus === 'sent');
    expect((await channels())[0].usedLast24h).toBe(2);

    fake.failNext(() => true, { status: 401, code: 190, message: 'Access token has expired' }, 1);
    const second = await publish('Zweite Meldung');
    await eventually(async () => (await announcement(second.documentId))?.broadcastStatus === 'paused');
    const [whatsapp] = await channels();
    expect(whatsapp.problems).toContain('channel paused: error 190');
    expect(whatsapp.issues).toContainEqual({ code: 'channel-paused', values: { detail: 'error 190', errorCode: '190' } });
    const text = JSON.stringify(whatsapp);
    for (const secret of [WHATSAPP.accessToken, WHATSAPP.appSecret, WHATSAPP.verifyToken]) expect(text).not.toContain(secret);
  });
});
