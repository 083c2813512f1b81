import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, sentTo } from '../support/whatsapp';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { startFakeMastodon, type FakeMastodon } from '../support/fake-mastodon';
import { startFakeBlueskyPds, type FakeBlueskyPds } from '../support/fake-bluesky-pds';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';
import { drained } from '../support/drained';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const DELIVERY = 'plugin::town-crier.delivery';
const MASTODON_TOKEN = 'mastodon-test-token-0123456789abcdef';
const BLUESKY = { handle: 'musterstadt.bsky.test', appPassword: 'abcd-efgh-ijkl-mnop' };

interface Run {
  channel: string;
  state: string;
  reason: string | null;
}

/**
 * The town's Mastodon and Bluesky accounts as channels (issue 29), against a fake Mastodon API and
 * a fake PDS that behave as their docs say: one post per broadcast, never two across a lost
 * answer or a send found in flight, follow-ups as replies, and each account's faults kept to its
 * own run while WhatsApp and e-mail go on.
 */
describe('Mastodon and Bluesky channels', () => {
  let test: TestStrapi;
  let whatsapp: FakeCloudApi;
  let smtp: TestSmtpServer;
  let mastodon: FakeMastodon;
  let bluesky: FakeBlueskyPds;
  let auth: { Authorization: string };
  const phone = '+4915170000029';
  const mail = 'anna@example.org';

  const detail = async (documentId: string) => {
    const response = await test.request.get(`/town-crier/broadcasts/${documentId}`).set(auth);
    expect(response.status).toBe(200);
    return response.body.data as { broadcastStatus: string; statusReason: string | null; runs: Run[]; recipients: number };
  };
  const runOf = async (documentId: string, channel: string) => (await detail(documentId)).runs.find((run) => run.channel === channel);
  const runsSettled = (articleId: string, expected: Record<string, string>, timeoutMs = 30_000) =>
    eventually(
      async () => {
        const row = await announcementFor(test, articleId);
        if (!row) return false;
        const runs = (await detail(row.documentId)).runs;
        return Object.entries(expected).every(([channel, state]) => runs.find((run) => run.channel === channel)?.state === state) && row;
      },
      { timeoutMs }
    );
  const statusesWith = (title: string) => mastodon.statuses.filter((status) => status.content.includes(title));
  const recordsWith = (title: string) => bluesky.records.filter((record) => String(record.value.text).includes(title));
  const accountRow = (channel: string) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel, source: 'account-channel' } }) as Promise<{ id: number; address: string; status: string }>;
  const accountDelivery = async (documentId: string, channel: string) =>
    (await deliveriesOf(test, documentId)).find((row) => row.channel === channel) as unknown as Record<string, unknown> & { id: number; status: string; providerMessageId: string; attempts: number; subscriberId: number };

  beforeAll(async () => {
    const fake = await fakeWhatsapp();
    whatsapp = fake.fake;
    smtp = await startTestSmtpServer();
    // A server with its own limit (Mastodon's default is 500): the adapter must read it from /api/v2/instance.
    mastodon = await startFakeMastodon({ token: MASTODON_TOKEN, maxCharacters: 640 });
    bluesky = await startFakeBlueskyPds(BLUESKY);
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    test = await bootStrapi({
      pluginConfig: {
        channels: {
          whatsapp: { ...(fake.config.channels as { whatsapp: object }).whatsapp },
          email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>' },
          mastodon: {
            enabled: true,
            baseUrl: mastodon.baseUrl,
            accessToken: MASTODON_TOKEN,
            account: '@musterstadt@social.example',
            hashtags: { always: ['Musterstadt'], byTopic: { verkehr: ['Verkehr'] } },
          },
          bluesky: { enabled: true, service: bluesky.service, identifier: BLUESKY.handle, appPassword: BLUESKY.appPassword, hashtags: { always: ['Musterstadt'] } },
        },
        whatsappChannel: { enabled: true, url: 'https://whatsapp.com/channel/0029VaMusterstadt' },
        // A send found in flight waits a second (not 30) before it is taken over; retries come fast.
        broadcast: { receiptlessWaitSeconds: 1, retryBaseDelayMs: 200, maxAttempts: 2 },
      },
    });
    await seedTopics(test, [['Verkehr', 'verkehr']]);
    await seedSubscriber(test, phone);
    await seedSubscriber(test, mail, { channel: 'email' });
    auth = { Authorization: `Bearer ${await createSuperAdmin(test)}` };
  });
  afterAll(async () => {
    await test?.close();
    await whatsapp?.close();
    await smtp?.close();
    await mastodon?.close();
    await bluesky?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });
  beforeEach(() => {
    whatsapp.reset();
    smtp.reset();
  });

  it('a publish posts once on each account: title, text, link, language, hashtags; citizens are counted, the accounts are not', async () => {
    const title = 'Hauptstraße ab Montag gesperrt';
    const articleId = await publishArticle(test, { title, topic: 'verkehr', summary: 'Die Umleitung führt über den Markt. 🚧' });
    const announcement = await runsSettled(articleId, { mastodon: 'sent', bluesky: 'sent', whatsapp: 'sent', email: 'sent' });

    const [status] = statusesWith(title);
    expect(statusesWith(title)).toHaveLength(1);
    expect(status).toMatchObject({ visibility: 'public', language: 'de', in_reply_to_id: null });
    expect(status.content).toContain('Die Umleitung führt über den Markt. 🚧');
    expect(status.content).toMatch(/https?:\/\/\S+/);
    expect(status.content.endsWith('#Musterstadt #Verkehr')).toBe(true);
    expect(status.idempotencyKey).toMatch(/^tc-/);

    const [record] = recordsWith(title);
    expect(recordsWith(title)).toHaveLength(1);
    expect(record.rkey).toMatch(/^[234567a-j][234567a-z]{12}$/);
    const text = String(record.value.text);
    const facets = record.value.facets as Array<{ index: { byteStart: number; byteEnd: number }; features: Array<{ $type: string; uri?: string }> }>;
    const link = facets.find((facet) => facet.features[0].$type === 'app.bsky.richtext.facet#link')!;
    const label = Buffer.from(text, 'utf8').subarray(link.index.byteStart, link.index.byteEnd).toString('utf8');
    expect(link.features[0].uri?.replace(/^https?:\/\//, '').startsWith(label.replace(/…$/, ''))).toBe(true);
    expect(record.value.langs).toEqual(['de']);

    // One delivery per account, to its one system row; the provider's ids are kept for the replies.
    const mastodonRow = await accountRow('mastodon');
    expect(mastodonRow).toMatchObject({ address: '@musterstadt@social.example', status: 'active' });
    expect(await accountDelivery(announcement.documentId, 'mastodon')).toMatchObject({ status: 'sent', subscriberId: mastodonRow.id, providerMessageId: status.id });
    expect((await accountDelivery(announcement.documentId, 'bluesky')).providerMessageId).toBe(`${record.uri} ${record.cid}`);
    // Recipients are citizens: the WhatsApp number and the e-mail address.
    expect((await detail(announcement.documentId)).recipients).toBe(2);
    expect(sentTo(whatsapp, phone)).toHaveLength(1);
  });

  it('a long article is cut to each platform’s own measure: the server’s 640 characters, Bluesky’s 300 graphemes, never inside an emoji', async () => {
    const title = 'Haushalt 2027 beschlossen';
    const summary = 'Der Rat hat den Haushalt beschlossen 👩🏽‍💼 mit Investitionen in Schulen, Straßen und Radwege. '.repeat(30);
    const articleId = await publishArticle(test, { title, summary });
    await runsSettled(articleId, { mastodon: 'sent', bluesky: 'sent' });
    const [status] = statusesWith(title);
    const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
    const graphemes = (text: string) => [...segmenter.segment(text)].map((part) => part.segment);
    const mastodonLength = graphemes(status.content.replace(/https?:\/\/\S+/g, '')).length + 23 * (status.content.match(/https?:\/\/\S+/g)?.length ?? 0);
    expect(mastodonLength).toBeGreaterThan(500);
    expect(mastodonLength).toBeLessThanOrEqual(640);
    expect(status.content).toContain('…');
    const text = String(recordsWith(title)[0].value.text);
    expect(graphemes(text).length).toBeLessThanOrEqual(300);
    expect(graphemes(text).length).toBeGreaterThan(250);
    // Every emoji that made it into either post is whole.
    for (const post of [status.content, text]) for (const part of graphemes(post)) if (/\p{Extended_Pictographic}/u.test(part)) expect(['👩🏽‍💼', '🎉', '🚧']).toContain(part);
  });

  it('a lost answer is sent again with the same key and the same record key: still one post each', async () => {
    const title = 'Antwort verloren, trotzdem nur ein Beitrag';
    mastodon.dropAnswerNext(1);
    bluesky.dropAnswerNext(1);
    const articleId = await publishArticle(test, { title });
    await runsSettled(articleId, { mastodon: 'sent', bluesky: 'sent' });
    expect(statusesWith(title)).toHaveLength(1);
    const keys = mastodon.posts.filter((post) => String(post.body?.status ?? '').includes(title)).map((post) => post.idempotencyKey);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(1);
    expect(recordsWith(title)).toHaveLength(1);
  });

  it('a send found in flight (a crashed worker, the job run again) is taken over after the wait without a second post', async () => {
    const title = 'Absturz mitten im Senden';
    mastodon.delayAnswerNext(4000);
    bluesky.delayAnswerNext(4000);
    const articleId = await publishArticle(test, { title });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      if (!row) return false;
      const rows = await deliveriesOf(test, row.documentId);
      const inFlight = rows.filter((d) => (d.channel === 'mastodon' || d.channel === 'bluesky') && d.claimedAt && d.status !== 'sent');
      return inFlight.length === 2 && row;
    });
    // As after a crash: the deliveries are queued again while their first send is still open.
    const delivery = test.strapi.plugin('town-crier').service('delivery') as { enqueueDeliveries(doc: string, channel: string, ids: number[], options: { round: string }): Promise<void> };
    for (const channel of ['mastodon', 'bluesky']) {
      await delivery.enqueueDeliveries(announcement.documentId, channel, [(await accountRow(channel)).id], { round: 'crash' });
    }
    await runsSettled(articleId, { mastodon: 'sent', bluesky: 'sent' });
    // The second send went out once the claim's wait was over, and found the first post.
    await eventually(async () => mastodon.posts.filter((post) => String(post.body?.status ?? '').includes(title)).length >= 2, { timeoutMs: 10_000 });
    expect(statusesWith(title)).toHaveLength(1);
    expect(recordsWith(title)).toHaveLength(1);
    const [status] = statusesWith(title);
    expect((await accountDelivery(announcement.documentId, 'mastodon')).providerMessageId).toBe(status.id);
  });

  it('a follow-up is a reply in the thread on both', async () => {
    const title = 'Wasserrohrbruch in der Bahnhofstraße';
    const articleId = await publishArticle(test, { title, urgency: 'important' });
    const original = await runsSettled(articleId, { mastodon: 'sent', bluesky: 'sent' });
    const response = await test.request.post(`/town-crier/broadcasts/${original.documentId}/send-update`).set(auth).send({ title: 'Wasser fließt wieder', text: 'Die Leitung ist repariert.' });
    expect(response.status).toBe(200);
    const update = response.body.data.documentId as string;
    await eventually(async () => (await runOf(update, 'mastodon'))?.state === 'sent' && (await runOf(update, 'bluesky'))?.state === 'sent', { timeoutMs: 30_000 });

    const [first] = statusesWith(title);
    const reply = mastodon.statuses.find((status) => status.content.includes('Wasser fließt wieder'))!;
    expect(reply.in_reply_to_id).toBe(first.id);
    expect(reply.content).toContain('Update zu:');
    const [root] = recordsWith(title);
    const answer = recordsWith('Wasser fließt wieder')[0];
    expect(answer.value.reply).toEqual({ root: { uri: root.uri, cid: root.cid }, parent: { uri: root.uri, cid: root.cid } });
  });

  it('429 waits for the reset without using attempts: more rate limits than maxAttempts, still one post', async () => {
    const title = 'Ratenbegrenzung abwarten';
    mastodon.rateLimitNext(3, 700);
    bluesky.rateLimitNext(3, 1);
    const started = Date.now();
    const articleId = await publishArticle(test, { title });
    await runsSettled(articleId, { mastodon: 'sent', bluesky: 'sent' });
    expect(statusesWith(title)).toHaveLength(1);
    expect(recordsWith(title)).toHaveLength(1);
    expect(mastodon.posts.filter((post) => post.status === 429)).toHaveLength(3);
    // Three waits for the reset (0.7 s each, at least a second as the adapter rounds): not a burst of retries.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('an expired Bluesky access token is refreshed, not a new login', async () => {
    const sessions = bluesky.sessionsCreated();
    bluesky.expireAccessTokens();
    const title = 'Sitzung erneuert';
    const articleId = await publishArticle(test, { title });
    await runsSettled(articleId, { bluesky: 'sent' });
    expect(recordsWith(title)).toHaveLength(1);
    expect(bluesky.refreshes()).toBeGreaterThanOrEqual(1);
    expect(bluesky.sessionsCreated()).toBe(sessions);
  });

  it('422 stops that broadcast’s Mastodon run with the server’s words; the others go on', async () => {
    const title = 'Von Mastodon abgelehnt';
    mastodon.rejectNext(1, 'Validation failed: Language is not included in the list');
    const articleId = await publishArticle(test, { title });
    const announcement = await runsSettled(articleId, { mastodon: 'paused', bluesky: 'sent', whatsapp: 'sent', email: 'sent' });
    const run = await runOf(announcement.documentId, 'mastodon');
    expect(run?.reason).toBe('template-error:422:Validation failed: Language is not included in the list');
    expect(statusesWith(title)).toHaveLength(0);
    // The channel itself is fine: the next news posts.
    const next = await publishArticle(test, { title: 'Nach der Ablehnung wieder normal' });
    await runsSettled(next, { mastodon: 'sent' });
  });

  it('401 on Mastodon stops only Mastodon, in German; WhatsApp, e-mail and Bluesky go on; resume posts once', async () => {
    const title = 'Mastodon-Schlüssel widerrufen';
    mastodon.setToken('a-new-token-the-town-has-not-entered');
    const articleId = await publishArticle(test, { title });
    const announcement = await runsSettled(articleId, { mastodon: 'paused', bluesky: 'sent', whatsapp: 'sent', email: 'sent' });
    expect((await runOf(announcement.documentId, 'mastodon'))?.reason).toBe('channel-error:mastodon:401');
    expect(recordsWith(title)).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.parsed.subject?.includes(title))).toHaveLength(1);

    const channels = (await test.request.get('/town-crier/channels').set(auth)).body.data as Array<{ id: string; issues: Array<{ code: string; values?: Record<string, string> }> }>;
    expect(channels.find((channel) => channel.id === 'mastodon')?.issues).toContainEqual(expect.objectContaining({ code: 'channel-paused' }));
    // The admin words this in German (channels.problem.accountCredentialRejected): which secret to renew.
    expect(channels.find((channel) => channel.id === 'mastodon')?.issues).toContainEqual({ code: 'account-credential-rejected', values: { credential: 'accessToken', detail: '401' } });
    expect(channels.find((channel) => channel.id === 'bluesky')?.issues ?? []).not.toContainEqual(expect.objectContaining({ code: 'channel-paused' }));

    mastodon.setToken(MASTODON_TOKEN);
    expect((await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/resume`).set(auth)).status).toBe(200);
    await runsSettled(articleId, { mastodon: 'sent' });
    expect(statusesWith(title)).toHaveLength(1);
  });

  it('news unpublished while the accounts wait (a rate limit) is not posted; publishing again posts it once', async () => {
    const title = 'Zurückgezogen, bevor es gepostet wurde';
    mastodon.rateLimitNext(1, 2500);
    bluesky.rateLimitNext(1, 3);
    const articleId = await publishArticle(test, { title });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      if (!row) return false;
      const held = (await deliveriesOf(test, row.documentId)).filter((d) => (d.channel === 'mastodon' || d.channel === 'bluesky') && d.status === 'waiting' && d.holdUntil);
      return held.length === 2 && row;
    });
    const articles = test.strapi.documents('api::article.article' as never);
    await articles.unpublish({ documentId: articleId } as never);
    await eventually(async () => (await runOf(announcement.documentId, 'mastodon'))?.reason === 'unpublished' && (await runOf(announcement.documentId, 'bluesky'))?.reason === 'unpublished');
    // The holds' jobs come due and find the runs paused: nothing is posted.
    await drained(test, { delayedWithinMs: 5000, timeoutMs: 20_000 });
    expect(statusesWith(title)).toHaveLength(0);
    expect(recordsWith(title)).toHaveLength(0);

    await articles.publish({ documentId: articleId } as never);
    await runsSettled(articleId, { mastodon: 'sent', bluesky: 'sent' });
    expect(statusesWith(title)).toHaveLength(1);
    expect(recordsWith(title)).toHaveLength(1);
  });

  it('the WhatsApp Channel hand-off: the text formatted for WhatsApp, a tick recorded with who and when', async () => {
    const title = 'Sperrmüll *neu* am Dienstag';
    const articleId = await publishArticle(test, { title, summary: 'Bitte bis 7 Uhr bereitstellen.' });
    const announcement = await runsSettled(articleId, { email: 'sent' });
    const path = `/town-crier/broadcasts/${announcement.documentId}/whatsapp-channel`;
    const before = (await test.request.get(path).set(auth)).body.data;
    expect(before).toMatchObject({ enabled: true, channelUrl: 'https://whatsapp.com/channel/0029VaMusterstadt', posted: null });
    expect(before.text.split('\n\n')[0]).toBe('*Sperrmüll neu am Dienstag*');
    expect(before.text).toContain('Bitte bis 7 Uhr bereitstellen.');
    expect(before.text).toMatch(/\n\nhttps?:\/\/\S+\n\n_Musterstadt_$/);

    const ticked = await test.request.post(path).set(auth).send({ posted: true });
    expect(ticked.status).toBe(200);
    expect(ticked.body.data.posted).toMatchObject({ by: expect.any(String) });
    expect(Date.parse(ticked.body.data.posted.at)).toBeGreaterThan(Date.now() - 60_000);
    // Ticking again keeps the first record; a bad body changes nothing.
    expect((await test.request.post(path).set(auth).send({ posted: true })).body.data.posted.at).toBe(ticked.body.data.posted.at);
    expect((await test.request.post(path).set(auth).send({ posted: 'yes' })).status).toBe(400);
    expect((await test.request.get(path).set(auth)).body.data.posted.at).toBe(ticked.body.data.posted.at);
    expect((await test.request.post(path).set(auth).send({ posted: false })).body.data.posted).toBeNull();
    expect((await test.request.get('/town-crier/broadcasts/no-such-broadcast/whatsapp-channel').set(auth)).status).toBe(404);
  });

  it('citizens cannot sign up for an account channel; the sign-up page does not offer them', async () => {
    const consent = (await test.request.get('/api/town-crier/consent')).body.data.version as string;
    const response = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'mastodon', address: '@someone@social.example', topics: [], locale: 'de', consent: { accepted: true, version: consent } });
    expect(response.status).toBe(400);
    const page = await test.request.get('/api/town-crier/signup');
    expect(page.status).toBe(200);
    // The form lists its channels (WhatsApp and e-mail are on here), and the accounts are not among them.
    expect(page.text).toContain('name="channels" value="whatsapp"');
    expect(page.text).not.toMatch(/value="mastodon"|value="bluesky"/);
    expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: { $in: ['mastodon', 'bluesky'] } } })).toBe(2);
    expect(await test.strapi.db.query(DELIVERY).count({ where: { channel: 'mastodon', status: 'failed' } })).toBe(0);
  });
});
