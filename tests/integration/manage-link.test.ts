import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { seedSubscriber, seedTopics } from '../support/seed';
import { drained } from '../support/drained';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';
const OUTBOX = 'plugin::town-crier.outbox-message';
const VILLAGES = [
  { name: 'Dakendorf', slug: 'dakendorf' },
  { name: 'Gnissau', slug: 'gnissau' },
];

type Row = { id: number; status: string; locale: string | null; villages: string | null; topics: Array<{ slug: string }> };

/**
 * The "change topics" link of a message opens the sign-up page with the citizen's manage
 * token. Submitted with it, the change takes effect at once; an active address signing up
 * again without it gets one "confirm your change" message, never silence.
 */
describe('the manage link applies the change', () => {
  let test: TestStrapi;
  let consentVersion: string;
  let topics: Record<string, number>;

  const subscriptions = () => test.strapi.plugin('town-crier').service('subscriptions') as { manageToken(id: number): string };
  const rowOf = (id: number) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { id }, populate: ['topics'] }) as Promise<Row>;
  const submit = (body: Record<string, unknown>) =>
    test.request.post('/api/town-crier/subscriptions').send({ topics: [], consent: { accepted: true, version: consentVersion }, source: 'signup-page', ...body });
  const mailsTo = (address: string) => test.strapi.db.query(OUTBOX).findMany({ where: { channel: 'email', toAddress: address } }) as Promise<Array<{ body: unknown }>>;

  beforeAll(async () => {
    test = await bootStrapi({
      pluginConfig: {
        town: { name: 'Ahrensbök', kind: 'Gemeinde', villages: VILLAGES },
        languages: ['de', 'en'],
        channels: { whatsapp: { enabled: false }, email: { enabled: true, sandbox: true } },
        rateLimit: { signupsPerIpPerHour: 40 },
      },
    });
    topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
    ]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
  });

  it('with its token, the change of topics, villages and language takes effect at once, and the answer says what changed', async () => {
    const id = await seedSubscriber(test, 'clara@example.org', { channel: 'email', topics: [topics.verkehr] });
    const response = await submit({ channels: [{ channel: 'email' }], topics: ['kultur'], villages: ['gnissau'], locale: 'en', manage: subscriptions().manageToken(id) });
    expect(response.status).toBe(202);
    expect(response.body.data.channels).toEqual([
      expect.objectContaining({ channel: 'email', status: 'active', changed: { topics: ['Kultur'], villages: ['Gnissau'], language: 'en' } }),
    ]);
    const row = await rowOf(id);
    expect({ status: row.status, topics: row.topics.map((topic) => topic.slug), villages: row.villages, locale: row.locale }).toEqual({
      status: 'active',
      topics: ['kultur'],
      villages: '|gnissau|',
      locale: 'en',
    });
    // Nothing to confirm: the token proves the subscription. The ledger records the changes.
    await drained(test, { delayedWithinMs: 10_000 });
    expect(await mailsTo('clara@example.org')).toEqual([]);
    const ledger = (await test.strapi.db.query(LEDGER).findMany({ where: { subscriber: id } })) as Array<{ type: string; method: string }>;
    expect(ledger.map((event) => `${event.type}:${event.method}`).sort()).toEqual(['changed:manage-link', 'changed:manage-link', 'language-changed:manage-link']);

    // The same again changes nothing, and says so.
    const again = await submit({ channels: [{ channel: 'email' }], topics: ['kultur'], villages: ['gnissau'], locale: 'en', manage: subscriptions().manageToken(id) });
    expect(again.body.data.channels[0]).toMatchObject({ status: 'active', changed: {} });
  });

  it('refuses a forged token with a 400 naming the field, changing nothing', async () => {
    const id = await seedSubscriber(test, 'dora@example.org', { channel: 'email', topics: [topics.verkehr] });
    const response = await submit({ channels: [{ channel: 'email' }], topics: ['kultur'], manage: `${id}.forgedforgedforgedforged` });
    expect(response.status).toBe(400);
    expect(response.body.error.details.errors[0].path).toEqual(['manage']);
    expect((await rowOf(id)).topics.map((topic) => topic.slug)).toEqual(['verkehr']);
  });

  it('an active address signing up again without a token gets one "confirm your change" message, and nothing changes', async () => {
    const id = await seedSubscriber(test, 'emil@example.org', { channel: 'email', topics: [topics.verkehr] });
    expect((await submit({ channel: 'email', address: 'Emil@example.org', topics: ['kultur'], villages: ['dakendorf'] })).status).toBe(202);
    const [mail] = await eventually(async () => {
      const found = await mailsTo('emil@example.org');
      return found.length > 0 && found;
    });
    const body = JSON.stringify(mail.body);
    expect(body).toContain('/api/town-crier/signup?keep=');
    expect(body).toContain('Änderung');
    // A second attempt within the hour sends nothing more.
    expect((await submit({ channel: 'email', address: 'emil@example.org', topics: ['kultur'] })).status).toBe(202);
    await drained(test, { delayedWithinMs: 10_000 });
    expect(await mailsTo('emil@example.org')).toHaveLength(1);
    expect((await rowOf(id)).topics.map((topic) => topic.slug)).toEqual(['verkehr']);
  });
});
