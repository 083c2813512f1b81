import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { inboundTextWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, publishArticle, seedTopics } from '../support/seed';
import { queuesSettled, redisContents } from '../support/redis-scan';

/**
 * Issue #24, finding 3: a whole citizen's life with the town (sign-up, confirmation, THEMEN,
 * SPRACHE, villages in their own words, an inbox message answered by staff, a broadcast, a
 * failed send, STOP), then every key, value and job (completed and failed, with failedReason
 * and stacktrace) under this boot's Redis prefix is searched for anything that names them.
 */

const NUMBER = '+4915123456789';
const DIGITS = NUMBER.slice(1);
const BSUID = 'DE.AnnegretQuastBsuid77';
const EMAIL = 'annegret.quast@example.org';

describe('nothing personal in Redis', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let adminToken: string;

  const settled = () => eventually(async () => queuesSettled(test.prefix), { timeoutMs: 30_000 });
  const write = async (text: string) => {
    const before = sentTo(fake, NUMBER).length;
    expect((await postWebhook(test, inboundTextWebhook(DIGITS, text, { userId: BSUID, profileName: 'Annegret Quast' }))).status).toBe(200);
    await eventually(async () => sentTo(fake, NUMBER).length > before);
    await settled();
  };

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({
      pluginConfig: {
        ...whatsapp.config,
        channels: { ...(whatsapp.config.channels as Record<string, unknown>), email: { enabled: true, sandbox: true } },
        town: { name: 'Ahrensbök', kind: 'Gemeinde', villages: [{ name: 'Dakendorf', slug: 'dakendorf' }, { name: 'Gnissau', slug: 'gnissau' }] },
        rateLimit: { signupAnswerMinMs: 0 },
        broadcast: { maxAttempts: 2, retryBaseDelayMs: 50 },
      },
    });
    adminToken = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('keeps numbers, addresses, user ids, names and texts out of every key, value and job', async () => {
    await seedTopics(test, [['Verkehr', 'verkehr']]);
    const consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version as string;
    const signup = await test.request.post('/api/town-crier/subscriptions').send({
      channels: [{ channel: 'whatsapp', address: '0151 2345 6789' }, { channel: 'email', address: EMAIL }],
      name: 'Annegret Quast',
      topics: ['verkehr'],
      villages: ['gnissau'],
      consent: { accepted: true, version: consentVersion },
    });
    expect(signup.status).toBe(202);
    const link = (signup.body.data.channels as Array<{ whatsappLink?: string }>).find((answer) => answer.whatsappLink)?.whatsappLink as string;
    await eventually(async () => sentTo(fake, NUMBER).length > 0);
    await settled();

    await write(`START ${decodeURIComponent(link).split('START ')[1]}`);
    await write('THEMEN Dakendorf');
    await write('THEMEN Zwergenhausen');
    await write('THEMEN');
    await write('SPRACHE EN');
    await write('Mein Keller in der Lindenallee ist überflutet');

    const inbox = await test.request.get('/town-crier/inbox?status=open').set('Authorization', `Bearer ${adminToken}`);
    const message = (inbox.body.data as Array<{ id: number; text: string }>).find((row) => row.text.includes('Lindenallee')) as { id: number };
    const before = sentTo(fake, NUMBER).length;
    expect((await test.request.post(`/town-crier/inbox/${message.id}/reply`).set('Authorization', `Bearer ${adminToken}`).send({ text: 'Wir schicken morgen Herrn Brandt vorbei' })).status).toBe(200);
    await eventually(async () => sentTo(fake, NUMBER).length > before);
    await settled();

    // A broadcast whose send fails every time, with Meta quoting the number in its error.
    fake.failNext((body) => String(body.to ?? '').includes(DIGITS), { status: 500, code: 131000, message: `Something went wrong for ${DIGITS} (Annegret Quast)` }, 10);
    const article = await publishArticle(test, { title: 'Baustelle Hauptstraße', topic: 'verkehr' });
    await eventually(async () => {
      const announcement = await announcementFor(test, article);
      return announcement && ['sent', 'failed', 'paused'].includes(announcement.broadcastStatus);
    }, { timeoutMs: 30_000 });
    await settled();
    fake.setFaults(null);
    await write('STOP');

    const contents = await redisContents(test.prefix);
    const everything = contents.map((entry) => entry.text).join('\n');
    expect(everything).toMatch(/"message":"text"/);
    expect(everything).toMatch(/failedReason/);
    const unkeyed = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);
    const forbidden = [
      DIGITS,
      DIGITS.slice(2),
      '151 2345',
      BSUID,
      EMAIL,
      'annegret',
      'Annegret',
      'Quast',
      'Zwergenhausen',
      'Lindenallee',
      'überflutet',
      'Brandt',
      'Dakendorf',
      'Gnissau',
      'From now on you will receive',
      // Hashes anyone can compute from a list of numbers or addresses: reversible by trying them all.
      unkeyed(`whatsapp:${NUMBER}`),
      unkeyed('127.0.0.1'),
      unkeyed('::ffff:127.0.0.1'),
    ];
    for (const value of forbidden) {
      const found = contents.filter((entry) => entry.text.includes(value)).map((entry) => `${entry.key}: ${entry.text.slice(0, 300)}`);
      expect({ value, found }).toEqual({ value, found: [] });
    }
  }, 180_000);
});
