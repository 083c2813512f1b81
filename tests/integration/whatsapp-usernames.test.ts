import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { buttonReplyWebhook, inboundTextWebhook, userIdUpdateWebhook, userPreferenceWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';

/**
 * WhatsApp usernames (2026): citizens who set one reach us with a business-scoped user id
 * (BSUID) and, often, without a phone number. Their consent must work both ways: START signs
 * them up, STOP ends everything.
 */
describe('WhatsApp citizens known by username (BSUID)', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let consentVersion: string;
  let adminToken: string;
  const logged: string[] = [];

  const signup = (body: Record<string, unknown>) =>
    test.request.post('/api/town-crier/subscriptions').send({ channel: 'whatsapp', topics: ['verkehr'], consent: { accepted: true, version: consentVersion }, ...body });
  const codeOf = (response: { body: { data: { whatsappLink: string } } }) => decodeURIComponent(response.body.data.whatsappLink.split('text=')[1]).split(' ')[1];
  const subscriberById = (id: number) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } });
  const templatesTo = (address: string) => sentTo(fake, address).filter((request) => (request.body as { type?: string }).type === 'template');
  const textsTo = (address: string) =>
    sentTo(fake, address)
      .map((request) => (request.body as { text?: { body: string } }).text?.body)
      .filter((text): text is string => Boolean(text));
  const broadcastDone = async (title: string) => {
    const articleId = await publishArticle(test, { title, topic: 'verkehr' });
    return eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row && ['sent', 'failed'].includes(row.broadcastStatus) && row;
    });
  };

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({ pluginConfig: { ...whatsapp.config, rateLimit: { signupsPerIpPerHour: 40 } } });
    for (const level of ['info', 'warn', 'error', 'debug'] as const) {
      const original = test.strapi.log[level].bind(test.strapi.log);
      test.strapi.log[level] = ((message: unknown, ...rest: unknown[]) => {
        logged.push(String(message));
        return original(message as string, ...(rest as []));
      }) as typeof test.strapi.log.info;
    }
    await seedTopics(test, [['Verkehr', 'verkehr']]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
    adminToken = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('a username-only citizen signs up with START <code>, receives news by BSUID, writes STOP and gets nothing more', async () => {
    const bsuid = 'DE.13491208655302741918';
    // The citizen types their number on the website; their WhatsApp shows only the username.
    const response = await signup({ address: '0151 11112222' });
    expect(response.status).toBe(202);
    const code = codeOf(response);
    await postWebhook(test, inboundTextWebhook('', `START ${code}`, { userId: bsuid, username: 'erika.m' }));

    const subscriber = await eventually(async () => {
      const row = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { whatsappUserId: bsuid } });
      return row?.status === 'active' && row;
    });
    // The number typed on the website was never proven by this citizen's WhatsApp: it is not kept.
    expect(subscriber.address).toBe(bsuid);
    const welcome = await eventually(async () => textsTo(bsuid).length > 0 && sentTo(fake, bsuid));
    expect(welcome[0].body).toMatchObject({ recipient: bsuid, type: 'text' });
    expect(welcome[0].body).not.toHaveProperty('to');

    await broadcastDone('Straßensperrung Hauptstraße');
    const news = await eventually(async () => templatesTo(bsuid).length > 0 && templatesTo(bsuid));
    expect(news).toHaveLength(1);
    expect(news[0].body).toMatchObject({ messaging_product: 'whatsapp', recipient: bsuid, type: 'template' });
    expect(news[0].body).not.toHaveProperty('to');
    // Nothing ever went to the typed number.
    expect(sentTo(fake, '+4915111112222').filter((request) => (request.body as { type: string }).type === 'template' && JSON.stringify(request.body).includes('town_news"'))).toHaveLength(0);

    fake.reset();
    await postWebhook(test, inboundTextWebhook('', 'STOP', { userId: bsuid, username: 'erika.m' }));
    await eventually(async () => (await subscriberById(subscriber.id)).status === 'unsubscribed');
    await eventually(async () => textsTo(bsuid).length > 0);

    await broadcastDone('Ratssitzung am Dienstag');
    expect(templatesTo(bsuid)).toHaveLength(0);
    // BSUIDs are personal data: never in the log in full.
    expect(logged.join('\n')).not.toContain(bsuid);
  });

  it('confirms a tap on the confirmation button that arrives with the BSUID only, and keeps the number it went to', async () => {
    const bsuid = 'DE.27182818284590452353';
    await signup({ address: '0151 44445555' });
    const [confirmation] = await eventually(async () => sentTo(fake, '+4915144445555').length > 0 && sentTo(fake, '+4915144445555'));
    const payload = (confirmation.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ payload: string }> }> } }).template.components.find(
      (component) => component.sub_type === 'quick_reply'
    )!.parameters[0].payload;
    await postWebhook(test, buttonReplyWebhook('', payload, { userId: bsuid }));
    const row = await eventually(async () => {
      const found = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { address: '+4915144445555' } });
      return found?.status === 'active' && found;
    });
    // The token only went to this number's WhatsApp: the tap proves the number, and the BSUID is remembered.
    expect(row.whatsappUserId).toBe(bsuid);
  });

  it('finds a citizen known by number when a later webhook carries only the BSUID', async () => {
    const number = '+4915122223333';
    const bsuid = 'DE.777000111222333444';
    const id = await seedSubscriber(test, number);
    // First contact after the rollout: number and BSUID together; the BSUID is remembered.
    await postWebhook(test, inboundTextWebhook(number, 'HILFE', { userId: bsuid }));
    await eventually(async () => (await subscriberById(id)).whatsappUserId === bsuid);
    // Later the citizen sets a username and writes STOP without a number.
    await postWebhook(test, inboundTextWebhook('', 'STOPP', { userId: bsuid }));
    await eventually(async () => (await subscriberById(id)).status === 'unsubscribed');
    expect((await subscriberById(id)).address).toBe(number);
  });

  it('signs up without a number at all: START <code> from WhatsApp proves who the citizen is', async () => {
    const bsuid = 'AT.99887766554433';
    const response = await signup({});
    expect(response.status).toBe(202);
    expect(response.body.data.whatsappLink).toMatch(/START%20[A-Z2-9]{6}$/);
    await postWebhook(test, inboundTextWebhook('', `start ${codeOf(response)}`, { userId: bsuid }));
    const row = await eventually(async () => {
      const found = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { whatsappUserId: bsuid } });
      return found?.status === 'active' && found;
    });
    expect(row.address).toBe(bsuid);
  });

  it('keeps the record current on user_id_update, so STOP from the new BSUID still unsubscribes', async () => {
    const previous = 'DE.1111111111';
    const current = 'DE.2222222222';
    const response = await signup({});
    await postWebhook(test, inboundTextWebhook('', `START ${codeOf(response)}`, { userId: previous }));
    const row = await eventually(async () => {
      const found = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { whatsappUserId: previous } });
      return found?.status === 'active' && found;
    });
    await postWebhook(test, userIdUpdateWebhook(previous, current));
    const updated = await eventually(async () => {
      const found = await subscriberById(row.id);
      return found.whatsappUserId === current && found;
    });
    expect(updated.address).toBe(current);
    await postWebhook(test, inboundTextWebhook('', 'STOP', { userId: current }));
    await eventually(async () => (await subscriberById(row.id)).status === 'unsubscribed');
  });

  it("honours the in-app marketing stop of a citizen known only by BSUID", async () => {
    const bsuid = 'DE.5555666677778888';
    const response = await signup({});
    await postWebhook(test, inboundTextWebhook('', `START ${codeOf(response)}`, { userId: bsuid }));
    const row = await eventually(async () => {
      const found = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { whatsappUserId: bsuid } });
      return found?.status === 'active' && found;
    });
    await postWebhook(test, userPreferenceWebhook('', 'stop', { userId: bsuid }));
    const stopped = await eventually(async () => {
      const found = await subscriberById(row.id);
      return found.status === 'unsubscribed' && found;
    });
    expect(stopped.marketingStoppedAt).toBeTruthy();
  });

  it('puts a username-only citizen’s message in the inbox with the BSUID masked, and staff can answer it by BSUID', async () => {
    const bsuid = 'DE.31415926535897932384';
    await postWebhook(test, inboundTextWebhook('', 'Wann wird die Laterne repariert?', { userId: bsuid, username: 'nachbar' }));
    const item = await eventually(async () => {
      const list = await test.request.get('/town-crier/inbox').set('Authorization', `Bearer ${adminToken}`);
      return (list.body.data as Array<{ id: number; from: string; text: string }>).find((entry) => entry.text.startsWith('Wann wird die Laterne'));
    });
    expect(item.from).not.toContain(bsuid);
    expect(item.from).toMatch(/^DE\.314•+84$/);
    const interim = await eventually(async () => sentTo(fake, bsuid).length > 0 && sentTo(fake, bsuid));
    expect(interim[0].body).toMatchObject({ recipient: bsuid, type: 'text' });
    const replied = await test.request.post(`/town-crier/inbox/${item.id}/reply`).set('Authorization', `Bearer ${adminToken}`).send({ text: 'Morgen.' });
    expect(replied.status).toBe(200);
    await eventually(async () => textsTo(bsuid).includes('Morgen.'));
  });

  it('export shows the BSUID to the admin who may see personal data; erasure removes it', async () => {
    const bsuid = 'DE.4242424242424242';
    const id = await seedSubscriber(test, '+4915133334444');
    await postWebhook(test, inboundTextWebhook('+4915133334444', 'Wann ist Sperrmüll?', { userId: bsuid }));
    await eventually(async () => (await subscriberById(id)).whatsappUserId === bsuid);
    const exported = await test.request.get(`/town-crier/subscribers/${id}/export`).set('Authorization', `Bearer ${adminToken}`);
    expect(exported.status).toBe(200);
    expect(exported.body.data.subscriber.whatsappUserId).toBe(bsuid);

    const erased = await test.request.post(`/town-crier/subscribers/${id}/erase`).set('Authorization', `Bearer ${adminToken}`);
    expect(erased.status).toBe(200);
    const row = await subscriberById(id);
    expect(row).toMatchObject({ address: null, whatsappUserId: null });
    expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { whatsappUserId: bsuid } })).toBe(0);
  });
});
