import net from 'node:net';
import webpush from 'web-push';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { startFakePushService, type BrowserSubscription, type FakePushService } from '../support/fake-push-service';
import { announcementFor, deliveriesOf, publishArticle, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';

/**
 * Web Push endpoints come from anonymous visitors: the town's server must only ever POST to a
 * browser vendor's push service. A listener on 127.0.0.1 counts every connection the server
 * makes to it; the fake push service (also on 127.0.0.1) is trusted explicitly through
 * `channels.webpush.pushServices`, and only at its own host and port.
 */
describe('Web Push endpoints: only push services, never the town’s own network', () => {
  let test: TestStrapi;
  let fake: FakePushService;
  let consentVersion: string;
  let verkehrId: number;
  const vapid = webpush.generateVAPIDKeys();
  const listener = { server: net.createServer(), port: 0, connections: 0 };

  const body = (subscription: unknown, extra: Record<string, unknown> = {}) => ({
    channel: 'webpush',
    subscription,
    topics: ['verkehr'],
    locale: 'de',
    consent: { accepted: true, version: consentVersion },
    ...extra,
  });
  const signup = (subscription: unknown, extra: Record<string, unknown> = {}) => test.request.post('/api/town-crier/subscriptions').send(body(subscription, extra));
  const withEndpoint = (browser: BrowserSubscription, endpoint: string) => ({ ...browser.json, endpoint });
  const webpushRows = () => test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'webpush' } });
  const rowOf = async (endpoint: string) => {
    const rows = (await test.strapi.db.query(SUBSCRIBER).findMany({ where: { channel: 'webpush' } })) as Array<{ id: number; status: string; undeliverableAt: unknown; pushSubscription: { endpoint: string } | null }>;
    return rows.find((row) => row.pushSubscription?.endpoint === endpoint) ?? null;
  };
  const settled = (articleId: string) =>
    eventually(async () => {
      const announcement = await announcementFor(test, articleId);
      if (!announcement || !['sent', 'failed', 'paused'].includes(announcement.broadcastStatus)) return null;
      const deliveries = await deliveriesOf(test, announcement.documentId);
      return deliveries.every((delivery) => !['pending', 'queued', 'sending'].includes(delivery.status)) && { announcement, deliveries };
    }, { timeoutMs: 30_000 });
  const pushesTo = (browser: BrowserSubscription) => fake.received.filter((push) => push.subscriptionId === browser.id);

  beforeAll(async () => {
    listener.server.on('connection', (socket) => {
      listener.connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.server.listen(0, '127.0.0.1', resolve));
    listener.port = (listener.server.address() as net.AddressInfo).port;
    fake = await startFakePushService();
    test = await bootStrapi({
      pluginConfig: {
        broadcast: { retryBaseDelayMs: 100, maxAttempts: 2 },
        rateLimit: { signupsPerIpPerHour: 500, signupAnswerMinMs: 0, pushRequestsPerIpPerHour: 8 },
        channels: {
          whatsapp: { enabled: false },
          webpush: {
            enabled: true,
            vapid: { subject: 'mailto:rathaus@musterstadt.de', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
            caCertificate: fake.certificate,
            // The fake push service, exactly at its address and port; and `localhost` at the
            // listener's port, a host name that resolves to loopback and so stays refused.
            pushServices: [new URL(fake.origin).host, `localhost:${listener.port}`],
          },
        },
      },
    });
    verkehrId = (await seedTopics(test, [['Verkehr', 'verkehr']])).verkehr;
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
    await new Promise((resolve) => listener.server.close(resolve));
  });
  beforeEach(() => fake.reset());

  it('answers 400 in Strapi’s shape to an endpoint on loopback, a private or link-local address, or an internal host, stores nothing and never connects', async () => {
    const port = listener.port;
    const refused = [
      `https://127.0.0.1:${port}/push/x`,
      `https://localhost:${port}/push/x`,
      `https://2130706433:${port}/push/x`,
      `https://0x7f.1:${port}/push/x`,
      `https://[::1]:${port}/push/x`,
      `https://[::ffff:127.0.0.1]:${port}/push/x`,
      `https://10.20.30.40/push/x`,
      `https://192.168.178.1/push/x`,
      `https://172.16.5.4:8443/admin`,
      `https://169.254.169.254/latest/meta-data/`,
      `https://100.64.0.1/push/x`,
      `https://[fd00:ec2::254]/latest`,
      `https://intranet/push/x`,
      `https://rathaus.musterstadt.local/push/x`,
      // A push service's name, but not its host, port or user part.
      `https://fcm.googleapis.com:8443/fcm/send/x`,
      `https://fcm.googleapis.com.evil.example/fcm/send/x`,
      `https://user@fcm.googleapis.com/fcm/send/x`,
      `https://evilpush.services.mozilla.com.example/wpush/v2/x`,
    ];
    const before = await webpushRows();
    for (const endpoint of refused) {
      const browser = fake.subscribe();
      const response = await signup(withEndpoint(browser, endpoint));
      expect(response.status, endpoint).toBe(400);
      expect(response.body, endpoint).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
      expect(response.body.error.details.errors[0].path, endpoint).toEqual(['subscription', 'endpoint']);
      // The answer does not echo the endpoint.
      expect(JSON.stringify(response.body)).not.toContain(browser.id);
      // The same refusal in the page's `channels` list: nothing stored for any of its channels.
      const listed = await test.request
        .post('/api/town-crier/subscriptions')
        .send({ channels: [{ channel: 'webpush', subscription: withEndpoint(browser, endpoint) }], topics: ['verkehr'], consent: { accepted: true, version: consentVersion } });
      expect(listed.status, endpoint).toBe(400);
    }
    expect(await webpushRows()).toBe(before);

    // A broadcast afterwards reaches the one real browser and nothing else.
    const real = fake.subscribe();
    expect((await signup(real.json)).status).toBe(202);
    const articleId = await publishArticle(test, { title: 'Baustelle am Markt', topic: 'verkehr' });
    await settled(articleId);
    expect(pushesTo(real)).toHaveLength(1);
    expect(listener.connections).toBe(0);
  });

  it('lets one subscriber’s 403 (and 401, 400, a redirect) concern that subscriber only: the others’ news goes out, now and next time', async () => {
    const forbidden = fake.subscribe();
    const unauthorised = fake.subscribe();
    const malformed = fake.subscribe();
    const redirected = fake.subscribe();
    const fine = fake.subscribe();
    for (const browser of [forbidden, unauthorised, malformed, redirected, fine]) expect((await signup(browser.json)).status).toBe(202);
    fake.reset();
    fake.script(forbidden.id, [{ status: 403 }, { status: 403 }]);
    fake.script(unauthorised.id, [{ status: 401 }, { status: 401 }]);
    fake.script(malformed.id, [{ status: 400 }]);
    // A push service's redirect is not followed: it would lead the server wherever the answer says.
    fake.script(redirected.id, [{ status: 307, headers: { Location: `https://127.0.0.1:${listener.port}/admin` } }]);

    const first = await publishArticle(test, { title: 'Stromausfall in der Altstadt', topic: 'verkehr' });
    const { announcement, deliveries } = await settled(first);
    expect(announcement.broadcastStatus).toBe('sent');
    expect(pushesTo(fine)).toHaveLength(1);
    expect(deliveries.filter((delivery) => delivery.status === 'failed')).toHaveLength(4);
    expect(listener.connections).toBe(0);
    const queue = (test.strapi.plugin('town-crier').service('runtime') as { queue(): { isPaused(channel: string): Promise<boolean> } }).queue();
    expect(await queue.isPaused('webpush')).toBe(false);

    const second = await publishArticle(test, { title: 'Strom wieder da', topic: 'verkehr' });
    expect((await settled(second)).announcement.broadcastStatus).toBe('sent');
    expect(pushesTo(fine)).toHaveLength(2);
    // Each refusing browser was tried once, and is marked rather than tried at every broadcast.
    for (const browser of [forbidden, unauthorised, malformed, redirected]) expect((await rowOf(browser.json.endpoint))!.undeliverableAt).toBeTruthy();
  });

  it('checks again at send time: a stored endpoint on loopback, or a listed host that resolves to loopback, gets no connection', async () => {
    const real = fake.subscribe();
    expect((await signup(real.json)).status).toBe(202);
    // The listed `localhost:<port>` is refused at sign-up, because it resolves to 127.0.0.1 …
    const rebound = `https://localhost:${listener.port}/push/rebound`;
    const refused = await signup(withEndpoint(fake.subscribe(), rebound));
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/resolves to an address the town never sends to/);
    // … and rows that got in before (an older version, a DNS answer that changed since) are
    // checked again on every send.
    const stored = [rebound, `https://127.0.0.1:${listener.port}/push/old`, `https://10.20.30.40/push/old`];
    for (const [index, endpoint] of stored.entries()) {
      await test.strapi.db.query(SUBSCRIBER).create({
        data: { channel: 'webpush', address: `wp:stored-${index}`, status: 'active', topics: [verkehrId], locale: 'de', confirmedAt: new Date(), pushSubscription: { ...fake.subscribe().json, endpoint } },
      });
    }
    fake.reset();
    const articleId = await publishArticle(test, { title: 'Wochenmarkt verlegt', topic: 'verkehr' });
    const { announcement, deliveries } = await settled(articleId);
    expect(announcement.broadcastStatus).toBe('sent');
    expect(pushesTo(real)).toHaveLength(1);
    expect(listener.connections).toBe(0);
    const failedCodes = deliveries.filter((delivery) => delivery.status === 'failed').map((delivery) => delivery.lastErrorCode).sort();
    expect(failedCodes).toEqual(['address-refused', 'endpoint-refused', 'endpoint-refused']);
  });

  it('never lets /webpush/renew re-point a subscription to a refused endpoint', async () => {
    const browser = fake.subscribe();
    expect((await signup(browser.json)).status).toBe(202);
    for (const endpoint of [`https://127.0.0.1:${listener.port}/push/x`, 'https://169.254.169.254/latest/meta-data/']) {
      const response = await test.request.post('/api/town-crier/webpush/renew').send({ oldEndpoint: browser.json.endpoint, subscription: withEndpoint(fake.subscribe(), endpoint) });
      expect(response.status).toBe(400);
      expect(response.body.error.details.errors[0].path).toEqual(['subscription', 'endpoint']);
    }
    expect((await rowOf(browser.json.endpoint))!.status).toBe('active');
  });

  it('limits the body of every Web Push route, and counts their requests per client', async () => {
    const huge = { endpoint: `${fake.origin}/push/${'x'.repeat(9000)}` };
    for (const path of ['/api/town-crier/webpush/unsubscribe', '/api/town-crier/webpush/renew']) {
      const response = await test.request.post(path).set('Content-Type', 'application/json').send(JSON.stringify(huge));
      expect(response.status, path).toBe(413);
      expect(response.body.error.name).toBe('PayloadTooLargeError');
    }
    // 8 an hour (the test's setting), both routes on one count: the 9th is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      const path = i % 2 ? '/api/town-crier/webpush/renew' : '/api/town-crier/webpush/unsubscribe';
      const body = i % 2 ? { oldEndpoint: `${fake.origin}/push/unknown-${i}`, subscription: fake.subscribe().json } : { endpoint: `${fake.origin}/push/unknown-${i}` };
      statuses.push((await test.request.post(path).send(body)).status);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(statuses.length - statuses.findIndex((status) => status === 429));
    expect(statuses.at(-1)).toBe(429);
    // Sign-ups have a budget of their own.
    expect((await signup(fake.subscribe().json)).status).toBe(202);
  });
});
