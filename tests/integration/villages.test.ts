import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { inboundTextWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, deliveriesOf, seedSubscriber, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';

const VILLAGES = [
  { name: 'Dakendorf', slug: 'dakendorf' },
  { name: 'Gnissau', slug: 'gnissau' },
  { name: 'Groß Parin', slug: 'gross-parin', postcode: '23619' },
];

/**
 * Villages (Ortsteile): a town's news reaches the citizens of the villages it names, crossed with
 * topics, "all" on either side meaning everything; sign-up, THEMEN, statistics, the editor's
 * preview, and the privacy side (ledger, export, erasure).
 */
describe('villages', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let adminToken: string;
  let consentVersion: string;
  let topics: Record<string, number>;
  let slugCounter = 0;

  // Who lives where and follows what: [topics, villages]; villages null = the whole town.
  const people = {
    verkehrDakendorf: { phone: '+4915110000001', topics: ['verkehr'], villages: ['dakendorf'] },
    verkehrGnissau: { phone: '+4915110000002', topics: ['verkehr'], villages: ['gnissau'] },
    allDakendorf: { phone: '+4915110000003', topics: [], villages: ['dakendorf'] },
    kulturDakendorf: { phone: '+4915110000004', topics: ['kultur'], villages: ['dakendorf'] },
    verkehrTown: { phone: '+4915110000005', topics: ['verkehr'], villages: [] },
    allTown: { phone: '+4915110000006', topics: [], villages: [] },
    verkehrTwo: { phone: '+4915110000007', topics: ['verkehr'], villages: ['gnissau', 'gross-parin'] },
  };
  type Person = keyof typeof people;
  const ids = {} as Record<Person, number>;

  const admin = (method: 'get' | 'post', path: string) => test.request[method](`/town-crier${path}`).set('Authorization', `Bearer ${adminToken}`);
  const publish = async (fields: { title: string; topic?: string; ortsteile?: string }) => {
    slugCounter += 1;
    const article = (await test.strapi.documents('api::article.article' as never).create({
      data: { summary: `Zusammenfassung: ${fields.title}`, slug: `ortsteil-${slugCounter}`, ...fields },
      status: 'published',
    } as never)) as { documentId: string };
    return eventually(async () => {
      const announcement = await announcementFor(test, article.documentId);
      return announcement && ['sent', 'failed', 'paused'].includes(announcement.broadcastStatus) && announcement;
    });
  };
  const recipientsOf = async (announcementDocumentId: string) => {
    const byId = new Map(Object.entries(ids).map(([person, id]) => [id, person]));
    return (await deliveriesOf(test, announcementDocumentId)).map((delivery) => byId.get(delivery.subscriberId) ?? `#${delivery.subscriberId}`).sort();
  };
  const textsTo = (e164: string) =>
    sentTo(fake, e164)
      .map((request) => (request.body as { text?: { body: string } }).text?.body)
      .filter((text): text is string => Boolean(text));
  const villagesOf = async (id: number) => ((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id }, select: ['villages'] })) as { villages: string | null }).villages;
  const ledgerOf = (id: number) =>
    test.strapi.db.query(LEDGER).findMany({ where: { subscriber: id }, orderBy: { id: 'asc' } }) as Promise<Array<{ type: string; method: string; detail: string | null }>>;

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({
      pluginConfig: {
        ...whatsapp.config,
        town: { name: 'Ahrensbök', kind: 'Gemeinde', villages: VILLAGES },
        contentTypes: { 'api::article.article': { villages: 'ortsteile' } },
        rateLimit: { signupAnswerMinMs: 0 },
      },
    });
    adminToken = await createSuperAdmin(test);
    topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
    ]);
    for (const [person, seed] of Object.entries(people) as Array<[Person, (typeof people)[Person]]>) {
      ids[person] = await seedSubscriber(test, seed.phone, { topics: seed.topics.map((slug) => topics[slug]) });
      // As the sign-up stores them.
      if (seed.villages.length) await test.strapi.db.query(SUBSCRIBER).update({ where: { id: ids[person] }, data: { villages: `|${[...seed.villages].sort().join('|')}|` } });
    }
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  describe('targeting: topic × village, "all" on either side matching everything', () => {
    it('news on a topic for one village reaches that village and the whole-town citizens of the topic', async () => {
      const announcement = await publish({ title: 'Dorfstraße in Dakendorf gesperrt', topic: 'verkehr', ortsteile: 'Dakendorf' });
      expect(announcement.villages).toEqual(['dakendorf']);
      expect(await recipientsOf(announcement.documentId)).toEqual(['allDakendorf', 'allTown', 'verkehrDakendorf', 'verkehrTown'].sort());
    });

    it('news on a topic without villages reaches every village (the whole town)', async () => {
      const announcement = await publish({ title: 'Bundesstraße gesperrt', topic: 'verkehr' });
      expect(announcement.villages).toEqual([]);
      expect(await recipientsOf(announcement.documentId)).toEqual(['allDakendorf', 'allTown', 'verkehrDakendorf', 'verkehrGnissau', 'verkehrTown', 'verkehrTwo'].sort());
    });

    it('news without a topic for two villages (named as editors write them) reaches those villages on every topic', async () => {
      const announcement = await publish({ title: 'Wasserrohrbruch', ortsteile: 'gnissau; Groß Parin' });
      expect(announcement.villages).toEqual(['gnissau', 'gross-parin']);
      expect(await recipientsOf(announcement.documentId)).toEqual(['allTown', 'verkehrGnissau', 'verkehrTown', 'verkehrTwo'].sort());
    });

    it('news without topic and village reaches everyone; a village nobody knows is left out', async () => {
      const everyone = await publish({ title: 'Gemeindefest' });
      expect((await recipientsOf(everyone.documentId)).length).toBe(7);
      const unknown = await publish({ title: 'Irgendwo', ortsteile: 'Nirgendwo' });
      expect(unknown.villages).toEqual([]);
      expect((await recipientsOf(unknown.documentId)).length).toBe(7);
    });
  });

  it('previews the recipients per village, as a separate field', async () => {
    const response = await admin('get', '/preview?uid=api::article.article&topic=verkehr&villages=Dakendorf,%20Gnissau,%20Nirgendwo');
    expect(response.status).toBe(200);
    const data = response.body.data;
    // Topic verkehr or none, in Dakendorf, Gnissau or the whole town: everyone but kulturDakendorf.
    expect(data.recipients.total).toBe(6);
    expect(data.fields.villages).toBe('ortsteile');
    expect(data.villages).toEqual({
      selected: [
        { slug: 'dakendorf', name: 'Dakendorf', recipients: 2 },
        { slug: 'gnissau', name: 'Gnissau', recipients: 2 },
      ],
      wholeTown: 2,
      unmatched: ['Nirgendwo'],
    });
    const town = (await admin('get', '/preview?uid=api::article.article&topic=kultur&villages=')).body.data;
    expect(town.recipients.total).toBe(3);
    expect(town.villages).toEqual({ selected: [], wholeTown: 3, unmatched: [] });
  });

  it('counts subscribers per village with the "<5" suppression, on the page and in the CSV', async () => {
    for (let i = 0; i < 6; i += 1) {
      const id = await seedSubscriber(test, `+4915120000${String(i).padStart(3, '0')}`, { channel: 'email' });
      await test.strapi.db.query(SUBSCRIBER).update({ where: { id }, data: { address: `parin${i}@example.org`, villages: '|gross-parin|' } });
    }
    // Not active: not counted.
    const gone = await seedSubscriber(test, '+4915120000999', { status: 'unsubscribed' });
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: gone }, data: { villages: '|gross-parin|' } });

    const response = await admin('get', '/stats/overview');
    expect(response.status).toBe(200);
    // Dakendorf 3, Gnissau 2, Groß Parin 1 + 6 = 7, the whole town 2.
    expect(response.body.data.byVillage).toEqual([
      { key: 'dakendorf', label: 'Dakendorf', count: '<5' },
      { key: 'gnissau', label: 'Gnissau', count: '<5' },
      { key: 'gross-parin', label: 'Groß Parin', count: 7 },
      { key: '*', label: 'Whole town (no village chosen)', count: '<5' },
    ]);
    expect(response.body.data.subscribers.active).toBe(13);
    const csv = (await admin('get', '/stats/export.csv?days=7')).text;
    expect(csv).toContain('village,dakendorf,Dakendorf,,,,<5');
    expect(csv).toContain('village,gross-parin,Groß Parin,,,,7');
  });

  describe('sign-up', () => {
    const submit = (body: Record<string, unknown>) =>
      test.request.post('/api/town-crier/subscriptions').send({ channel: 'whatsapp', topics: [], locale: 'de', consent: { accepted: true, version: consentVersion }, ...body });

    it('offers the villages on the page and lists them publicly', async () => {
      const page = await test.request.get('/api/town-crier/signup');
      expect(page.text).toContain('<legend>Ortsteile</legend>');
      expect(page.text).toContain('<input type="checkbox" id="village-2" name="villages" value="gross-parin">');
      expect(page.text).toContain('<label for="village-2">Groß Parin (23619)</label>');
      expect(page.text).toContain('Ohne Auswahl erhalten Sie die Meldungen aller Ortsteile der Gemeinde Ahrensbök.');
      const list = await test.request.get('/api/town-crier/villages');
      expect(list.body.data).toEqual([
        { name: 'Dakendorf', slug: 'dakendorf', postcode: null },
        { name: 'Gnissau', slug: 'gnissau', postcode: null },
        { name: 'Groß Parin', slug: 'gross-parin', postcode: '23619' },
      ]);
    });

    it('refuses an unknown village with a 400 in Strapi’s error shape and stores nothing', async () => {
      const before = await test.strapi.db.query(SUBSCRIBER).count({});
      const ledgerBefore = await test.strapi.db.query(LEDGER).count({});
      const response = await submit({ address: '0151 30000001', villages: ['dakendorf', 'atlantis'] });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ status: 400, name: 'ValidationError', message: 'Unknown village: atlantis' });
      expect(response.body.error.details.errors[0].path).toEqual(['villages']);
      expect(await test.strapi.db.query(SUBSCRIBER).count({})).toBe(before);
      expect(await test.strapi.db.query(LEDGER).count({})).toBe(ledgerBefore);
      expect(sentTo(fake, '+4915130000001')).toEqual([]);
      // Not a list of slugs at all: refused by the schema.
      expect((await submit({ address: '0151 30000001', villages: 'dakendorf' })).status).toBe(400);
    });

    it('stores the chosen villages and records the choice in the consent ledger', async () => {
      const response = await submit({ address: '0151 30000002', villages: ['gnissau', 'dakendorf'] });
      expect(response.status).toBe(202);
      const row = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { address: '+4915130000002' } })) as { id: number; villages: string };
      expect(row.villages).toBe('|dakendorf|gnissau|');
      const ledger = await ledgerOf(row.id);
      expect(ledger.map((event) => [event.type, event.method, event.detail])).toEqual([
        ['requested', 'web-form', null],
        ['changed', 'web-form', 'villages: dakendorf, gnissau'],
      ]);

      const town = await submit({ address: '0151 30000003' });
      expect(town.status).toBe(202);
      const whole = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { address: '+4915130000003' } })) as { id: number; villages: string | null };
      expect(whole.villages).toBeNull();
      expect((await ledgerOf(whole.id)).map((event) => event.detail)).toEqual([null, 'villages: all']);
    });
  });

  describe('THEMEN over WhatsApp', () => {
    const person = people.verkehrDakendorf.phone;
    const write = async (text: string, replies: number) => {
      await postWebhook(test, inboundTextWebhook(person.slice(1), text));
      return eventually(async () => textsTo(person).length >= replies && textsTo(person)[replies - 1]);
    };

    it('lists the citizen’s villages with the topics, and its link carries them to the page and a new sign-up', async () => {
      const reply = await write('THEMEN', 1);
      expect(reply).toContain('Ihre Themen: Verkehr.');
      expect(reply).toContain('Ihre Ortsteile: Dakendorf. Ortsteile: Dakendorf, Gnissau, Groß Parin.');
      expect(reply).toContain('THEMEN ALLE');

      const link = new URL(/https?:\/\/\S+keep=\S+/.exec(reply)?.[0] as string);
      const page = await test.request.get(`${link.pathname}${link.search}`);
      const ticked = [...page.text.matchAll(/name="villages" value="([\w-]+)"( checked)?>/g)].map((match) => [match[1], Boolean(match[2])]);
      expect(ticked).toEqual([
        ['dakendorf', true],
        ['gnissau', false],
        ['gross-parin', false],
      ]);
      const moved = await test.request
        .post('/api/town-crier/subscriptions')
        .send({ channel: 'whatsapp', address: '0151 30000009', topics: [], consent: { accepted: true, version: consentVersion }, topicsFrom: link.searchParams.get('keep') });
      expect(moved.status).toBe(202);
      expect(((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { address: '+4915130000009' } })) as { villages: string }).villages).toBe('|dakendorf|');
    });

    it('changes the villages, records each change in the ledger, and leaves them alone for an unknown name', async () => {
      const id = ids.verkehrDakendorf;
      expect(await write('Themen Gnissau und Groß Parin', 1)).toBe('Sie erhalten jetzt Meldungen für: Gnissau, Groß Parin (und Meldungen für alle Ortsteile).');
      expect(await villagesOf(id)).toBe('|gnissau|gross-parin|');

      expect(await write('THEMEN Atlantis', 2)).toContain('Diesen Ortsteil kennen wir nicht: Atlantis. Nichts geändert.');
      expect(await villagesOf(id)).toBe('|gnissau|gross-parin|');

      // Written as a phone keyboard gives it, without umlaut and in capitals.
      expect(await write('ORTSTEIL GROSS PARIN', 3)).toBe('Sie erhalten jetzt Meldungen für: Groß Parin (und Meldungen für alle Ortsteile).');
      expect(await villagesOf(id)).toBe('|gross-parin|');

      expect(await write('themen alle', 4)).toBe('Sie erhalten jetzt die Meldungen aus allen Ortsteilen.');
      expect(await villagesOf(id)).toBeNull();

      const changes = (await ledgerOf(id)).filter((event) => event.type === 'changed');
      expect(changes.map((event) => [event.method, event.detail])).toEqual([
        ['whatsapp-keyword', 'villages: gnissau, gross-parin'],
        ['whatsapp-keyword', 'villages: gross-parin'],
        ['whatsapp-keyword', 'villages: all'],
      ]);
    });
  });

  it('exports the village and erasure removes it, from the row and the ledger', async () => {
    const id = ids.verkehrTwo;
    await test.strapi.plugin('town-crier').service('subscriptions').setVillages({ id, channel: 'whatsapp' }, ['gnissau', 'gross-parin'], 'admin');
    const exported = (await admin('get', `/subscribers/${id}/export`)).body.data;
    expect(exported.subscriber.villages).toEqual([
      { slug: 'gnissau', name: 'Gnissau' },
      { slug: 'gross-parin', name: 'Groß Parin' },
    ]);
    expect(exported.consentEvents.map((event: { detail: string | null }) => event.detail)).toContain('villages: gnissau, gross-parin');

    expect((await admin('post', `/subscribers/${id}/erase`)).status).toBe(200);
    expect(await villagesOf(id)).toBeNull();
    const ledger = await ledgerOf(id);
    expect(ledger.map((event) => event.type)).toEqual(['changed', 'erased']);
    expect(ledger.every((event) => event.detail === null)).toBe(true);
    expect((await admin('get', `/subscribers/${id}/export`)).body.data.subscriber.villages).toEqual([]);
  });
});
