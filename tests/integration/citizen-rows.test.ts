import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { buttonReplyWebhook, inboundTextWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, publishArticle, seedTopics } from '../support/seed';
import { drained } from '../support/drained';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const VILLAGES = [
  { name: 'Dakendorf', slug: 'dakendorf' },
  { name: 'Gnissau', slug: 'gnissau' },
];

type Row = { id: number; status: string; address: string | null; whatsappUserId: string | null; locale: string | null; villages: string | null; source: string | null; topics: Array<{ slug: string }> };

/** One row per person and channel, and nothing a stranger chose survives on a citizen's row. */
describe("a citizen's rows", () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let consentVersion: string;
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const signup = (body: Record<string, unknown>) =>
    test.request.post('/api/town-crier/subscriptions').send({ channel: 'whatsapp', topics: ['verkehr'], consent: { accepted: true, version: consentVersion }, ...body });
  const codeOf = (response: { body: { data: { whatsappLink: string } } }) => decodeURIComponent(response.body.data.whatsappLink.split('text=')[1]).split(' ')[1];
  const rowsOf = (...ids: string[]) =>
    test.strapi.db.query(SUBSCRIBER).findMany({ where: { channel: 'whatsapp', $or: [{ address: { $in: ids } }, { whatsappUserId: { $in: ids } }] }, populate: ['topics'] }) as Promise<Row[]>;
  const newsTo = (address: string, title: string) => sentTo(fake, address).filter((request) => (request.body as { type?: string }).type === 'template' && request.rawBody.includes(title));
  const broadcastDone = async (title: string) => {
    const articleId = await publishArticle(test, { title, topic: 'verkehr' });
    await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row && ['sent', 'failed'].includes(row.broadcastStatus) && row;
    });
    await drained(test, { delayedWithinMs: 10_000 });
  };

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({
      pluginConfig: { ...whatsapp.config, town: { name: 'Ahrensbök', kind: 'Gemeinde', villages: VILLAGES }, languages: ['de', 'en'], rateLimit: { signupsPerIpPerHour: 40 } },
    });
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

  it('a username-only citizen who signs up again with their number keeps one row: news arrives once, STOP withdraws the person', async () => {
    const bsuid = 'DE.31415926535897932384';
    const number = '+4915180800001';
    // First a sign-up without a number, confirmed from WhatsApp by username only.
    const first = await signup({});
    await postWebhook(test, inboundTextWebhook('', `START ${codeOf(first)}`, { userId: bsuid, username: 'anna.k', timestamp: nowSeconds() - 60 }));
    await eventually(async () => (await rowsOf(bsuid)).some((row) => row.status === 'active'));
    await drained(test, { delayedWithinMs: 10_000 });

    // Later the same person signs up with their number, and taps the confirmation button; Meta
    // now tells us both the number and the BSUID.
    fake.reset();
    await signup({ address: '0151 80800001', topics: ['verkehr', 'kultur'] });
    const [confirmation] = await eventually(async () => sentTo(fake, number).length > 0 && sentTo(fake, number));
    const payload = (confirmation.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ payload: string }> }> } }).template.components.find(
      (component) => component.sub_type === 'quick_reply'
    )!.parameters[0].payload;
    await postWebhook(test, buttonReplyWebhook(number.slice(1), payload, { userId: bsuid }));
    await eventually(async () => (await rowsOf(number, bsuid)).every((row) => row.status === 'active'));
    await drained(test, { delayedWithinMs: 10_000 });

    const rows = await rowsOf(number, bsuid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'active', address: number, whatsappUserId: bsuid });
    expect(rows[0].topics.map((topic) => topic.slug).sort()).toEqual(['kultur', 'verkehr']);

    fake.reset();
    await broadcastDone('Sperrung der Bahnhofstraße');
    expect(newsTo(number, 'Bahnhofstraße').length + newsTo(bsuid, 'Bahnhofstraße').length).toBe(1);

    // STOP written with the username only withdraws the person, not one of two rows.
    await postWebhook(test, inboundTextWebhook('', 'STOP', { userId: bsuid }));
    await eventually(async () => (await rowsOf(number, bsuid)).every((row) => row.status === 'unsubscribed'));
    fake.reset();
    await broadcastDone('Gemeinderat tagt');
    expect(newsTo(number, 'Gemeinderat').length + newsTo(bsuid, 'Gemeinderat').length).toBe(0);
  });

  it("expiry of a stranger's unconfirmed sign-up clears what the stranger chose, so the owner's START does not take it on", async () => {
    const number = '+4915180800002';
    // The owner was subscribed (German, traffic) and left a month ago.
    const owner = (await test.strapi.db.query(SUBSCRIBER).create({
      data: {
        channel: 'whatsapp',
        address: number,
        status: 'unsubscribed',
        locale: 'de',
        source: 'web',
        confirmedAt: new Date(Date.now() - 60 * 86_400_000),
        unsubscribedAt: new Date(Date.now() - 30 * 86_400_000),
      },
    })) as { id: number };
    // A stranger signs the number up with their own choices and never confirms.
    const response = await signup({ address: number, topics: ['kultur'], villages: ['gnissau'], locale: 'en', source: 'flyer-rathaus' });
    expect(response.status).toBe(202);
    const pending = (await rowsOf(number))[0];
    expect(pending).toMatchObject({ id: owner.id, status: 'pending', locale: 'en', source: 'flyer-rathaus' });
    await drained(test, { delayedWithinMs: 10_000 });

    const subscriptions = test.strapi.plugin('town-crier').service('subscriptions') as { expirePending(now?: Date): Promise<unknown> };
    await subscriptions.expirePending(new Date(Date.now() + 49 * 3_600_000));
    const expired = (await rowsOf(number))[0];
    expect(expired.status).toBe('unsubscribed');
    expect({ topics: expired.topics, villages: expired.villages || null, locale: expired.locale, source: expired.source }).toEqual({ topics: [], villages: null, locale: null, source: null });

    // The owner comes back with START: none of the stranger's choices.
    await postWebhook(test, inboundTextWebhook(number.slice(1), 'START'));
    const back = await eventually(async () => {
      const [row] = await rowsOf(number);
      return row?.status === 'active' && row;
    });
    expect(back.topics).toEqual([]);
    expect(back.locale).not.toBe('en');
    expect(back.villages || null).toBeNull();
  });
});
