import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, REDIS_URL, type TestStrapi } from '../support/strapi';
import { drained } from '../support/drained';
import { inboundTextWebhook, signedWebhookRequest, statusWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo, WHATSAPP } from '../support/whatsapp';
import { seedSubscriber, seedTopics } from '../support/seed';
import { lowerCaseLegacyEmailAddresses } from '../../server/src/subscribers/legacy-email-case';

/**
 * The attacker's view of issue #17: someone with a script and the public routes (and, for the
 * statistics, an admin who may only read aggregates) tries to learn who is subscribed, to
 * erase a citizen's consent history, to activate sign-ups nobody confirmed, to make the town
 * send paid messages, and to find personal data where erasure cannot reach it.
 */

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';
const INBOX = 'plugin::town-crier.inbound-message';
const OUTBOX = 'plugin::town-crier.outbox-message';
const STAND_TOKEN = 'stand-rathaus-foyer-0123456789abcdef';
const SIGNUPS_PER_IP = 5;
const TEMPLATES_PER_HOUR = 6;
const ANSWER_FLOOR_MS = 250;

let ipCounter = 0;
/** A fresh client address per call, so the per-IP limit stays out of tests about something else. */
const freshIp = () => {
  ipCounter += 1;
  return `198.51.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
};

describe('privacy attacks', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let consentVersion: string;
  let adminToken: string;
  let topics: Record<string, number>;

  const signup = (body: Record<string, unknown>, ip = freshIp(), headers: Record<string, string> = {}) =>
    test.request
      .post('/api/town-crier/subscriptions')
      .set('X-Forwarded-For', ip)
      .set(headers)
      .send({ channel: 'whatsapp', topics: [], consent: { accepted: true, version: consentVersion }, ...body });
  const service = <T>(name: string) => test.strapi.plugin('town-crier').service(name) as T;
  const rowOf = (address: string, channel = 'whatsapp') => test.strapi.db.query(SUBSCRIBER).findOne({ where: { address, channel } });
  const ledgerOf = (id: number) => test.strapi.db.query(LEDGER).findMany({ where: { subscriber: id }, orderBy: { id: 'asc' } });
  const record = (input: Record<string, unknown>) => service<{ record(input: Record<string, unknown>): Promise<void> }>('consent-ledger').record(input as never);
  /** What an observer can compare between two answers: status, headers that matter, body. */
  const visible = (response: { status: number; body: unknown; headers: Record<string, string> }) => {
    const body = JSON.parse(JSON.stringify(response.body)) as { data?: Record<string, unknown>; error?: unknown };
    if (body.data) {
      // The expiry moves with the clock; the START code is random per answer, its shape is compared.
      body.data.expiresAt = typeof body.data.expiresAt;
      if (typeof body.data.whatsappLink === 'string') body.data.whatsappLink = body.data.whatsappLink.replace(/START%20[A-Z2-9]{6}/, 'START%20CODE');
    }
    return { status: response.status, retryAfter: response.headers['retry-after'] ?? null, body };
  };

  beforeAll(async () => {
    process.env.TOWN_CRIER_TEST_PROXY = 'true';
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({
      pluginConfig: {
        ...whatsapp.config,
        channels: {
          ...(whatsapp.config.channels as Record<string, unknown>),
          email: { enabled: true, sandbox: true },
          telegram: { enabled: true, botUsername: 'MusterstadtBot', sandbox: true },
        },
        rateLimit: {
          signupsPerIpPerHour: SIGNUPS_PER_IP,
          signupsPerAddressPerHour: 3,
          confirmationTemplatesPerHour: TEMPLATES_PER_HOUR,
          signupAnswerMinMs: ANSWER_FLOOR_MS,
          signupStand: { token: STAND_TOKEN, signupsPerHour: 100 },
        },
        retentionEverySeconds: 1,
      },
    });
    topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
    ]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
    adminToken = await createSuperAdmin(test);
  });
  afterAll(async () => {
    delete process.env.TOWN_CRIER_TEST_PROXY;
    await test?.close();
    await fake?.close();
  });

  it('#5 cannot undo "<5" from the exact total in any breakdown (channels, sources, topics)', async () => {
    // 152 on WhatsApp from the website on "Verkehr", 3 by e-mail from a flyer on "Kultur":
    // before, every breakdown showed 152 beside "<5" and an exact total of 155.
    const create = (channel: string, address: string, source: string, topic: number) =>
      test.strapi.db.query(SUBSCRIBER).create({ data: { channel, address, status: 'active', source, topics: [topic], confirmedAt: new Date(), locale: 'de' } });
    for (let i = 0; i < 152; i += 1) await create('whatsapp', `+4915900${String(i).padStart(5, '0')}`, 'web', topics.verkehr);
    for (let i = 0; i < 3; i += 1) await create('email', `flyer${i}@example.org`, 'flyer', topics.kultur);

    const overview = (await test.request.get('/town-crier/stats/overview').set('Authorization', `Bearer ${adminToken}`)).body.data;
    const total = overview.subscribers.active as number;
    expect(total).toBe(155);
    for (const name of ['byChannel', 'bySource', 'byTopic'] as const) {
      const cells = overview[name] as Array<{ key: string; count: number | string }>;
      // The attacker assumes the worst: that the cells split the total (topics: one topic each).
      const shownSum = cells.reduce((sum, cell) => sum + (typeof cell.count === 'number' ? cell.count : 0), 0);
      const remainder = total - shownSum;
      const hidden = cells.filter((cell) => typeof cell.count !== 'number');
      const bounds = (cell: { count: number | string }) => (cell.count === '<5' ? [1, 4] : [0, remainder]);
      for (const cell of hidden.filter((entry) => entry.count === '<5')) {
        const others = hidden.filter((entry) => entry !== cell);
        const low = Math.max(1, remainder - others.reduce((sum, other) => sum + bounds(other)[1], 0));
        const high = Math.min(4, remainder - others.reduce((sum, other) => sum + bounds(other)[0], 0));
        expect({ breakdown: name, cell: cell.key, candidates: high - low + 1 }).toEqual({ breakdown: name, cell: cell.key, candidates: expect.any(Number) });
        expect(high - low, `${name}.${cell.key} can be worked out from the total`).toBeGreaterThan(0);
      }
    }
    // The CSV export holds the same cells.
    const csv = (await test.request.get('/town-crier/stats/export.csv?days=7').set('Authorization', `Bearer ${adminToken}`)).text;
    expect(csv).not.toMatch(/^channel,whatsapp,,,,,152\r?$/m);
    expect(csv).not.toMatch(/^source,web,,,,,152\r?$/m);
  });

  it('#1 answers identically for unknown, pending, active and withdrawn numbers over repeated sign-ups, and touches nothing of a known citizen', async () => {
    const active = '+4915111000001';
    const pending = '+4915111000002';
    const withdrawn = '+4915111000003';
    const unknown = '+4915111000004';
    const activeId = await seedSubscriber(test, active);
    await seedSubscriber(test, withdrawn, { status: 'unsubscribed' });
    await seedSubscriber(test, pending, { status: 'pending' });
    const activeBefore = { row: await rowOf(active), ledger: await ledgerOf(activeId) };

    const sequences: Record<string, unknown[]> = {};
    for (const address of [unknown, pending, active, withdrawn]) {
      sequences[address] = [];
      for (let i = 0; i < 5; i += 1) sequences[address].push(visible(await signup({ address })));
    }
    const [first, ...rest] = Object.values(sequences);
    for (const other of rest) expect(other).toEqual(first);
    // The per-address limit does apply (and so applies to everyone alike).
    expect((first as Array<{ status: number }>).map((answer) => answer.status)).toContain(429);

    expect(await rowOf(active)).toEqual(activeBefore.row);
    expect(await ledgerOf(activeId)).toEqual(activeBefore.ledger);
    expect(sentTo(fake, active)).toHaveLength(0);
  });

  it('#1 takes the same minimum time to answer for every number, so the work behind it cannot be timed', async () => {
    const active = '+4915111000011';
    await seedSubscriber(test, active);
    for (const address of [active, '+4915111000012']) {
      const started = Date.now();
      const response = await signup({ address });
      expect(response.status).toBe(202);
      expect(Date.now() - started).toBeGreaterThanOrEqual(ANSWER_FLOOR_MS);
    }
  });

  it('#2 keeps the consent history of a withdrawn citizen when a new sign-up for the number is never confirmed', async () => {
    const address = '+4915111000021';
    const id = await seedSubscriber(test, address, { status: 'unsubscribed' });
    const withdrawnAt = new Date(Date.now() - 30 * 86_400_000);
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id }, data: { confirmedAt: new Date(Date.now() - 90 * 86_400_000), unsubscribedAt: withdrawnAt } });
    await record({ subscriberId: id, channel: 'whatsapp', type: 'requested', method: 'web-form', consentVersion, at: new Date(Date.now() - 91 * 86_400_000) });
    await record({ subscriberId: id, channel: 'whatsapp', type: 'confirmed', method: 'whatsapp-button', consentVersion, at: new Date(Date.now() - 90 * 86_400_000) });
    await record({ subscriberId: id, channel: 'whatsapp', type: 'withdrawn', method: 'whatsapp-keyword', at: withdrawnAt });
    const delivery = await test.strapi.db.query('plugin::town-crier.delivery').create({
      data: { announcementDocumentId: 'old-news', subscriberId: id, channel: 'whatsapp', status: 'read' },
    });

    expect((await signup({ address, name: 'Mallory' })).status).toBe(202);
    expect(await rowOf(address)).toMatchObject({ status: 'pending' });
    // 48 hours later, nobody confirmed.
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await service<{ expirePending(): Promise<unknown> }>('subscriptions').expirePending();

    const row = await rowOf(address);
    expect(row).toMatchObject({ id, status: 'unsubscribed', name: null, expiresAt: null, confirmCode: null, tokenHash: null });
    expect(new Date(row.unsubscribedAt).getTime()).toBe(withdrawnAt.getTime());
    const history = (await ledgerOf(id)).map((event: { type: string }) => event.type);
    expect(history).toEqual(['requested', 'confirmed', 'withdrawn']);
    expect(await test.strapi.db.query('plugin::town-crier.delivery').findOne({ where: { id: delivery.id } })).toMatchObject({ subscriberId: id });
  });

  it('#6 does not activate a Telegram sign-up through the confirm endpoint: it has no chat yet', async () => {
    const response = await signup({ channel: 'telegram' });
    expect(response.status).toBe(202);
    const token = new URL(response.body.data.telegramLink).searchParams.get('start');
    const activeBefore = await test.strapi.db.query(SUBSCRIBER).count({ where: { status: 'active' } });

    const confirm = await test.request.post('/api/town-crier/subscriptions/confirm').send({ token });
    expect(confirm.status).toBe(400);
    expect(confirm.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
    expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { status: 'active' } })).toBe(activeBefore);
    expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'telegram', status: 'active', address: null } })).toBe(0);
  });

  it('#7 treats e-mail case variants as one address: one row, one daily allowance of confirmation mails', async () => {
    const variants = ['Anna.Case@Example.org', 'aNNa.case@example.org', 'ANNA.CASE@EXAMPLE.ORG', 'anna.case@example.org', 'Anna.case@example.org'];
    for (const address of variants) await signup({ channel: 'email', address });
    const rows = await test.strapi.db.query(SUBSCRIBER).findMany({ where: { channel: 'email', address: { $containsi: 'anna.case@' } } });
    expect(rows.map((row: { address: string }) => row.address)).toEqual(['anna.case@example.org']);
    // Confirmation mails go out on the queue; wait until the queue has had its say.
    await eventually(async () => (await test.strapi.db.query(OUTBOX).count({ where: { channel: 'email', toAddress: { $containsi: 'anna.case@' } } })) >= 1);
    const mails = await test.strapi.db.query(OUTBOX).findMany({ where: { channel: 'email', toAddress: { $containsi: 'anna.case@' } } });
    expect(mails.length).toBeLessThanOrEqual(3);
  });

  it('#7 lowers e-mail addresses stored before, at startup, and merges case variants of one mailbox into one row', async () => {
    const legacy = await seedSubscriber(test, 'Legacy.Case@Example.org', { channel: 'email' });
    const twinUpper = await seedSubscriber(test, 'Twin@example.org', { channel: 'email' });
    const twinLower = await seedSubscriber(test, 'twin@example.org', { channel: 'email' });
    await lowerCaseLegacyEmailAddresses(test.strapi);
    const addressOf = async (id: number) => (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })).address;
    expect(await addressOf(legacy)).toBe('legacy.case@example.org');
    // Both confirmed; the newer row's consent is the later one, so it keeps the address (issue 24, finding 8).
    expect([await addressOf(twinUpper), await addressOf(twinLower)]).toEqual([null, 'twin@example.org']);
  });

  it('#8 refuses a sign-up body over the limit before parsing it, chunked or with a length, and stores nothing', async () => {
    const before = await test.strapi.db.query(SUBSCRIBER).count();
    const server = test.strapi.server.httpServer;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/town-crier/subscriptions', agent: false, headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': freshIp() } },
        (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        }
      );
      request.on('error', reject);
      // No Content-Length: Node sends Transfer-Encoding: chunked. A valid sign-up, padded to 64 KB.
      request.write(`{"channel":"whatsapp","address":"+4915111000031","consent":{"accepted":true,"version":"${consentVersion}"},"name":"`);
      for (let i = 0; i < 16; i += 1) request.write('x'.repeat(4096));
      request.end('"}');
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body)).toMatchObject({ data: null, error: { status: 413, name: 'PayloadTooLargeError' } });

    // With a length: refused on the header, before the (here broken) JSON is read.
    const declared = await test.request
      .post('/api/town-crier/subscriptions')
      .set('X-Forwarded-For', freshIp())
      .set('Content-Type', 'application/json')
      .send(`{"broken": "${'y'.repeat(9000)}`);
    expect(declared.status).toBe(413);
    expect(await test.strapi.db.query(SUBSCRIBER).count()).toBe(before);
    expect(await rowOf('+4915111000031')).toBeNull();
  });

  it('#8 accepts a webhook batch of 1,000 status updates (Meta\'s largest batch), and refuses 10 MB', async () => {
    // Failed statuses with their error and the longest callback data Meta echoes (512 characters).
    const statuses = Array.from({ length: 1000 }, (_, i) => ({
      id: `wamid.batch${String(i).padStart(6, '0')}${'A'.repeat(40)}`,
      recipientDigits: `4915900${String(i).padStart(5, '0')}`,
      status: 'failed' as const,
      deliveryRef: 'r'.repeat(512),
      errors: [{ code: 131026, title: 'Message undeliverable', details: 'Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number; the recipient has not accepted the new Terms of Service and Privacy Policy; the recipient is using an old WhatsApp version.' }],
    }));
    const batch = statusWebhook(statuses);
    const { rawBody } = signedWebhookRequest(batch, WHATSAPP.appSecret);
    expect(rawBody.length).toBeGreaterThan(1024 * 1024);
    expect((await postWebhook(test, batch)).status).toBe(200);

    const huge = `{"object":"whatsapp_business_account","pad":"${'z'.repeat(10 * 1024 * 1024)}"}`;
    const response = await test.request.post('/api/town-crier/webhooks/whatsapp').set('Content-Type', 'application/json').send(huge);
    expect(response.status).toBe(413);
  });

  it('#9 counts a rotating IPv6 client (one /64) as one client, in Redis shared by every process', async () => {
    const answers: number[] = [];
    for (let i = 1; i <= SIGNUPS_PER_IP + 2; i += 1) {
      answers.push((await signup({ address: `+4915111001${String(i).padStart(3, '0')}` }, `2001:db8:aa:bb::${i.toString(16)}`)).status);
    }
    expect(answers.slice(0, SIGNUPS_PER_IP)).toEqual(Array(SIGNUPS_PER_IP).fill(202));
    expect(answers.slice(SIGNUPS_PER_IP)).toEqual([429, 429]);
    const limited = await signup({ address: '+4915111001999' }, '2001:db8:aa:bb:ffff::1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ data: null, error: { status: 429, name: 'RateLimitError' } });

    // The count lives in Redis (any process sees it), not in this process's memory.
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${test.prefix}:window:signup-ip:*`);
      expect(keys.length).toBeGreaterThan(0);
      const sizes = await Promise.all(keys.map((key) => redis.zcard(key)));
      expect(Math.max(...sizes)).toBe(SIGNUPS_PER_IP);
    } finally {
      redis.disconnect();
    }
  });

  it('#9 lets a sign-up stand with the town\'s token past the per-IP limit, and nobody without it', async () => {
    const standIp = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < SIGNUPS_PER_IP + 6; i += 1) {
      statuses.push((await signup({ address: `+4915111002${String(i).padStart(3, '0')}`, source: 'flyer' }, standIp, { 'X-Town-Crier-Stand': STAND_TOKEN })).status);
    }
    expect(statuses).toEqual(Array(SIGNUPS_PER_IP + 6).fill(202));
    const forged: number[] = [];
    for (let i = 0; i < SIGNUPS_PER_IP + 1; i += 1) {
      forged.push((await signup({ address: `+4915111003${String(i).padStart(3, '0')}` }, standIp, { 'X-Town-Crier-Stand': 'guessed-token' })).status);
    }
    expect(forged.slice(-1)).toEqual([429]);
  });

  it('#9 sends at most the hourly budget of paid confirmation templates; beyond it the citizen confirms with START <code>', async () => {
    for (let i = 0; i < TEMPLATES_PER_HOUR + 4; i += 1) {
      const response = await signup({ address: `+4915111004${String(i).padStart(3, '0')}` });
      expect(response.status).toBe(202);
      expect(response.body.data.whatsappLink).toMatch(/^https:\/\/wa\.me\/49452512345\?text=START%20[A-Z2-9]{6}$/);
    }
    // Every template the fake has seen in this file, sign-ups of earlier tests included.
    await drained(test);
    const templates = fake.requests.filter((request) => (request.body as { type?: string } | undefined)?.type === 'template');
    expect(templates.length).toBeLessThanOrEqual(TEMPLATES_PER_HOUR);
  });

  it('#3 leaves no phone number, name, message text or token in Redis after a webhook burst', async () => {
    const number = '4917312345678';
    const name = 'Wilhelmine Zwiebelschneider';
    const text = 'Geheimnis Gartenzaun Nachbarschaftsstreit';
    for (let i = 0; i < 25; i += 1) {
      expect((await postWebhook(test, inboundTextWebhook(number, `${text} ${i}`, { profileName: name }))).status).toBe(200);
    }
    await eventually(async () => (await test.strapi.db.query(INBOX).count({ where: { fromAddress: `+${number}` } })) === 25, { timeoutMs: 30_000 });
    // A subscriber asks for their topics: the answer's "change topics" link holds a signed token.
    const subscriber = '4917312345679';
    await seedSubscriber(test, `+${subscriber}`);
    expect((await postWebhook(test, inboundTextWebhook(subscriber, 'THEMEN', { profileName: name }))).status).toBe(200);
    const [answer] = await eventually(async () => {
      const texts = sentTo(fake, `+${subscriber}`).filter((request) => JSON.stringify(request.body).includes('keep='));
      return texts.length > 0 && texts;
    });
    const token = decodeURIComponent(/keep=([^&"\s]+)/.exec(JSON.stringify(answer.body))![1]);

    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${test.prefix}:*`);
      expect(keys.length).toBeGreaterThan(0);
      const dump: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') dump.push(String(await redis.get(key)));
        else if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        dump.push(key);
      }
      const all = dump.join('\n');
      expect(all).not.toContain(number);
      expect(all).not.toContain('Zwiebelschneider');
      expect(all).not.toContain('Gartenzaun');
      expect(all).not.toContain(subscriber);
      expect(all).not.toContain(token);
      expect(all).not.toContain(encodeURIComponent(token));
    } finally {
      redis.disconnect();
    }
  });

  it('#4 erasure reaches messages the number wrote before signing up and sandbox messages sent to it', async () => {
    const address = 'erika.erase@example.org';
    await test.strapi.db.query(INBOX).create({
      data: { channel: 'email', fromAddress: address, providerMessageId: 'mail-before-signup', text: 'Wann kommt die Müllabfuhr?', receivedAt: new Date() },
    });
    await signup({ channel: 'email', address });
    const row = await eventually(async () => {
      const found = await rowOf(address, 'email');
      return found && (await test.strapi.db.query(OUTBOX).count({ where: { toAddress: address } })) > 0 && found;
    });
    const response = await test.request.post(`/town-crier/subscribers/${row.id}/erase`).set('Authorization', `Bearer ${adminToken}`);
    expect(response.status).toBe(200);
    expect(await test.strapi.db.query(INBOX).count({ where: { fromAddress: address } })).toBe(0);
    expect(await test.strapi.db.query(OUTBOX).count({ where: { toAddress: address } })).toBe(0);
  });

  it('#4 runs retention and pending expiry on the worker\'s own schedule, without an admin', async () => {
    const longAgo = new Date(Date.now() - 400 * 86_400_000);
    const withdrawnId = await seedSubscriber(test, '+4915111005001', { status: 'unsubscribed' });
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: withdrawnId }, data: { unsubscribedAt: longAgo } });
    await record({ subscriberId: withdrawnId, channel: 'whatsapp', type: 'withdrawn', method: 'whatsapp-keyword', at: longAgo });
    const strangerMessage = await test.strapi.db.query(INBOX).create({
      data: { channel: 'whatsapp', fromAddress: '+4915111005002', providerMessageId: 'wamid.old-stranger', text: 'alt', receivedAt: longAgo },
    });
    const pendingId = await seedSubscriber(test, '+4915111005003', { status: 'pending' });
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: pendingId }, data: { confirmedAt: null, expiresAt: new Date(Date.now() - 1000) } });

    await eventually(async () => (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: pendingId } })) === null);
    await eventually(async () => (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: withdrawnId } }))?.address === null);
    expect(await ledgerOf(withdrawnId)).toEqual([]);
    expect(await test.strapi.db.query(INBOX).findOne({ where: { id: strangerMessage.id } })).toBeNull();
  });
});
