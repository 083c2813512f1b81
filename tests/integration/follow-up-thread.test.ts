import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, sentTo } from '../support/whatsapp';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const ANNOUNCEMENT = 'plugin::town-crier.announcement';
const ARTICLE = 'api::article.article';

/**
 * Follow-ups as a thread (#13): an update or all-clear reaches exactly the citizens who received
 * the original, each on the channel they got it on, minus whoever left in between; new
 * subscribers only when the editor asks for them. Real Strapi, Redis, SMTP server; WhatsApp faked.
 */
describe('follow-ups as a thread', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let smtp: TestSmtpServer;
  let auth: { Authorization: string };
  let topics: Record<string, number>;
  const ids: Record<string, number> = {};
  let warningArticle = '';
  let warning: { documentId: string; url: string; title: string };

  const finished = (articleId: string) =>
    eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row && ['sent', 'failed'].includes(row.broadcastStatus) && Number(row.recipientsCount) === Number(row.sentCount) + Number(row.failedCount) + Number(row.skippedCount) && row;
    });
  const templateTexts = (e164: string) => sentTo(fake, e164).map((request) => JSON.stringify(request.body));
  const subscriptions = () =>
    test.strapi.plugin('town-crier').service('subscriptions') as { withdraw(id: number, method: string): Promise<boolean>; erase(id: number): Promise<unknown> };
  const draftArticle = async (fields: { title: string; topic?: string; urgency?: string }) =>
    ((await test.strapi.documents(ARTICLE as never).create({ data: { slug: `entwurf-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`, summary: `Text: ${fields.title}`, ...fields } } as never)) as {
      documentId: string;
    }).documentId;
  const publish = (documentId: string) => test.strapi.documents(ARTICLE as never).publish({ documentId } as never);

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const berlinHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
    // Quiet hours that cover "now", whatever time the suite runs: only urgent news goes out.
    const start = `${String(berlinHour).padStart(2, '0')}:00`;
    const end = `${String((berlinHour + 2) % 24).padStart(2, '0')}:00`;
    test = await bootStrapi({
      pluginConfig: {
        channels: {
          whatsapp: (whatsapp.config.channels as { whatsapp: object }).whatsapp,
          email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>' },
        },
        broadcast: { quietHours: { enabled: true, start, end, timeZone: 'Europe/Berlin' } },
      },
    });
    topics = await seedTopics(test, [
      ['Notfälle', 'notfaelle'],
      ['Kultur', 'kultur'],
    ]);
    // Got the warning and stay: on WhatsApp, by e-mail, and one on both channels (two rows).
    ids.stays = await seedSubscriber(test, '+4915110000001', { topics: [topics.notfaelle] });
    ids.staysMail = await seedSubscriber(test, 'bleibt@example.org', { channel: 'email', topics: [topics.notfaelle] });
    ids.bothWa = await seedSubscriber(test, '+4915110000002');
    ids.bothMail = await seedSubscriber(test, 'beides@example.org', { channel: 'email' });
    // Got the warning and leave before the all-clear: STOP, erased, changed channel (WhatsApp → e-mail).
    ids.stops = await seedSubscriber(test, '+4915110000003', { topics: [topics.notfaelle] });
    ids.erased = await seedSubscriber(test, 'geloescht@example.org', { channel: 'email' });
    ids.movesWa = await seedSubscriber(test, '+4915110000004', { topics: [topics.notfaelle] });
    // Never got the warning: another topic.
    ids.culture = await seedSubscriber(test, '+4915110000005', { topics: [topics.kultur] });
    auth = { Authorization: `Bearer ${await createSuperAdmin(test)}` };

    warningArticle = await publishArticle(test, { title: 'Sturmwarnung für Musterstadt', topic: 'notfaelle', urgency: 'emergency' });
    const sent = await finished(warningArticle);
    warning = { documentId: sent.documentId, url: sent.url as string, title: sent.title as string };
    await eventually(async () => smtp.mails.length === 3);

    // In between: one says STOP, one is erased, one moves from WhatsApp to e-mail, two new citizens sign up.
    await subscriptions().withdraw(ids.stops, 'whatsapp-keyword');
    await subscriptions().erase(ids.erased);
    await subscriptions().withdraw(ids.movesWa, 'whatsapp-keyword');
    ids.movesMail = await seedSubscriber(test, 'umgezogen@example.org', { channel: 'email', topics: [topics.notfaelle] });
    ids.newWa = await seedSubscriber(test, '+4915110000006', { topics: [topics.notfaelle] });
    ids.newMail = await seedSubscriber(test, 'neu@example.org', { channel: 'email' });
  }, 120_000);
  afterAll(async () => {
    await test?.close();
    await fake?.close();
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });

  it('sent the warning during quiet hours to everyone matching, on their channel', async () => {
    const rows = await deliveriesOf(test, warning.documentId);
    expect(rows.map((row) => [row.subscriberId, row.channel, row.status])).toEqual([
      [ids.stays, 'whatsapp', 'sent'],
      [ids.staysMail, 'email', 'sent'],
      [ids.bothWa, 'whatsapp', 'sent'],
      [ids.bothMail, 'email', 'sent'],
      [ids.stops, 'whatsapp', 'sent'],
      [ids.erased, 'email', 'sent'],
      [ids.movesWa, 'whatsapp', 'sent'],
    ]);
  });

  it('an all-clear marked in the content manager reaches exactly the original recipients who stayed, ignoring quiet hours', async () => {
    fake.reset();
    const draft = await draftArticle({ title: 'Sturm vorüber', topic: 'notfaelle', urgency: 'info' });
    const state = await test.request.get(`/town-crier/follow-ups?uid=${ARTICLE}&documentId=${draft}`).set(auth);
    expect(state.status).toBe(200);
    expect(state.body.data.mark).toBeNull();
    expect(state.body.data.candidates.map((candidate: { documentId: string }) => candidate.documentId)).toContain(warning.documentId);

    const marked = await test.request
      .post('/town-crier/follow-ups/mark')
      .set(auth)
      .send({ uid: ARTICLE, documentId: draft, originalDocumentId: warning.documentId, kind: 'all-clear' });
    expect(marked.status).toBe(200);
    expect(marked.body.data).toEqual({ originalDocumentId: warning.documentId, kind: 'all-clear', includeNew: false });
    // The panel says whom it reaches before Publish: the warning's recipients still subscribed.
    const marked2 = await test.request.get(`/town-crier/follow-ups?uid=${ARTICLE}&documentId=${draft}`).set(auth);
    expect(marked2.body.data.mark).toEqual({ originalDocumentId: warning.documentId, kind: 'all-clear', includeNew: false });
    expect(marked2.body.data.reach).toEqual({ total: 4, byChannel: { whatsapp: 2, email: 2 } });
    const smtpBefore = smtp.mails.length;

    await publish(draft);
    const allClear = await finished(draft);
    const after = (await test.request.get(`/town-crier/follow-ups?uid=${ARTICLE}&documentId=${draft}`).set(auth)).body.data;
    expect(after.broadcast).toMatchObject({ updateOf: warning.documentId, followUpKind: 'all-clear', original: { documentId: warning.documentId, title: warning.title } });
    expect(after.candidates).toEqual([]);
    // An all-clear of an emergency is itself urgent: not held by the quiet hours that hold other news.
    expect(allClear).toMatchObject({ updateOf: warning.documentId, followUpKind: 'all-clear', followUpIncludeNew: false, urgency: 'emergency', broadcastStatus: 'sent' });

    const rows = await deliveriesOf(test, allClear.documentId);
    expect(rows.map((row) => [row.subscriberId, row.channel, row.status])).toEqual([
      [ids.stays, 'whatsapp', 'sent'],
      [ids.staysMail, 'email', 'sent'],
      [ids.bothWa, 'whatsapp', 'sent'],
      [ids.bothMail, 'email', 'sent'],
    ]);
    // Nobody who left, nobody new, nobody from another topic; the mover's new e-mail row is new.
    for (const number of ['+4915110000003', '+4915110000004', '+4915110000005', '+4915110000006']) expect(sentTo(fake, number)).toHaveLength(0);
    await eventually(async () => smtp.mails.length === smtpBefore + 2);
    for (const address of ['umgezogen@example.org', 'neu@example.org']) expect(smtp.mailsTo(address)).toHaveLength(0);

    // WhatsApp says which news this follows up, in the template's title parameter.
    const [message] = templateTexts('+4915110000001');
    expect(message).toContain('Entwarnung: Sturmwarnung für Musterstadt – Sturm vorüber');
  });

  it('threads the all-clear under the warning in e-mail (In-Reply-To, References) with the recorded Message-ID', async () => {
    const allClear = (await announcementFor(test, (await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { followUpKind: 'all-clear', publishedAt: { $notNull: true } } }))!.sourceDocumentId as string))!;
    for (const [address, subscriberId] of [
      ['bleibt@example.org', ids.staysMail],
      ['beides@example.org', ids.bothMail],
    ] as const) {
      const [first, second] = smtp.mailsTo(address);
      expect(second, address).toBeDefined();
      const originalId = first.parsed.messageId as string;
      const recorded = (await deliveriesOf(test, warning.documentId)).find((row) => row.subscriberId === subscriberId)!;
      expect(`<${originalId.replace(/^<|>$/g, '')}>`).toBe(recorded.providerMessageId);
      expect(second.parsed.inReplyTo).toBe(recorded.providerMessageId);
      expect(second.headers.get('references')).toBe(recorded.providerMessageId);
      expect(second.parsed.subject).toBe('Entwarnung: Sturmwarnung für Musterstadt – Sturm vorüber');
      expect(second.parsed.messageId).not.toBe(first.parsed.messageId);
      const followUpRow = (await deliveriesOf(test, allClear.documentId)).find((row) => row.subscriberId === subscriberId)!;
      expect(`<${(second.parsed.messageId as string).replace(/^<|>$/g, '')}>`).toBe(followUpRow.providerMessageId);
    }
  });

  it('the feed links the all-clear to the original', async () => {
    const response = await test.request.get('/api/town-crier/feed.xml');
    expect(response.status).toBe(200);
    expect(response.text).toContain('Entwarnung: Sturmwarnung für Musterstadt – Sturm vorüber');
    expect(response.text).toMatch(new RegExp(`href=(&quot;|")${warning.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(&quot;|")`));
  });

  it('a non-urgent update of the same warning waits for the end of quiet hours', async () => {
    const draft = await draftArticle({ title: 'Aufräumarbeiten', topic: 'notfaelle', urgency: 'info' });
    await test.request.post('/town-crier/follow-ups/mark').set(auth).send({ uid: ARTICLE, documentId: draft, originalDocumentId: warning.documentId, kind: 'update' }).expect(200);
    await publish(draft);
    const held = await eventually(async () => {
      const row = await announcementFor(test, draft);
      return row?.statusReason === 'quiet-hours' && row;
    });
    expect(held).toMatchObject({ broadcastStatus: 'scheduled', followUpKind: 'update', updateOf: warning.documentId, urgency: 'info' });
  });

  it('"send update" with new subscribers reaches the thread’s recipients plus new matching subscribers, nobody who left', async () => {
    fake.reset();
    const allClear = (await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { followUpKind: 'all-clear', publishedAt: { $notNull: true } } }))!;
    // Sent from a follow-up, it joins the same thread (the original's).
    const response = await test.request
      .post(`/town-crier/broadcasts/${allClear.documentId}/send-update`)
      .set(auth)
      .send({ title: 'Schulen öffnen wieder', text: 'Ab morgen ist wieder Unterricht.', includeNew: true });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ updateOf: warning.documentId, followUpKind: 'update', followUpIncludeNew: true });
    const update = await eventually(async () => {
      const row = await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { documentId: response.body.data.documentId, publishedAt: { $notNull: true } } });
      return row?.broadcastStatus === 'sent' && row.recipientsCount === row.sentCount && row;
    });
    const rows = await deliveriesOf(test, update.documentId);
    expect(rows.map((row) => row.subscriberId).sort((a, b) => a - b)).toEqual(
      [ids.stays, ids.staysMail, ids.bothWa, ids.bothMail, ids.movesMail, ids.newWa, ids.newMail].sort((a, b) => a - b)
    );
    expect(templateTexts('+4915110000006')[0]).toContain('Update zu: Sturmwarnung für Musterstadt – Schulen öffnen wieder');
    expect(sentTo(fake, '+4915110000005')).toHaveLength(0);
  });

  it('the admin lists the thread as one story, and its detail shows every part', async () => {
    const list = await test.request.get('/town-crier/broadcasts').set(auth);
    expect(list.status).toBe(200);
    const story = list.body.data.find((row: { documentId: string }) => row.documentId === warning.documentId);
    expect(story.followUps.map((row: { followUpKind: string }) => row.followUpKind)).toEqual(['all-clear', 'update', 'update']);
    // No follow-up is a row of its own.
    const followUpIds = story.followUps.map((row: { documentId: string }) => row.documentId);
    expect(list.body.data.filter((row: { documentId: string }) => followUpIds.includes(row.documentId))).toEqual([]);
    expect(list.body.meta.pagination.total).toBe(list.body.data.length);

    const detail = await test.request.get(`/town-crier/broadcasts/${followUpIds[0]}`).set(auth);
    expect(detail.body.data.thread.map((row: { documentId: string; current: boolean }) => [row.documentId, row.current])).toEqual([
      [warning.documentId, false],
      [followUpIds[0], true],
      [followUpIds[1], false],
      [followUpIds[2], false],
    ]);
  });

  it('refuses bad marks with clear 4xx answers and changes nothing', async () => {
    const draft = await draftArticle({ title: 'Noch ein Entwurf', topic: 'notfaelle' });
    const mark = (body: Record<string, unknown>) => test.request.post('/town-crier/follow-ups/mark').set(auth).send(body);
    expect((await mark({ uid: ARTICLE, documentId: draft, originalDocumentId: 'gibt-es-nicht', kind: 'update' })).status).toBe(404);
    expect((await mark({ uid: ARTICLE, documentId: draft, originalDocumentId: warning.documentId, kind: 'widerruf' })).status).toBe(400);
    expect((await mark({ uid: 'api::page.page', documentId: draft, originalDocumentId: warning.documentId, kind: 'update' })).status).toBe(400);
    // The warning's own article has been broadcast: it can no longer become a follow-up.
    const late = await mark({ uid: ARTICLE, documentId: warningArticle, originalDocumentId: warning.documentId, kind: 'update' });
    expect(late.status).toBe(409);
    expect(late.body.error.name).toBe('ConflictError');
    expect((await test.request.get(`/town-crier/follow-ups?uid=${ARTICLE}&documentId=${draft}`).set(auth)).body.data.mark).toBeNull();
    // Unmarking works before publish.
    await mark({ uid: ARTICLE, documentId: draft, originalDocumentId: warning.documentId, kind: 'update' }).expect(200);
    await test.request.post('/town-crier/follow-ups/unmark').set(auth).send({ uid: ARTICLE, documentId: draft }).expect(200);
    expect((await test.request.get(`/town-crier/follow-ups?uid=${ARTICLE}&documentId=${draft}`).set(auth)).body.data.mark).toBeNull();
  });
});
