import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, REDIS_URL, type TestStrapi } from '../support/strapi';
import { drained } from '../support/drained';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { inboundTextWebhook, statusWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';

/**
 * Issue #14: 130472 and 131026 mark a citizen's WhatsApp unreachable and, when the town enables
 * `channels.whatsapp.unreachableHint`, send one hint on another confirmed channel the citizen
 * signed up for in the same form (rows sharing `signupLinkId`). Real e-mail through the test SMTP
 * server, WhatsApp through the fake Cloud API.
 */
describe('WhatsApp unreachable: one hint on a channel from the same sign-up', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let smtp: TestSmtpServer;
  let token: string;
  let consentVersion: string;
  const pluginConfig = () => test.strapi.plugin('town-crier').service('runtime') as { config(): { channels: { whatsapp: { unreachableHint: { enabled: boolean } } } } };

  const people = {
    both: { number: '+4915100000031', email: 'anna.beispiel@example.org' },
    whatsappOnly: { number: '+4915100000032' },
    late: { number: '+4915100000033', email: 'bernd.spaet@example.org' },
    switchedOff: { number: '+4915100000034', email: 'carla.aus@example.org' },
  };
  const ids: Record<string, { whatsapp: number; email?: number }> = {};

  const row = (id: number) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } }) as Promise<Record<string, unknown>>;
  const idOf = async (channel: string, address: string) => ((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel, address } })) as { id: number }).id;
  const codeOf = (link: string) => decodeURIComponent(link.split('text=')[1]).split(' ')[1];
  const confirmWhatsapp = async (number: string, link: string) => {
    expect((await postWebhook(test, inboundTextWebhook(number.slice(1), `START ${codeOf(link)}`))).status).toBe(200);
    await eventually(async () => (await row(await idOf('whatsapp', number))).status === 'active');
  };
  const confirmEmail = async (address: string) => {
    const mail = await eventually(async () => smtp.mailsTo(address)[0]);
    const match = /http:\/\/127\.0\.0\.1:1337\/api\/town-crier\/subscriptions\/confirm\?token=([A-Za-z0-9_.%-]+)&lang=(de|en)/.exec(mail.parsed.text ?? '');
    if (!match) throw new Error('no confirmation link');
    expect((await test.request.post('/api/town-crier/subscriptions/confirm').type('form').send({ token: decodeURIComponent(match[1]), lang: 'de' })).status).toBe(200);
    await eventually(async () => (await row(await idOf('email', address))).status === 'active');
  };
  /** WhatsApp and e-mail in one form (`channels`), both confirmed. */
  const signupBoth = async (person: { number: string; email: string }, topic: string) => {
    const response = await test.request.post('/api/town-crier/subscriptions').send({
      channels: [
        { channel: 'whatsapp', address: person.number },
        { channel: 'email', address: person.email },
      ],
      topics: [topic],
      consent: { accepted: true, version: consentVersion },
    });
    expect(response.status).toBe(202);
    // The link id is the plugin's own: never in a public answer.
    expect(JSON.stringify(response.body)).not.toMatch(/signupLinkId|[0-9a-f]{8}-[0-9a-f]{4}-/);
    await confirmWhatsapp(person.number, (response.body.data.channels as Array<{ channel: string; whatsappLink: string }>).find((answer) => answer.channel === 'whatsapp')!.whatsappLink);
    await confirmEmail(person.email);
    return { whatsapp: await idOf('whatsapp', person.number), email: await idOf('email', person.email) };
  };
  const finished = (articleId: string) =>
    eventually(
      async () => {
        const announcement = await announcementFor(test, articleId);
        return announcement && ['sent', 'failed'].includes(announcement.broadcastStatus) && announcement;
      },
      { timeoutMs: 30_000 }
    );
  const whatsappRun = async (documentId: string) => {
    const detail = await test.request.get(`/town-crier/broadcasts/${documentId}`).set('Authorization', `Bearer ${token}`);
    expect(detail.status).toBe(200);
    return (detail.body.data.runs as Array<{ channel: string; becameUnreachable: number; unreachableHintSent: number; unreachableHintNotPossible: number }>).find((run) => run.channel === 'whatsapp')!;
  };
  const hintsTo = (address: string) => smtp.mailsTo(address).filter((mail) => /WhatsApp-Nachrichten/.test(mail.parsed.text ?? ''));
  /** Waits until the queues have run everything queued, so any hint that was (wrongly) queued has arrived. */
  const settle = () => drained(test);

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const config = whatsapp.config as { channels: Record<string, Record<string, unknown>> };
    // `link`: the citizen confirms with START <code>, so no confirmation template is part of the count.
    config.channels.whatsapp.confirmBy = 'link';
    config.channels.whatsapp.unreachableHint = { enabled: true };
    config.channels.email = { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>' };
    test = await bootStrapi({ pluginConfig: config });
    await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Wasser', 'wasser'],
      ['Kultur', 'kultur'],
    ]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
    token = await createSuperAdmin(test);

    ids.both = await signupBoth(people.both, 'verkehr');
    const single = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'whatsapp', address: people.whatsappOnly.number, topics: ['verkehr'], consent: { accepted: true, version: consentVersion } });
    expect(single.status).toBe(202);
    await confirmWhatsapp(people.whatsappOnly.number, single.body.data.whatsappLink);
    ids.whatsappOnly = { whatsapp: await idOf('whatsapp', people.whatsappOnly.number) };
    ids.late = await signupBoth(people.late, 'wasser');
    ids.switchedOff = await signupBoth(people.switchedOff, 'kultur');
    smtp.reset();
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await fake?.close();
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });

  it('links the rows of one form, and only those; the export shows the link id', async () => {
    const whatsapp = await row(ids.both.whatsapp);
    const email = await row(ids.both.email!);
    expect(whatsapp.signupLinkId).toEqual(expect.any(String));
    expect(email.signupLinkId).toBe(whatsapp.signupLinkId);
    expect((await row(ids.late.whatsapp)).signupLinkId).not.toBe(whatsapp.signupLinkId);
    // Signed up alone: not linked to anybody.
    expect((await row(ids.whatsappOnly.whatsapp)).signupLinkId).toBeNull();
    const exported = await test.request.get(`/town-crier/subscribers/${ids.both.whatsapp}/export`).set('Authorization', `Bearer ${token}`);
    expect(exported.status).toBe(200);
    expect(JSON.stringify(exported.body)).toContain(String(whatsapp.signupLinkId));
  });

  it('130472 in the send answer: one hint e-mail to the linked address; a WhatsApp-only citizen counts as not possible; Redis holds no address', async () => {
    fake.failNext(people.both.number, { status: 400, code: 130472, message: "User's number is part of an experiment" });
    fake.failNext(people.whatsappOnly.number, { status: 400, code: 131026, message: 'Message undeliverable' });
    const articleId = await publishArticle(test, { title: 'Sperrung Hauptstraße', topic: 'verkehr' });
    const announcement = await finished(articleId);

    const [hint] = await eventually(async () => hintsTo(people.both.email).length > 0 && hintsTo(people.both.email));
    expect(hint.parsed.text).toMatch(/Unsere WhatsApp-Nachrichten .* erreichen Sie zurzeit nicht\. Sie bekommen die Nachrichten der Gemeinde weiter über diesen Kanal\./);
    expect((await row(ids.both.whatsapp)).unreachableHintAt).toBeTruthy();
    expect((await row(ids.whatsappOnly.whatsapp)).undeliverableAt).toBeTruthy();
    expect((await row(ids.whatsappOnly.whatsapp)).unreachableHintAt).toBeFalsy();
    await settle();
    expect(hintsTo(people.both.email)).toHaveLength(1);
    // The hint went by e-mail only: the number got the welcome text and the one announcement that failed, nothing more.
    expect(sentTo(fake, people.both.number).filter((request) => (request.body as { type?: string }).type === 'template')).toHaveLength(1);
    expect(sentTo(fake, people.both.number).filter((request) => JSON.stringify(request.body).includes('WhatsApp-Nachrichten'))).toHaveLength(0);

    expect(await whatsappRun(announcement.documentId)).toMatchObject({ becameUnreachable: 2, unreachableHintSent: 1, unreachableHintNotPossible: 1 });

    // The queued hint carried the e-mail row's id and the id of its text's row: no address, no number, no text.
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${test.prefix}:*`);
      const dump: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'string') dump.push(String(await redis.get(key)));
        else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        dump.push(key);
      }
      const all = dump.join('\n');
      const hintJob = dump.find((entry) => entry.includes(`\\"subscriberId\\":${ids.both.email}`) && entry.includes('textId'));
      expect(hintJob).toBeDefined();
      expect(all).not.toContain('WhatsApp-Nachrichten');
      for (const secret of [people.both.email, people.both.number, people.both.number.slice(1), String((await row(ids.both.email!)).signupLinkId)]) {
        expect(all).not.toContain(secret);
      }
    } finally {
      redis.disconnect();
    }

    // Later news skips the unreachable number; no second hint.
    const again = await finished(await publishArticle(test, { title: 'Hauptstraße wieder frei', topic: 'verkehr' }));
    expect((await deliveriesOf(test, again.documentId)).find((delivery) => delivery.subscriberId === ids.both.whatsapp)?.status).toBe('skipped');
    await settle();
    expect(hintsTo(people.both.email)).toHaveLength(1);
  });

  it('130472 and then 131026 reported in failed status webhooks of two broadcasts: still one hint', async () => {
    const first = await finished(await publishArticle(test, { title: 'Wasserleitung gespült', topic: 'wasser' }));
    const second = await finished(await publishArticle(test, { title: 'Wasser wieder trinkbar', topic: 'wasser' }));
    const deliveryOf = async (documentId: string) => (await deliveriesOf(test, documentId)).find((delivery) => delivery.subscriberId === ids.late.whatsapp)!;
    const failed = (delivery: Record<string, unknown>, code: number, title: string) =>
      statusWebhook([{ id: delivery.providerMessageId as string, status: 'failed', recipientDigits: people.late.number.slice(1), deliveryRef: `d:${String(delivery.id)}`, errors: [{ code, title }] }]);
    const one = await deliveryOf(first.documentId);
    const two = await deliveryOf(second.documentId);
    expect([one.status, two.status]).toEqual(['sent', 'sent']);

    expect((await postWebhook(test, failed(one, 130472, "User's number is part of an experiment"))).status).toBe(200);
    await eventually(async () => hintsTo(people.late.email).length === 1);
    expect((await postWebhook(test, failed(two, 131026, 'Message undeliverable'))).status).toBe(200);
    await eventually(async () => (await deliveryOf(second.documentId)).status === 'failed');
    await settle();
    expect(hintsTo(people.late.email)).toHaveLength(1);
    expect(await whatsappRun(first.documentId)).toMatchObject({ becameUnreachable: 1, unreachableHintSent: 1, unreachableHintNotPossible: 0 });
  });

  it('hint switched off: no hint, counted as not possible', async () => {
    // The town's setting is read from the runtime config; switched off here as a town would in its config.
    pluginConfig().config().channels.whatsapp.unreachableHint.enabled = false;
    try {
      fake.failNext(people.switchedOff.number, { status: 400, code: 130472, message: "User's number is part of an experiment" });
      const announcement = await finished(await publishArticle(test, { title: 'Konzert im Park', topic: 'kultur' }));
      await eventually(async () => Boolean((await row(ids.switchedOff.whatsapp)).undeliverableAt));
      await settle();
      expect(smtp.mailsTo(people.switchedOff.email).filter((mail) => /WhatsApp-Nachrichten/.test(mail.parsed.text ?? ''))).toHaveLength(0);
      // The announcement itself still went out by e-mail.
      expect(smtp.mailsTo(people.switchedOff.email)).toHaveLength(1);
      expect((await row(ids.switchedOff.whatsapp)).unreachableHintAt).toBeFalsy();
      expect(await whatsappRun(announcement.documentId)).toMatchObject({ becameUnreachable: 1, unreachableHintSent: 0, unreachableHintNotPossible: 1 });
    } finally {
      pluginConfig().config().channels.whatsapp.unreachableHint.enabled = true;
    }
  });

  it('erasure clears the link id', async () => {
    expect((await row(ids.late.email!)).signupLinkId).toEqual(expect.any(String));
    const erased = await test.request.post(`/town-crier/subscribers/${ids.late.email}/erase`).set('Authorization', `Bearer ${token}`);
    expect(erased.status).toBeLessThan(300);
    expect((await row(ids.late.email!)).signupLinkId).toBeNull();
  });
});
