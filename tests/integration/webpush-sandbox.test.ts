import { createECDH, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { publishArticle, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';

interface OutboxEntry {
  channel: string;
  to: string;
  body: unknown;
  preview: { text: string; buttons: Array<{ title: string; payload: string }> };
}

/**
 * Web Push without VAPID keys: sandbox mode, as in the demo. Nothing leaves the machine (the
 * endpoint below is a push service's, but nothing is ever sent to it, nor resolved); the sandbox phone shows the notification as it would appear.
 */
describe('Web Push in sandbox mode', () => {
  let test: TestStrapi;
  let token: string;
  const get = (path: string) => test.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`);
  const post = (path: string, body?: unknown) => test.request.post(`/town-crier${path}`).set('Authorization', `Bearer ${token}`).send(body as object);

  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { rateLimit: { signupAnswerMinMs: 0 }, channels: { whatsapp: { enabled: false }, webpush: { enabled: true } } } });
    token = await createSuperAdmin(test);
    await seedTopics(test, [['Verkehr', 'verkehr']]);
  });
  afterAll(async () => {
    await test?.close();
  });

  it('reports sandbox mode, records the notification for the sandbox phone, and its button unsubscribes', async () => {
    const status = (await get('/channels')).body.data as Array<{ id: string; mode: string; issues: Array<{ code: string }> }>;
    expect(status.find((row) => row.id === 'webpush')).toMatchObject({ mode: 'sandbox', issues: [{ code: 'sandbox-no-credential' }] });

    const consent = (await test.request.get('/api/town-crier/consent')).body.data.version;
    const subscription = {
      endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(16).toString('hex')}`,
      keys: { p256dh: createECDH('prime256v1').generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') },
    };
    const signup = await test.request.post('/api/town-crier/subscriptions').send({ channels: [{ channel: 'webpush', subscription }], topics: ['verkehr'], consent: { accepted: true, version: consent } });
    expect(signup.status).toBe(202);
    expect(signup.body.data.channels).toEqual([expect.objectContaining({ channel: 'webpush', status: 'active' })]);

    await publishArticle(test, { title: 'Sperrung am Markt', topic: 'verkehr', urgency: 'emergency', summary: 'Der Markt ist heute gesperrt.' });
    const entry = await eventually(async () => ((await get('/sandbox/outbox')).body.data as OutboxEntry[]).find((row) => row.channel === 'webpush'));
    expect(entry.to).toMatch(/^wp:/);
    expect(entry.preview.text).toContain('Sperrung am Markt');
    expect(entry.preview.text).toContain('Der Markt ist heute gesperrt.');
    expect(entry.preview.text).toContain('bleibt stehen');
    expect(JSON.stringify(entry)).not.toContain(subscription.endpoint);
    const leave = entry.preview.buttons.find((button) => button.title === 'Mitteilungen abbestellen');
    expect(leave?.payload).toMatch(/^unsubscribe:.{8,}/);

    expect((await post('/sandbox/act', { channel: 'webpush', from: 'browser', action: 'text', text: 'STOP' })).body.error.details).toMatchObject({ code: 'webpush-unsubscribe-only' });
    expect((await post('/sandbox/act', { channel: 'webpush', from: 'browser', action: 'tap', payload: leave?.payload })).status).toBe(200);
    const row = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'webpush' } })) as { status: string };
    expect(row.status).toBe('unsubscribed');
  });
});
