import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { drained } from '../support/drained';
import { inboundTextWebhook, statusWebhook, userPreferenceWebhook, toMetaJson, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo, WHATSAPP } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const INBOX = 'plugin::town-crier.inbound-message';

describe('WhatsApp webhooks and what citizens write', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  const logged: string[] = [];
  const erika = '+4915123456789';
  let erikaId = 0;

  const textsTo = (e164: string) =>
    sentTo(fake, e164)
      .map((request) => (request.body as { text?: { body: string } }).text?.body)
      .filter((text): text is string => Boolean(text));
  const subscriber = (id: number) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } });

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({ pluginConfig: whatsapp.config });
    // Everything the plugin logs is kept, to prove no full phone number or secret reaches the log.
    for (const level of ['info', 'warn', 'error', 'debug'] as const) {
      const original = test.strapi.log[level].bind(test.strapi.log);
      test.strapi.log[level] = ((message: unknown, ...rest: unknown[]) => {
        logged.push(String(message));
        return original(message as string, ...(rest as []));
      }) as typeof test.strapi.log.info;
    }
    const topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Ratssitzungen', 'ratssitzungen'],
    ]);
    erikaId = await seedSubscriber(test, erika, { topics: [topics.verkehr] });
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it("answers Meta's verification handshake only with the right verify token", async () => {
    const ok = await test.request
      .get('/api/town-crier/webhooks/whatsapp')
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': WHATSAPP.verifyToken, 'hub.challenge': '1158201444' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('1158201444');
    const wrong = await test.request
      .get('/api/town-crier/webhooks/whatsapp')
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1158201444' });
    expect(wrong.status).toBe(403);
    expect(wrong.text).not.toContain('1158201444');
  });

  it('refuses a webhook with a missing or wrong signature with 401 and processes nothing', async () => {
    const payload = inboundTextWebhook('4915123456789', 'STOP');
    const unsigned = await test.request.post('/api/town-crier/webhooks/whatsapp').set('content-type', 'application/json').send(toMetaJson(payload));
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error).toMatchObject({ status: 401, name: 'UnauthorizedError' });
    const forged = await postWebhook(test, payload, 'not-the-app-secret');
    expect(forged.status).toBe(401);
    // Had either been processed, STOP would have unsubscribed Erika and answered her.
    await drained(test);
    expect((await subscriber(erikaId)).status).toBe('active');
    expect(fake.requests).toHaveLength(0);
  });

  it('moves delivery statuses forward only, whatever order and however often they arrive', async () => {
    const articleId = await publishArticle(test, { title: 'Status', topic: 'verkehr' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.broadcastStatus === 'sent' && row;
    });
    const [delivery] = await deliveriesOf(test, announcement.documentId);
    const wamid = delivery.providerMessageId as string;
    const status = (value: 'sent' | 'delivered' | 'read', seconds: number) =>
      statusWebhook([{ id: wamid, status: value, recipientDigits: '4915123456789', deliveryRef: `d:${delivery.id}`, timestamp: 1_773_482_400 + seconds }]);

    expect((await postWebhook(test, status('read', 3))).status).toBe(200);
    await eventually(async () => (await deliveriesOf(test, announcement.documentId))[0].status === 'read');
    await postWebhook(test, status('delivered', 2));
    await postWebhook(test, status('sent', 1));
    await postWebhook(test, status('read', 3));
    // A later webhook proves the earlier ones were processed before we look.
    await postWebhook(test, inboundTextWebhook('4915199999999', 'HILFE'));
    await eventually(async () => textsTo('+4915199999999').length > 0);
    expect((await deliveriesOf(test, announcement.documentId))[0].status).toBe('read');
    const counted = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.readCount === 1 && row;
    });
    expect(counted).toMatchObject({ sentCount: 1, deliveredCount: 1, readCount: 1, failedCount: 0 });
  });

  it('records a failed status with 131050 as the citizen having stopped marketing messages', async () => {
    const articleId = await publishArticle(test, { title: 'Marketing', topic: 'verkehr' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.broadcastStatus === 'sent' && row;
    });
    const [delivery] = await deliveriesOf(test, announcement.documentId);
    await postWebhook(
      test,
      statusWebhook([
        { id: delivery.providerMessageId as string, status: 'sent', recipientDigits: '4915123456789', deliveryRef: `d:${delivery.id}` },
        {
          id: delivery.providerMessageId as string,
          status: 'failed',
          recipientDigits: '4915123456789',
          deliveryRef: `d:${delivery.id}`,
          errors: [{ code: 131050, title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business' }],
        },
      ])
    );
    const failed = await eventually(async () => {
      const [row] = await deliveriesOf(test, announcement.documentId);
      return row.status === 'failed' && row;
    });
    expect(failed).toMatchObject({ lastErrorCode: '131050', lastErrorClass: 'permanent-recipient' });
    // The delivery row is written first, the citizen right after it: wait for both.
    const stopped = await eventually(async () => {
      const current = await subscriber(erikaId);
      return current.marketingStoppedAt && current.status === 'unsubscribed' && current;
    });
    expect(stopped.marketingStoppedAt).toBeTruthy();
    // It is her withdrawal, in the consent ledger like the in-app stop.
    const ledger = await test.strapi.db.query('plugin::town-crier.consent-event').findMany({ where: { subscriber: erikaId } });
    expect(ledger.at(-1)).toMatchObject({ type: 'withdrawn', method: 'whatsapp-marketing-stop' });

    // The next broadcast does not reach her.
    const nextId = await publishArticle(test, { title: 'Danach', topic: 'verkehr' });
    const next = await eventually(async () => {
      const row = await announcementFor(test, nextId);
      return row?.broadcastStatus === 'sent' && row;
    });
    expect(next).toMatchObject({ recipientsCount: 0, sentCount: 0 });
    // The later tests need Erika as a subscriber again (as if she had signed up anew).
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: erikaId }, data: { marketingStoppedAt: null, status: 'active', unsubscribedAt: null } });
  });

  it('applies a batch of 1,000 statuses from one POST', async () => {
    const knex = test.strapi.db.connection;
    const table = test.strapi.db.metadata.get('plugin::town-crier.delivery').tableName;
    const now = test.dialect === 'sqlite' ? Date.now() : new Date();
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      document_id: `bulk${i}`,
      announcement_document_id: 'bulk-announcement',
      subscriber_id: 100_000 + i,
      channel: 'whatsapp',
      status: 'sent',
      provider_message_id: `wamid.bulk.${i}`,
      attempts: 1,
      created_at: now,
      updated_at: now,
      published_at: now,
    }));
    for (let i = 0; i < rows.length; i += 200) await knex(table).insert(rows.slice(i, i + 200));
    const payload = statusWebhook(rows.map((row) => ({ id: row.provider_message_id, status: 'delivered' as const, recipientDigits: '4915100000000' })));
    const response = await postWebhook(test, payload);
    expect(response.status).toBe(200);
    await eventually(
      async () => {
        const [{ n }] = await knex(table).where({ announcement_document_id: 'bulk-announcement', status: 'delivered' }).count({ n: '*' });
        return Number(n) === 1000;
      },
      { timeoutMs: 60_000 }
    );
  });

  it('answers HILFE with the privacy link and THEMEN with the topics', async () => {
    await postWebhook(test, inboundTextWebhook('4915123456789', 'hilfe'));
    await postWebhook(test, inboundTextWebhook('4915123456789', 'Thémen'));
    const replies = await eventually(async () => textsTo(erika).length >= 2 && textsTo(erika));
    // The two webhooks are processed concurrently: the answers may arrive in either order.
    const help = replies.find((text) => !text.startsWith('Ihre Themen')) as string;
    const topics = replies.find((text) => text.startsWith('Ihre Themen')) as string;
    expect(help).toMatch(/STOP/);
    expect(help).toContain('https://');
    expect(topics).toContain('Ihre Themen: Verkehr');
    expect(topics).toContain('Ratssitzungen');
    expect(await test.strapi.db.query(INBOX).count({ where: { handledAt: { $null: true } } })).toBe(0);
  });

  it('keeps any other message for the inbox and sends the interim reply at most once per period', async () => {
    await postWebhook(test, inboundTextWebhook('4915123456789', 'Wann wird die Hauptstraße wieder geöffnet?'));
    await postWebhook(test, inboundTextWebhook('4915123456789', 'Und gibt es eine Umleitung?'));
    const inbox = await eventually(async () => {
      const rows = await test.strapi.db.query(INBOX).findMany({ where: { handledAt: { $null: true } }, orderBy: { id: 'asc' } });
      return rows.length === 2 && rows;
    });
    // Webhook jobs run concurrently, so the two rows may be written in either order.
    expect(inbox.map((row: { text: string }) => row.text).sort()).toEqual(['Und gibt es eine Umleitung?', 'Wann wird die Hauptstraße wieder geöffnet?']);
    await eventually(async () => textsTo(erika).length >= 1);
    await postWebhook(test, inboundTextWebhook('4915199999998', 'HILFE'));
    await eventually(async () => textsTo('+4915199999998').length > 0);
    const replies = textsTo(erika);
    expect(replies).toHaveLength(1);
    // The default interim reply: it promises no deadline the town may not keep.
    expect(replies[0]).toMatch(/^Danke für Ihre Nachricht! Sie ist im Rathaus angekommen, wir antworten hier, sobald wir können\./);
  });

  it("treats WhatsApp's in-app stop of marketing messages as a withdrawal", async () => {
    await postWebhook(test, userPreferenceWebhook('4915123456789', 'stop'));
    const row = await eventually(async () => {
      const current = await subscriber(erikaId);
      return current.status === 'unsubscribed' && current;
    });
    expect(row.marketingStoppedAt).toBeTruthy();
    const ledger = await test.strapi.db.query('plugin::town-crier.consent-event').findMany({ where: { subscriber: erikaId } });
    expect(ledger.at(-1)).toMatchObject({ type: 'withdrawn', method: 'whatsapp-preference' });
  });

  it('never writes a full phone number, token or secret into the log', () => {
    const all = logged.join('\n');
    expect(logged.length).toBeGreaterThan(0);
    expect(all).not.toMatch(/\d{9,}/);
    expect(all).not.toContain(WHATSAPP.accessToken);
    expect(all).not.toContain(WHATSAPP.appSecret);
  });
});
