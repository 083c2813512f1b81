import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { buttonReplyWebhook } from '../support/fake-whatsapp-cloud-api';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber } from '../support/seed';

const OUTBOX = 'plugin::town-crier.outbox-message';

/** The demo's default: no access token, so nothing may leave the machine. */
describe('sandbox mode', () => {
  let test: TestStrapi;

  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { channels: { whatsapp: { accessToken: '', baseUrl: 'http://127.0.0.1:9' } } } });
  });
  afterAll(async () => {
    await test?.close();
  });

  const channel = () =>
    (test.strapi.plugin('town-crier').service('runtime') as { channels(): { get(id: string): { mode: string } } }).channels().get('whatsapp');

  it('runs WhatsApp in sandbox mode when no access token is configured', () => {
    expect(channel().mode).toBe('sandbox');
  });

  it('records the exact request bodies it would have sent, and sends nothing', async () => {
    await seedSubscriber(test, '+4915123456789');
    const articleId = await publishArticle(test, { title: 'Sandkasten' });
    await eventually(async () => (await announcementFor(test, articleId))?.broadcastStatus === 'sent');
    const [recorded] = await test.strapi.db.query(OUTBOX).findMany({});
    expect(recorded.toAddress).toBe('+4915123456789');
    expect(recorded.body).toMatchObject({ messaging_product: 'whatsapp', to: '4915123456789', type: 'template' });
    expect(recorded.providerMessageId).toMatch(/^sandbox\./);
  });

  it('lets the sandbox phone mark a message delivered and read, through the status webhook path', async () => {
    const token = await createSuperAdmin(test);
    const act = (body: object) => test.request.post('/town-crier/sandbox/act').set('Authorization', `Bearer ${token}`).send(body);
    await seedSubscriber(test, '+4915123450001');
    const articleId = await publishArticle(test, { title: 'Probe für die Empfangsbestätigung' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.broadcastStatus === 'sent' ? row : null;
    });
    const message = await test.strapi.db.query(OUTBOX).findOne({ where: { toAddress: '+4915123450001' } });

    expect((await act({ channel: 'whatsapp', from: '+4915123450001', action: 'status', messageId: message.providerMessageId, status: 'delivered' })).status).toBe(200);
    await eventually(async () => (await deliveriesOf(test, announcement.documentId)).some((row: { status: string }) => row.status === 'delivered'));
    expect((await act({ channel: 'whatsapp', from: '+4915123450001', action: 'status', messageId: message.providerMessageId, status: 'read' })).status).toBe(200);
    const read = await eventually(async () => {
      const row = (await announcementFor(test, articleId)) as { readCount: number; deliveredCount: number } | null;
      return row && row.readCount === 1 ? row : null;
    });
    expect(read.deliveredCount).toBe(1);

    // A message that is not in the sandbox outbox, and a channel that is not on: refused with a code the admin words.
    const unknown = await act({ channel: 'whatsapp', from: '+4915123450001', action: 'status', messageId: 'wamid.real', status: 'read' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details).toEqual({ code: 'no-such-message' });
    const email = await act({ channel: 'email', from: 'anna@example.org', action: 'text', text: 'Hallo' });
    expect(email.status).toBe(400);
    expect(email.body.error.details).toEqual({ code: 'channel-not-enabled' });
  });

  it('lets an operator act as the citizen through the same path as real webhooks', async () => {
    const signup = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'whatsapp', address: '0160 1234567', consent: { accepted: true, version: '2026-01' } });
    expect(signup.status).toBe(202);
    const confirmation = await eventually(async () => {
      const rows = await test.strapi.db.query(OUTBOX).findMany({ where: { toAddress: '+491601234567' } });
      return rows[0];
    });
    const payload = (confirmation.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ payload: string }> }> } }).template.components.find(
      (component) => component.sub_type === 'quick_reply'
    )!.parameters[0].payload;
    const webhookEvents = test.strapi.plugin('town-crier').service('webhook-events') as { processPayload(channel: string, payload: unknown): Promise<void> };
    await webhookEvents.processPayload('whatsapp', buttonReplyWebhook('491601234567', payload));
    const subscriber = await test.strapi.db.query('plugin::town-crier.subscriber').findOne({ where: { address: '+491601234567' } });
    expect(subscriber.status).toBe('active');
  });
});
