import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { inboundTextWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { seedSubscriber, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';

/** One sign-up for all channels: the page offers every enabled channel, one submission covers several. */
describe('one sign-up for all channels', () => {
  let test: TestStrapi;
  let whatsapp: FakeCloudApi;
  let smtp: TestSmtpServer;
  let consentVersion: string;
  let topics: Record<string, number>;

  const subscribersOn = (channel: string) => test.strapi.db.query(SUBSCRIBER).findMany({ where: { channel }, populate: ['topics'], orderBy: { id: 'asc' } });
  const ledgerOf = (subscriberId: number) =>
    test.strapi.db.query(LEDGER).findMany({ where: { subscriber: subscriberId }, orderBy: { id: 'asc' } }) as Promise<Array<{ type: string; channel: string; consentVersion: string; consentTextHash: string }>>;
  const submit = (body: Record<string, unknown>) =>
    test.request.post('/api/town-crier/subscriptions').send({ topics: ['verkehr'], locale: 'de', consent: { accepted: true, version: consentVersion }, ...body });

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    const wa = await fakeWhatsapp();
    whatsapp = wa.fake;
    test = await bootStrapi({
      pluginConfig: {
        ...wa.config,
        channels: {
          ...(wa.config.channels as Record<string, unknown>),
          email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>' },
          telegram: { enabled: true, botUsername: 'MusterstadtBot', sandbox: true },
        },
        rateLimit: { signupsPerIpPerHour: 40 },
      },
    });
    topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
      ['Sport', 'sport'],
    ]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await whatsapp?.close();
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });

  it('offers every enabled channel on the page, each the same way, none preselected', async () => {
    const page = await test.request.get('/api/town-crier/signup');
    expect(page.status).toBe(200);
    const boxes = [...page.text.matchAll(/<input type="checkbox" id="channel-(\w+)" name="channels" value="(\w+)"( checked)?>/g)];
    expect(boxes.map((match) => [match[1], match[2], Boolean(match[3])])).toEqual([
      ['whatsapp', 'whatsapp', false],
      ['email', 'email', false],
      ['telegram', 'telegram', false],
    ]);
    expect(page.text).toContain('<label for="channel-email">E-Mail</label>');
    expect(page.text).toContain('<label for="address-email">E-Mail-Adresse</label>');
    expect(page.text).toContain('<input type="email" id="address-email"');
    expect(page.text).toContain('<label for="address">Handynummer</label>');
  });

  it('creates one pending subscriber and one requested ledger entry per channel from one submission', async () => {
    const response = await submit({
      channels: [
        { channel: 'whatsapp', address: '0160 2345671' },
        { channel: 'email', address: 'paula@example.org' },
      ],
    });
    expect(response.body.error).toBeUndefined();
    expect(response.status).toBe(202);
    expect(response.body.data).toMatchObject({ status: 'pending', expiresAt: expect.any(String) });
    expect(response.body.data.channels.map((answer: { channel: string }) => answer.channel)).toEqual(['whatsapp', 'email']);
    expect(response.body.data.channels[0].whatsappLink).toMatch(/^https:\/\/wa\.me\/49452512345\?text=START%20/);

    const [phone] = await subscribersOn('whatsapp');
    const [mail] = await subscribersOn('email');
    expect(phone).toMatchObject({ address: '+491602345671', status: 'pending' });
    expect(mail).toMatchObject({ address: 'paula@example.org', status: 'pending' });
    for (const subscriber of [phone, mail]) expect(subscriber.topics.map((topic: { slug: string }) => topic.slug)).toEqual(['verkehr']);
    const [phoneLedger, mailLedger] = [await ledgerOf(phone.id), await ledgerOf(mail.id)];
    expect(phoneLedger.map((event) => `${event.type}:${event.channel}`)).toEqual(['requested:whatsapp']);
    expect(mailLedger.map((event) => `${event.type}:${event.channel}`)).toEqual(['requested:email']);
    // Both recorded the same consent text.
    expect(mailLedger[0].consentTextHash).toBe(phoneLedger[0].consentTextHash);

    // Each channel asks for its own confirmation.
    await eventually(async () => sentTo(whatsapp, '+491602345671').length === 1 && smtp.mailsTo('paula@example.org').length === 1);
  });

  it('stores nothing at all when one of the chosen channels has a bad address, and names it', async () => {
    const before = await test.strapi.db.query(SUBSCRIBER).count();
    const response = await submit({
      channels: [
        { channel: 'email', address: 'ok@example.org' },
        { channel: 'whatsapp', address: '12345' },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.errors[0].path).toEqual(['channels', '1', 'address']);
    expect(await test.strapi.db.query(SUBSCRIBER).count()).toBe(before);

    const twice = await submit({ channels: [{ channel: 'telegram' }, { channel: 'telegram' }] });
    expect(twice.status).toBe(400);
    const neither = await submit({});
    expect(neither.status).toBe(400);
    expect(neither.body.error.details.errors[0].path).toEqual(['channel']);
  });

  it('carries topics to a new channel: THEMEN answers a link that ticks them on the page and in a sign-up', async () => {
    const id = await seedSubscriber(test, '+491602345679', { topics: [topics.kultur, topics.sport] });
    await postWebhook(test, inboundTextWebhook('491602345679', 'THEMEN'));
    const reply = await eventually(async () => sentTo(whatsapp, '+491602345679').find((request) => JSON.stringify(request.body).includes('Ihre Themen')));
    const text = (reply.body as { text: { body: string } }).text.body;
    expect(text).toMatch(/^Ihre Themen: Kultur, Sport\./);
    const link = new URL(/https?:\/\/\S+keep=\S+/.exec(text)?.[0] as string);
    expect(link.pathname).toBe('/api/town-crier/signup');
    const keep = link.searchParams.get('keep') as string;

    const page = await test.request.get(`${link.pathname}${link.search}`);
    expect(page.headers['cache-control']).toBe('no-store');
    const ticked = [...page.text.matchAll(/name="topics" value="(\w+)"( checked)?>/g)].map((match) => [match[1], Boolean(match[2])]);
    expect(ticked).toEqual([
      ['kultur', true],
      ['sport', true],
      ['verkehr', false],
    ]);

    // A front end of the town's own can send the token instead of the topics.
    const response = await submit({ channel: 'email', address: 'wechsel@example.org', topics: [], topicsFrom: keep });
    expect(response.status).toBe(202);
    const [moved] = (await subscribersOn('email')).filter((row) => row.address === 'wechsel@example.org');
    expect(moved.topics.map((topic: { slug: string }) => topic.slug).sort()).toEqual(['kultur', 'sport']);
    // The old subscription stays as it was: adding a channel is not leaving one.
    expect((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })).status).toBe('active');

    const forged = await submit({ channel: 'email', address: 'wechsel2@example.org', topics: [], topicsFrom: `${id}.forgedforgedforgedforged` });
    expect(forged.status).toBe(400);
    expect(forged.body.error.details.errors[0].path).toEqual(['topicsFrom']);
    // The unsubscribe token of the same subscriber is no manage token.
    const unsubscribeToken = (test.strapi.plugin('town-crier').service('subscriptions') as { unsubscribeToken(id: number): string }).unsubscribeToken(id);
    expect((await submit({ channel: 'email', address: 'wechsel3@example.org', topics: [], topicsFrom: unsubscribeToken })).status).toBe(400);
  });

  it('lets a citizen pick WhatsApp, e-mail and Telegram on the page and shows what to do next for each', async () => {
    const server = test.strapi.server.httpServer;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/api/town-crier/signup`);
      await page.getByLabel('WhatsApp').check();
      await page.getByLabel('Handynummer').fill('0160 2345672');
      await page.getByLabel('E-Mail', { exact: true }).check();
      await page.getByLabel('E-Mail-Adresse').fill('jonas@example.org');
      await page.getByLabel('Telegram').check();
      await page.getByLabel('Kultur').check();
      await page.getByLabel('Ich willige ein (Text oben).').check();
      await page.getByRole('button', { name: 'Anmelden' }).click();
      const status = page.getByRole('status');
      await status.getByText('Telegram öffnen').waitFor();
      expect(await status.innerText()).toMatch(/^Fast geschafft!\s+Bitte bestätigen Sie Ihre Anmeldung in WhatsApp\.[\s\S]*über den Link in der E-Mail[\s\S]*in Telegram: Telegram öffnen/);
      expect(await status.getByRole('link', { name: /Telegram öffnen/ }).getAttribute('href')).toMatch(/^https:\/\/t\.me\/MusterstadtBot\?start=[A-Za-z0-9_-]+$/);
    } finally {
      await browser?.close();
    }
    const created = [
      ...(await subscribersOn('whatsapp')).filter((row) => row.address === '+491602345672'),
      ...(await subscribersOn('email')).filter((row) => row.address === 'jonas@example.org'),
      ...(await subscribersOn('telegram')),
    ];
    expect(created.map((row) => [row.channel, row.status, row.topics.map((topic: { slug: string }) => topic.slug).join()])).toEqual([
      ['whatsapp', 'pending', 'kultur'],
      ['email', 'pending', 'kultur'],
      ['telegram', 'pending', 'kultur'],
    ]);
    for (const row of created) expect((await ledgerOf(row.id)).map((event) => event.type)).toEqual(['requested']);
  });
});
