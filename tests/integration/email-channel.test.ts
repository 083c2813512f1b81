import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from '../support/smtp-server';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';

/**
 * The e-mail channel end to end: Strapi's own email plugin with the nodemailer provider
 * sends to a real SMTP server started here, and the tests read the mails that arrived.
 */
describe('e-mail channel', () => {
  let test: TestStrapi;
  let smtp: TestSmtpServer;
  let consentVersion: string;
  let topics: Record<string, number>;

  const subscriberOf = (address: string) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'email', address }, populate: ['topics'] });
  const ledgerOf = (subscriberId: number) =>
    test.strapi.db.query(LEDGER).findMany({ where: { subscriber: subscriberId }, orderBy: { id: 'asc' } }) as Promise<Array<{ type: string; method: string; channel: string }>>;
  const signup = (address: string, extra: Record<string, unknown> = {}) =>
    test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'email', address, topics: ['verkehr'], consent: { accepted: true, version: consentVersion }, ...extra });
  const oneMailTo = (address: string) => eventually(async () => smtp.mailsTo(address)[0]);
  const finished = (articleId: string) =>
    eventually(async () => {
      const announcement = await announcementFor(test, articleId);
      return announcement && ['sent', 'failed', 'paused'].includes(announcement.broadcastStatus) && announcement;
    });
  const linkIn = (mail: ReceivedMail, path: string) => {
    const match = new RegExp(`http://127\\.0\\.0\\.1:1337/api/town-crier/${path}\\?token=[A-Za-z0-9_.%-]+&lang=(de|en)`).exec(mail.parsed.text ?? '');
    if (!match) throw new Error(`no ${path} link in: ${mail.parsed.text}`);
    return new URL(match[0]);
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    test = await bootStrapi({
      pluginConfig: {
        channels: {
          whatsapp: { enabled: false },
          email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>', unsubscribeMailto: 'abmelden@musterstadt.test' },
        },
        // A 451 is retried with the queue's backoff; three attempts keep that short.
        broadcast: { maxAttempts: 3 },
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
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });
  beforeEach(() => smtp.reset());

  it('double opt-in: the mail brings a link whose page does not confirm; its button POST does', async () => {
    // Stored in lower case as a whole (docs/privacy.md): one mailbox, one subscriber.
    const response = await signup('  Clara.Buerger@Example.ORG ');
    expect(response.status).toBe(202);
    expect(response.body.data).toEqual({ status: 'pending', channel: 'email', expiresAt: expect.any(String) });

    const pending = await subscriberOf('clara.buerger@example.org');
    expect(pending).toMatchObject({ status: 'pending', channel: 'email' });
    expect((await ledgerOf(pending.id)).map((event) => `${event.type}:${event.method}`)).toEqual(['requested:web-form']);

    const mail = await oneMailTo('clara.buerger@example.org');
    expect(mail.parsed.subject).toMatch(/bestätigen/);
    expect(mail.parsed.from?.value).toEqual([{ name: 'Stadt Musterstadt', address: 'nachrichten@musterstadt.test' }]);
    const link = linkIn(mail, 'subscriptions/confirm');
    expect(mail.parsed.html).toContain(link.toString().replace(/&/g, '&amp;'));

    // What a link scanner does: open the link. The page answers, nothing is confirmed.
    const page = await test.request.get(`${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toMatch(/<form method="post" action="\/api\/town-crier\/subscriptions\/confirm">/);
    expect((await subscriberOf('clara.buerger@example.org')).status).toBe('pending');

    // The citizen presses the button: a plain form POST.
    const token = link.searchParams.get('token') as string;
    const confirmed = await test.request.post(link.pathname).type('form').send({ token, lang: 'de' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toMatch(/Danke!/);
    const active = await subscriberOf('clara.buerger@example.org');
    expect(active.status).toBe('active');
    expect((await ledgerOf(active.id)).map((event) => `${event.type}:${event.method}:${event.channel}`)).toEqual([
      'requested:web-form:email',
      'confirmed:confirmation-link:email',
    ]);

    // The token was for one use.
    const again = await test.request.post(link.pathname).type('form').send({ token });
    expect(again.status).toBe(400);
    expect(again.text).toMatch(/ungültig/);
  });

  it('refuses an address that is not one, naming the field, and stores nothing', async () => {
    const before = await test.strapi.db.query(SUBSCRIBER).count();
    const response = await signup('clara@@example');
    expect(response.status).toBe(400);
    expect(response.body.error.details.errors[0].path).toEqual(['address']);
    expect(await test.strapi.db.query(SUBSCRIBER).count()).toBe(before);
  });

  it('broadcasts an announcement as HTML and plain text with List-Unsubscribe headers', async () => {
    const id = await seedSubscriber(test, 'leser@example.org', { channel: 'email', topics: [topics.verkehr] });
    const culture = await seedSubscriber(test, 'kultur@example.org', { channel: 'email', topics: [topics.kultur] });
    const articleId = await publishArticle(test, { title: 'Hauptstraße <gesperrt> & umgeleitet', topic: 'verkehr', summary: 'Ab Montag.\n\nUmleitung über die Bahnhofstraße.' });
    const announcement = await finished(articleId);
    expect(announcement.broadcastStatus).toBe('sent');
    const recipients = await deliveriesOf(test, announcement.documentId);
    expect(recipients.find((delivery) => delivery.subscriberId === id)?.status).toBe('sent');
    expect(recipients.find((delivery) => delivery.subscriberId === culture)).toBeUndefined();

    const mail = await oneMailTo('leser@example.org');
    expect(smtp.mailsTo('kultur@example.org')).toHaveLength(0);
    expect(mail.parsed.subject).toBe('Hauptstraße <gesperrt> & umgeleitet');
    expect(mail.parsed.text).toContain('Umleitung über die Bahnhofstraße.');
    expect(mail.parsed.text).toMatch(/Weiterlesen: https:\/\/musterstadt\.de\/news\/artikel-\d+/);
    expect(mail.parsed.html).toContain('<h1 style="font-size:22px;line-height:1.3;margin:0 0 .75em">Hauptstraße &lt;gesperrt&gt; &amp; umgeleitet</h1>');
    expect(mail.parsed.html).toContain('<p style="margin:0 0 1em">Umleitung über die Bahnhofstraße.</p>');

    expect(mail.parsed.text).toMatch(/Themen ändern oder anderen Kanal wählen: http:\/\/127\.0\.0\.1:1337\/api\/town-crier\/signup\?keep=\d+\.[\w-]+&lang=de/);
    const unsubscribeUrl = linkIn(mail, 'subscriptions/unsubscribe');
    expect(mail.parsed.html).toContain(unsubscribeUrl.toString().replace(/&/g, '&amp;'));
    expect(mail.headers.get('list-unsubscribe')).toBe(`<mailto:abmelden@musterstadt.test?subject=unsubscribe>, <${unsubscribeUrl.toString()}>`);
    expect(mail.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    const deliveries = await deliveriesOf(test, announcement.documentId);
    const mine = deliveries.find((delivery) => delivery.subscriberId === id);
    expect(mine).toMatchObject({ status: 'sent', attempts: 1, channel: 'email' });
    expect(mine?.providerMessageId).toBe(mail.parsed.messageId);
  });

  it('unsubscribes with the RFC 8058 one-click POST, and records the withdrawal', async () => {
    const id = await seedSubscriber(test, 'eilig@example.org', { channel: 'email' });
    const articleId = await publishArticle(test, { title: 'Wasserrohrbruch' });
    await finished(articleId);
    const mail = await oneMailTo('eilig@example.org');
    const url = new URL((mail.headers.get('list-unsubscribe') as string).match(/<(https?:[^>]+)>/)?.[1] as string);

    // The GET (a browser or a scanner) changes nothing.
    expect((await test.request.get(`${url.pathname}${url.search}`)).status).toBe(200);
    expect((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })).status).toBe('active');

    const response = await test.request.post(`${url.pathname}${url.search}`).type('form').send('List-Unsubscribe=One-Click');
    expect(response.status).toBe(200);
    expect((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })).status).toBe('unsubscribed');
    expect((await ledgerOf(id)).map((event) => `${event.type}:${event.method}`)).toEqual(['withdrawn:one-click']);

    // Nothing more reaches them.
    smtp.reset();
    const next = await publishArticle(test, { title: 'Entwarnung' });
    await finished(next);
    expect(smtp.mailsTo('eilig@example.org')).toHaveLength(0);
  });

  it('refuses a forged one-click token with 400', async () => {
    const response = await test.request.post('/api/town-crier/subscriptions/unsubscribe?token=999999.forgedforgedforged').type('form').send('List-Unsubscribe=One-Click');
    expect(response.status).toBe(400);
  });

  it('fails a delivery the SMTP server refuses with 550 at once, and retries one refused with 451', async () => {
    const unknown = await seedSubscriber(test, 'niemand@example.org', { channel: 'email' });
    const greylisted = await seedSubscriber(test, 'grau@example.org', { channel: 'email' });
    smtp.rejectRecipient('niemand@example.org', 550, '5.1.1 User unknown', 5);
    smtp.rejectRecipient('grau@example.org', 451, '4.7.1 Greylisted, try again', 1);

    const articleId = await publishArticle(test, { title: 'Sperrmüll' });
    const announcement = await finished(articleId);
    const deliveries = await deliveriesOf(test, announcement.documentId);

    const refused = deliveries.find((delivery) => delivery.subscriberId === unknown);
    expect(refused).toMatchObject({ status: 'failed', attempts: 1, lastErrorCode: 'smtp-550', lastErrorClass: 'permanent-recipient' });
    expect(smtp.rcptAttempts('niemand@example.org')).toBe(1);
    expect((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: unknown } })).undeliverableAt).toBeTruthy();

    const retried = deliveries.find((delivery) => delivery.subscriberId === greylisted);
    expect(retried).toMatchObject({ status: 'sent', attempts: 2, lastErrorCode: null });
    expect(smtp.rcptAttempts('grau@example.org')).toBe(2);
    expect(smtp.mailsTo('grau@example.org')).toHaveLength(1);
  });

  it('lets an editor send a test of an announcement to an e-mail address', async () => {
    const adminToken = await createSuperAdmin(test);
    const articleId = await publishArticle(test, { title: 'Probe' });
    const announcement = await finished(articleId);
    const response = await test.request
      .post(`/town-crier/broadcasts/${announcement.documentId}/send-test`)
      .set({ Authorization: `Bearer ${adminToken}` })
      .send({ channel: 'email', address: 'Redaktion@Musterstadt.TEST' });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ sent: true, mode: 'live' });
    const mail = await oneMailTo('Redaktion@musterstadt.test');
    expect(mail.parsed.subject).toBe('Probe');
    // A test goes to someone who is no subscriber: no unsubscribe link to offer.
    expect(mail.headers.has('list-unsubscribe')).toBe(false);
  });
});
