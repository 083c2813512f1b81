import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { conformsToContract } from '../support/admin-contract';

/**
 * Broadcast failures, the inbox and the sandbox phone, in sandbox mode (nothing leaves the
 * machine; every message lands in the outbox).
 */

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const INBOX = 'plugin::town-crier.inbound-message';
const OUTBOX = 'plugin::town-crier.outbox-message';
const HOUR = 3_600_000;

describe('admin operations', () => {
  let test: TestStrapi;
  let token: string;

  // Every answer is held to its contract (tests/support/admin-contract.ts): no key beyond it.
  const get = async (path: string) => conformsToContract('GET', `/town-crier${path}`, await test.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`));
  const post = async (path: string, body?: unknown) =>
    conformsToContract('POST', `/town-crier${path}`, await test.request.post(`/town-crier${path}`).set('Authorization', `Bearer ${token}`).send(body as object));
  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { channels: { whatsapp: { accessToken: '' } } } });
    token = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
  });

  it('shows a channel without an access token as sandbox, not configured', async () => {
    const response = await get('/channels');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([
      expect.objectContaining({ id: 'whatsapp', enabled: true, mode: 'sandbox', configured: false, lastWebhookAt: null, problems: ['no access token: sandbox mode'] }),
      // Channels the town did not switch on are listed, and are nothing to fix.
      expect.objectContaining({ id: 'email', enabled: false, configured: false, problems: [] }),
      expect.objectContaining({ id: 'telegram', enabled: false, configured: false, problems: [] }),
      expect.objectContaining({ id: 'webpush', enabled: false, configured: false, problems: [] }),
      expect.objectContaining({ id: 'activitypub', enabled: false, configured: false, problems: [] }),
      expect.objectContaining({ id: 'mastodon', enabled: false, configured: false, problems: [] }),
      expect.objectContaining({ id: 'bluesky', enabled: false, configured: false, problems: [] }),
    ]);
  });

  describe('broadcast failures in plain words', () => {
    it('groups failed deliveries by error code with an explanation', async () => {
      const created = (await test.strapi.documents('plugin::town-crier.announcement').create({
        data: { title: 'Fehler', text: 'Fehlerbild', sendAt: new Date(Date.now() + 10 * HOUR) },
        status: 'published',
      } as never)) as { documentId: string };
      const knex = test.strapi.db.connection;
      const table = test.strapi.db.metadata.get('plugin::town-crier.delivery').tableName;
      const rows = [
        ['failed', '131026', 'permanent-recipient'],
        ['failed', '131026', 'permanent-recipient'],
        ['failed', '131050', 'permanent-recipient'],
        ['failed', '999999', 'retry'],
        ['sent', null, null],
      ];
      let n = 0;
      for (const [status, code, errorClass] of rows) {
        n += 1;
        await knex(table).insert({
          document_id: `failure-${n}`,
          announcement_document_id: created.documentId,
          subscriber_id: 1000 + n,
          channel: 'whatsapp',
          status,
          last_error_code: code,
          last_error_class: errorClass,
          attempts: 1,
        });
      }
      const detail = (await get(`/broadcasts/${created.documentId}`)).body.data;
      expect(detail).toMatchObject({ recipients: 5, sent: 1, failed: 4, broadcastStatus: 'scheduled' });
      expect(detail.failuresByCode).toEqual([
        {
          channel: 'whatsapp',
          code: '131026',
          errorClass: 'permanent-recipient',
          count: 2,
          // In both languages of the admin.
          explanations: { en: expect.stringMatching(/cannot receive WhatsApp messages/), de: expect.stringMatching(/kann keine WhatsApp-Nachrichten empfangen/) },
        },
        {
          channel: 'whatsapp',
          code: '131050',
          errorClass: 'permanent-recipient',
          count: 1,
          explanations: { en: expect.stringMatching(/stopped marketing messages/), de: expect.stringMatching(/Werbenachrichten/) },
        },
        {
          channel: 'whatsapp',
          code: '999999',
          errorClass: 'retry',
          count: 1,
          explanations: { en: expect.stringMatching(/temporary problem/), de: expect.stringMatching(/vorübergehendes Problem/) },
        },
      ]);
      expect(detail.waiting).toEqual({ reason: 'scheduled', until: expect.any(String) });
    });
  });

  describe('sandbox phone', () => {
    it('shows the confirmation as the phone would, and a tap on its button confirms the sign-up', async () => {
      const signup = await test.request
        .post('/api/town-crier/subscriptions')
        .send({ channel: 'whatsapp', address: '0160 7654321', consent: { accepted: true, version: '2026-01' } });
      expect(signup.status).toBe(202);
      const message = await eventually(async () => {
        const { body } = await get('/sandbox/outbox?to=0160%207654321');
        return body.data?.[0];
      });
      expect(message.to).toBe('+491607654321');
      expect(message.body).toMatchObject({ to: '491607654321', type: 'template', template: { name: 'town_news_optin' } });
      const button = message.preview.buttons[0];
      // No templates read from Meta in sandbox: the German wording the plugin submits, marked as not confirmed by Meta.
      expect(button).toEqual({ title: 'Ja, anmelden', payload: expect.stringMatching(/^CONFIRM:/) });
      expect(message.preview.template).toMatchObject({ name: 'town_news_optin', source: 'plugin' });
      expect(message.preview.text).toMatch(/^Sie haben sich für die Nachrichten der Stadt .+ angemeldet\. Bitte bestätigen Sie mit dem Knopf unten\./);

      const act = await post('/sandbox/act', { channel: 'whatsapp', from: '+491607654321', action: 'tap', payload: button.payload });
      expect(act.status).toBe(200);
      expect(act.body.data).toEqual({ accepted: true });
      const subscriber = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { address: '+491607654321' } });
      expect(subscriber.status).toBe('active');
      // The welcome text follows through the same queue as every message.
      const welcome = await eventually(async () => {
        const { body } = await get('/sandbox/outbox?to=%2B491607654321');
        return body.data.find((entry: { body: { type: string } }) => entry.body.type === 'text');
      });
      expect(welcome.preview.buttons).toEqual([]);
      expect(welcome.preview.text.length).toBeGreaterThan(10);
    });

    it('refuses an act without its payload or on an unknown channel', async () => {
      expect((await post('/sandbox/act', { channel: 'whatsapp', from: '+491607654321', action: 'tap' })).status).toBe(400);
      expect((await post('/sandbox/act', { channel: 'pigeon', from: '+491607654321', action: 'text', text: 'Hallo' })).status).toBe(400);
    });
  });

  describe('inbox', () => {
    it('lists what citizens wrote, masked, with the 24-hour window, and answers inside it', async () => {
      await post('/sandbox/act', { channel: 'whatsapp', from: '+491701234567', action: 'text', text: 'Wann wird der Spielplatz repariert?' });
      // Commands are answered by the plugin and never reach the inbox.
      await post('/sandbox/act', { channel: 'whatsapp', from: '+491701234567', action: 'text', text: 'HILFE' });
      const list = await get('/inbox');
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([
        {
          id: expect.any(Number),
          channel: 'whatsapp',
          from: '+49170•••••67',
          name: null,
          text: 'Wann wird der Spielplatz repariert?',
          receivedAt: expect.any(String),
          handledAt: null,
          replyText: null,
          repliedAt: null,
          windowOpen: true,
        },
      ]);
      expect(list.body.meta).toMatchObject({ pagination: { page: 1, pageSize: 20, total: 1 }, enabled: true });
      expect(list.body.meta.cannedReplies[0]).toEqual({ id: '1', label: expect.any(String), text: expect.any(String) });
      expect(((await get('/inbox?status=all')).body.data as Array<{ text: string }>).map((row) => row.text)).toEqual(['Wann wird der Spielplatz repariert?']);

      const id = list.body.data[0].id;
      const reply = await post(`/inbox/${id}/reply`, { text: 'Nächste Woche, versprochen.' });
      expect(reply.status).toBe(200);
      expect(reply.body.data).toMatchObject({ id, replyText: 'Nächste Woche, versprochen.', handledAt: expect.any(String) });
      const sent = await eventually(async () => {
        const rows = await test.strapi.db.query(OUTBOX).findMany({ where: { toAddress: '+491701234567' } });
        return rows.find((row: { body: { text?: { body?: string } } }) => row.body.text?.body === 'Nächste Woche, versprochen.');
      });
      expect(sent.body).toMatchObject({ type: 'text', to: '491701234567' });
      expect((await get('/inbox')).body.data).toEqual([]);
      expect((await get('/inbox?status=handled')).body.data.map((row: { id: number }) => row.id)).toEqual([id]);
    });

    it('refuses a free-text answer once the window has closed, but can still mark it handled', async () => {
      const old = await test.strapi.db.query(INBOX).create({
        data: { channel: 'whatsapp', fromAddress: '+491709999888', providerMessageId: 'wamid.old', text: 'Hallo?', receivedAt: new Date(Date.now() - 25 * HOUR) },
      });
      const listed = (await get('/inbox')).body.data.find((row: { id: number }) => row.id === old.id);
      expect(listed).toMatchObject({ from: '+49170•••••88', windowOpen: false });
      const reply = await post(`/inbox/${old.id}/reply`, { text: 'Entschuldigung für die späte Antwort' });
      expect(reply.status).toBe(400);
      expect(reply.body.error.message).toMatch(/24-hour window is closed/);
      expect(await test.strapi.db.query(OUTBOX).count({ where: { toAddress: '+491709999888' } })).toBe(0);
      const handled = await post(`/inbox/${old.id}/handled`);
      expect(handled.status).toBe(200);
      expect(handled.body.data.handledAt).toEqual(expect.any(String));
      expect((await post('/inbox/999999/handled')).status).toBe(404);
    });
  });
});
