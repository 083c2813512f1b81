import webpush from 'web-push';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { startFakePushService, type BrowserSubscription, type FakePushService } from '../support/fake-push-service';
import { announcementFor, deliveriesOf, publishArticle, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';

/**
 * The Web Push channel end to end: a "browser" subscription made in the test (its private key
 * never leaves the test), signed up through the public API, an article published in Strapi,
 * and a fake push service over real HTTPS that checks the VAPID JWT and decrypts every push.
 */
describe('Web Push channel', () => {
  let test: TestStrapi;
  let fake: FakePushService;
  let consentVersion: string;
  const vapid = webpush.generateVAPIDKeys();
  const logged: string[] = [];

  const signup = (subscription: unknown, extra: Record<string, unknown> = {}) =>
    test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'webpush', subscription, topics: ['verkehr'], locale: 'de', consent: { accepted: true, version: consentVersion }, ...extra });
  type Row = Record<string, unknown> & { id: number; status: string; address: string | null; topics: Array<{ slug: string }>; pushSubscription: { endpoint: string } | null };
  const rowOf = async (browser: BrowserSubscription) => {
    const rows = (await test.strapi.db.query(SUBSCRIBER).findMany({ where: { channel: 'webpush' }, populate: ['topics'] })) as Row[];
    return rows.find((row) => row.pushSubscription?.endpoint === browser.json.endpoint) ?? null;
  };
  const ledgerOf = (subscriberId: number) =>
    test.strapi.db.query(LEDGER).findMany({ where: { subscriber: subscriberId }, orderBy: { id: 'asc' } }) as Promise<
      Array<{ type: string; method: string; channel: string; consentVersion: string | null; consentTextHash: string | null }>
    >;
  const finished = (articleId: string) =>
    eventually(async () => {
      const announcement = await announcementFor(test, articleId);
      return announcement && ['sent', 'failed', 'paused'].includes(announcement.broadcastStatus) && announcement;
    });
  const pushesTo = (browser: BrowserSubscription) => fake.received.filter((push) => push.subscriptionId === browser.id);

  beforeAll(async () => {
    fake = await startFakePushService();
    test = await bootStrapi({
      pluginConfig: {
        broadcast: { retryBaseDelayMs: 100 },
        rateLimit: { signupsPerIpPerHour: 200, signupAnswerMinMs: 0 },
        channels: {
          whatsapp: { enabled: false },
          webpush: {
            enabled: true,
            vapid: { subject: 'mailto:rathaus@musterstadt.de', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
            icon: 'https://musterstadt.de/wappen-192.png',
            caCertificate: fake.certificate,
            // The fake push service runs on 127.0.0.1: trusted explicitly, at its own port only.
            pushServices: [new URL(fake.origin).host],
          },
        },
      },
    });
    // Everything Strapi logs, at every level, to prove no endpoint is ever written out.
    for (const level of ['error', 'warn', 'info', 'debug'] as const) {
      const original = test.strapi.log[level].bind(test.strapi.log);
      (test.strapi.log as unknown as Record<string, (message: string) => void>)[level] = (message: string) => {
        logged.push(String(message));
        original(message);
      };
    }
    await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
    ]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('signs a browser up in one act: active at once, the ledger holds the consent version and hash', async () => {
    const browser = fake.subscribe();
    const response = await signup(browser.json);
    expect(response.status).toBe(202);
    expect(response.body.data).toMatchObject({ status: 'active', channel: 'webpush' });
    // The answer never echoes the endpoint.
    expect(JSON.stringify(response.body)).not.toContain(browser.id);

    const row = await rowOf(browser);
    expect(row).toMatchObject({ status: 'active', consentVersion });
    expect(row!.address).toMatch(/^wp:[A-Za-z0-9_-]{32}$/);
    expect(row!.address).not.toContain(browser.id);
    const consent = (await test.request.get('/api/town-crier/consent')).body.data;
    const events = await ledgerOf(row!.id);
    expect(events.map((event) => `${event.type}:${event.method}:${event.channel}`)).toEqual(['requested:web-form:webpush', 'confirmed:browser-permission:webpush']);
    for (const event of events) expect(event).toMatchObject({ consentVersion, consentTextHash: consent.sha256 });

    // Statistics count the channel like the others, small numbers as "<5".
    const adminToken = await createSuperAdmin(test);
    const overview = (await test.request.get('/town-crier/stats/overview').set('Authorization', `Bearer ${adminToken}`)).body.data;
    expect(overview.byChannel).toContainEqual({ key: 'webpush', count: '<5' });

    // The same browser again (new topics) keeps its one row and is not confirmed twice.
    expect((await signup(browser.json, { topics: ['kultur'] })).status).toBe(202);
    const again = await rowOf(browser);
    expect(again!.id).toBe(row!.id);
    expect(again!.topics.map((topic) => topic.slug)).toEqual(['kultur']);
    expect((await ledgerOf(row!.id)).filter((event) => event.type === 'confirmed')).toHaveLength(1);
  });

  it('refuses a sign-up without a usable subscription with a 400 in Strapi’s shape, and stores nothing', async () => {
    const before = await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'webpush' } });
    const missing = await signup(undefined);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
    expect(missing.body.error.details.errors[0].path).toEqual(['subscription']);

    const browser = fake.subscribe();
    const badKey = await signup({ ...browser.json, keys: { ...browser.json.keys, p256dh: 'AAAA' } });
    expect(badKey.status).toBe(400);
    const plainHttp = await signup({ ...browser.json, endpoint: browser.json.endpoint.replace('https:', 'http:') });
    expect(plainHttp.status).toBe(400);
    expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'webpush' } })).toBe(before);
  });

  it('pushes a published article to every subscribed browser, encrypted: the fake decrypts title, text, link and icon', async () => {
    const first = fake.subscribe();
    const second = fake.subscribe();
    const elsewhere = fake.subscribe();
    expect((await signup(first.json)).status).toBe(202);
    expect((await signup(second.json, { locale: 'en' })).status).toBe(202);
    expect((await signup(elsewhere.json, { topics: ['kultur'] })).status).toBe(202);
    fake.reset();

    const articleId = await publishArticle(test, { title: 'Vollsperrung der Hauptstraße', topic: 'verkehr', summary: 'Ab Montag ist die Hauptstraße zwischen Markt und Bahnhof gesperrt.' });
    await finished(articleId);
    await eventually(async () => pushesTo(first).length === 1 && pushesTo(second).length === 1);
    expect(pushesTo(elsewhere)).toHaveLength(0);

    const push = pushesTo(first)[0];
    expect(push.payload).toMatchObject({
      title: 'Vollsperrung der Hauptstraße',
      body: 'Ab Montag ist die Hauptstraße zwischen Markt und Bahnhof gesperrt.',
      url: expect.stringMatching(/^https:\/\/musterstadt\.de\/news\/artikel-\d+$/),
      icon: 'https://musterstadt.de/wappen-192.png',
      urgency: 'info',
      locale: 'de',
    });
    expect(pushesTo(second)[0].payload.locale).toBe('en');
    // VAPID: signed with the town's key, for this push service's origin only.
    expect(push.vapidPublicKey).toBe(vapid.publicKey);
    expect(push.claims).toMatchObject({ aud: fake.origin, sub: 'mailto:rathaus@musterstadt.de' });
    expect(push.headers).toMatchObject({ contentEncoding: 'aes128gcm', ttl: '86400', urgency: 'normal' });
    expect(push.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(push.payload.tag).toBe(push.headers.topic);

    const deliveries = await deliveriesOf(test, (await announcementFor(test, articleId))!.documentId);
    expect(deliveries.filter((delivery) => delivery.channel === 'webpush').map((delivery) => delivery.status)).toEqual(['sent', 'sent']);

    // The notification's "abbestellen" action: the service worker POSTs the token the payload carries.
    const leave = await test.request.post('/api/town-crier/subscriptions/unsubscribe').send({ token: push.payload.unsubscribeToken });
    expect(leave.status).toBe(200);
    expect((await rowOf(first))!.status).toBe('unsubscribed');
  });

  it('sends an emergency with Urgency: high', async () => {
    const browser = fake.subscribe();
    expect((await signup(browser.json)).status).toBe(202);
    fake.reset();
    const articleId = await publishArticle(test, { title: 'Unwetterwarnung', topic: 'verkehr', urgency: 'emergency' });
    await finished(articleId);
    await eventually(async () => pushesTo(browser).length === 1);
    expect(pushesTo(browser)[0].headers.urgency).toBe('high');
    expect(pushesTo(browser)[0].payload.urgency).toBe('emergency');
  });

  it('withdraws a subscriber whose subscription is gone (410 and 404), with a ledger entry', async () => {
    const gone = fake.subscribe();
    const notFound = fake.subscribe();
    expect((await signup(gone.json)).status).toBe(202);
    expect((await signup(notFound.json)).status).toBe(202);
    fake.script(gone.id, [{ status: 410 }]);
    fake.script(notFound.id, [{ status: 404 }]);
    const articleId = await publishArticle(test, { title: 'Straßenfest', topic: 'verkehr' });
    await finished(articleId);
    for (const browser of [gone, notFound]) {
      const row = await eventually(async () => {
        const found = await rowOf(browser);
        return found?.status === 'unsubscribed' && found;
      });
      const events = await ledgerOf(row.id);
      expect(events.at(-1)).toMatchObject({ type: 'withdrawn', channel: 'webpush' });
    }
    expect(pushesTo(gone)).toHaveLength(0);
  });

  it('waits Retry-After on 429 and retries 5xx, then delivers once', async () => {
    const limited = fake.subscribe();
    const flaky = fake.subscribe();
    expect((await signup(limited.json)).status).toBe(202);
    expect((await signup(flaky.json)).status).toBe(202);
    fake.reset();
    fake.script(limited.id, [{ status: 429, headers: { 'Retry-After': '2' } }]);
    fake.script(flaky.id, [{ status: 503 }]);
    const articleId = await publishArticle(test, { title: 'Wasserrohrbruch', topic: 'verkehr' });
    await eventually(async () => pushesTo(limited).length === 1 && pushesTo(flaky).length === 1, { timeoutMs: 30_000 });
    await finished(articleId);
    const tries = fake.attempts.filter((attempt) => attempt.subscriptionId === limited.id);
    expect(tries.map((attempt) => attempt.status)).toEqual([429, 201]);
    // The retry came no sooner than the push service asked.
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(1900);
    expect(fake.attempts.filter((attempt) => attempt.subscriptionId === flaky.id).map((attempt) => attempt.status)).toEqual([503, 201]);
  });

  it('follows pushsubscriptionchange and leaves from the page by endpoint', async () => {
    const old = fake.subscribe();
    expect((await signup(old.json)).status).toBe(202);
    const row = (await rowOf(old))!;
    const renewed = fake.subscribe();
    const change = await test.request.post('/api/town-crier/webpush/renew').send({ oldEndpoint: old.json.endpoint, subscription: renewed.json });
    expect(change.status).toBe(200);
    expect(change.body.data).toEqual({ renewed: true });
    const moved = (await rowOf(renewed))!;
    expect(moved.id).toBe(row.id);
    expect(moved.status).toBe('active');

    const leave = await test.request.post('/api/town-crier/webpush/unsubscribe').send({ endpoint: renewed.json.endpoint });
    expect(leave.status).toBe(200);
    expect((await rowOf(renewed))!.status).toBe('unsubscribed');
    expect((await ledgerOf(row.id)).at(-1)).toMatchObject({ type: 'withdrawn', method: 'webpush-page' });
    // An unknown endpoint gets the same answer and changes nothing.
    const unknown = await test.request.post('/api/town-crier/webpush/unsubscribe').send({ endpoint: `${fake.origin}/push/unknown` });
    expect(unknown.status).toBe(200);
    expect((await test.request.post('/api/town-crier/webpush/unsubscribe').send({ endpoint: 'not a url' })).status).toBe(400);
  });

  it('exports and erases the subscription; the endpoint never shows in logs', async () => {
    const browser = fake.subscribe();
    expect((await signup(browser.json)).status).toBe(202);
    const row = (await rowOf(browser))!;
    const subscriptions = test.strapi.plugin('town-crier').service('subscriptions') as {
      exportSubscriber(id: number): Promise<{ subscriber: { pushSubscription: unknown } }>;
      erase(id: number): Promise<void>;
    };
    expect((await subscriptions.exportSubscriber(row.id)).subscriber.pushSubscription).toEqual({ endpoint: browser.json.endpoint, keys: browser.json.keys });
    await subscriptions.erase(row.id);
    const erased = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: row.id } })) as { address: string | null; pushSubscription: unknown };
    expect(erased).toMatchObject({ address: null, pushSubscription: null });

    expect(logged.length).toBeGreaterThan(0);
    const endpoints = fake.received.map((push) => push.subscriptionId);
    for (const line of logged) {
      expect(line).not.toContain('/push/');
      for (const id of endpoints) expect(line).not.toContain(id);
    }
  });
});
