import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, type TestStrapi } from '../support/strapi';

/**
 * Issue #24, finding 5: erasure reaches every copy of the address. Provider message ids embed
 * it (Telegram `tg:<chat id>:<message>`, a WhatsApp wamid is base64 of the number); the citizen
 * wrote to the inbox under their BSUID; a stored webhook holds number and text. The export lists
 * each of them, erasure leaves none.
 */

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const DELIVERY = 'plugin::town-crier.delivery';
const INBOX = 'plugin::town-crier.inbound-message';
const WEBHOOK = 'plugin::town-crier.inbound-webhook';
const NUMBER = '+4915199887766';
const BSUID = 'DE.ErasedCitizenBsuid42';
const CHAT = '5544332211';

describe('erasure reaches every copy', () => {
  let test: TestStrapi;
  const privacy = () =>
    test.strapi.plugin('town-crier').service('privacy') as { erase(id: number): Promise<void>; exportSubscriber(id: number): Promise<Record<string, unknown>> };

  beforeAll(async () => {
    test = await bootStrapi();
  });
  afterAll(async () => {
    await test?.close();
  });

  it('lists and erases provider ids, inbox rows under the BSUID and stored webhooks', async () => {
    const db = test.strapi.db;
    const whatsapp = (await db.query(SUBSCRIBER).create({ data: { channel: 'whatsapp', address: NUMBER, whatsappUserId: BSUID, status: 'active', confirmedAt: new Date() } })) as { id: number };
    const telegram = (await db.query(SUBSCRIBER).create({ data: { channel: 'telegram', address: CHAT, status: 'active', confirmedAt: new Date() } })) as { id: number };
    const wamid = `wamid.${Buffer.from(`HBgN${NUMBER.slice(1)}FQIAERgSQUFBQUFB`).toString('base64')}`;
    await db.query(DELIVERY).create({ data: { announcementDocumentId: 'news-1', subscriberId: whatsapp.id, channel: 'whatsapp', status: 'read', providerMessageId: wamid } });
    await db.query(DELIVERY).create({ data: { announcementDocumentId: 'news-1', subscriberId: telegram.id, channel: 'telegram', status: 'sent', providerMessageId: `tg:${CHAT}:77` } });
    await db.query(INBOX).create({ data: { channel: 'whatsapp', fromAddress: BSUID, providerMessageId: 'wamid.inbox-bsuid', text: 'Wann kommt die Müllabfuhr?', receivedAt: new Date() } });
    await db.query(WEBHOOK).create({ data: { channel: 'whatsapp', receivedAt: new Date(), payload: { entry: [{ changes: [{ value: { contacts: [{ wa_id: NUMBER.slice(1), user_id: BSUID }], messages: [{ from: NUMBER.slice(1), text: { body: 'Hilfe' } }] } }] }] } } });
    await db.query(WEBHOOK).create({ data: { channel: 'telegram', receivedAt: new Date(), payload: { update_id: 1, message: { chat: { id: Number(CHAT) }, text: '/stop' } } } });
    await db.query(WEBHOOK).create({ data: { channel: 'whatsapp', receivedAt: new Date(), payload: { entry: [{ changes: [{ value: { messages: [{ from: '4917000000000', text: { body: 'someone else' } }] } }] }] } } });

    const exported = JSON.stringify(await privacy().exportSubscriber(whatsapp.id));
    expect(exported).toContain(wamid);
    expect(exported).toContain('Wann kommt die Müllabfuhr?');
    expect(exported).toContain('Hilfe');
    expect(JSON.stringify(await privacy().exportSubscriber(telegram.id))).toContain('/stop');

    await privacy().erase(whatsapp.id);
    await privacy().erase(telegram.id);

    const deliveries = (await db.query(DELIVERY).findMany({ where: { announcementDocumentId: 'news-1' } })) as Array<{ providerMessageId: string | null; status: string }>;
    expect(deliveries.map((row) => row.providerMessageId)).toEqual([null, null]);
    expect(deliveries.map((row) => row.status).sort()).toEqual(['read', 'sent']);
    expect(await db.query(INBOX).count({ where: { fromAddress: BSUID } })).toBe(0);
    const webhooks = JSON.stringify(await db.query(WEBHOOK).findMany({}));
    expect(webhooks).not.toContain(NUMBER.slice(1));
    expect(webhooks).not.toContain(CHAT);
    expect(webhooks).toContain('someone else');
  });
});
