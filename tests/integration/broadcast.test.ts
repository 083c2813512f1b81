import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import IORedis from 'ioredis';
import { bootStrapi, createSuperAdmin, eventually, REDIS_URL, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, sentTo } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const ANNOUNCEMENT = 'plugin::town-crier.announcement';

interface Queue {
  pause(queue: string): Promise<void>;
  resume(queue: string): Promise<void>;
  counts(queue: string): Promise<{ waiting: number; active: number; delayed: number }>;
  isPaused(queue: string): Promise<boolean>;
}

describe('publish → broadcast', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let adminToken: string;
  const people = { verkehr: '+4915111111111', notfaelle: '+4915122222222', everything: '+4915133333333', gone: '+4915144444444' };
  const ids: Record<keyof typeof people, number> = { verkehr: 0, notfaelle: 0, everything: 0, gone: 0 };

  const queue = () => (test.strapi.plugin('town-crier').service('runtime') as { queue(): Queue }).queue();
  const finished = (articleId: string) =>
    eventually(async () => {
      const announcement = await announcementFor(test, articleId);
      return announcement && ['sent', 'failed', 'paused'].includes(announcement.broadcastStatus) && announcement;
    });
  const templatesTo = (e164: string) => sentTo(fake, e164).filter((request) => (request.body as { type: string }).type === 'template');

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({ pluginConfig: whatsapp.config });
    const topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Notfälle', 'notfaelle'],
    ]);
    ids.verkehr = await seedSubscriber(test, people.verkehr, { topics: [topics.verkehr] });
    ids.notfaelle = await seedSubscriber(test, people.notfaelle, { topics: [topics.notfaelle] });
    ids.everything = await seedSubscriber(test, people.everything);
    ids.gone = await seedSubscriber(test, people.gone, { topics: [topics.verkehr], status: 'unsubscribed' });
    adminToken = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('turns the first publish into one announcement that reaches exactly the matching citizens, once', async () => {
    const articleId = await publishArticle(test, { title: 'Hauptstraße gesperrt', topic: 'verkehr' });
    const announcement = await finished(articleId);
    expect(announcement).toMatchObject({ broadcastStatus: 'sent', title: 'Hauptstraße gesperrt', recipientsCount: 2, sentCount: 2, failedCount: 0 });
    expect(announcement.url).toMatch(/^https:\/\/musterstadt\.de\/news\/artikel-\d+$/);

    const deliveries = await deliveriesOf(test, announcement.documentId);
    expect(deliveries.map((d) => [d.subscriberId, d.status])).toEqual([
      [ids.verkehr, 'sent'],
      [ids.everything, 'sent'],
    ]);
    const [message] = templatesTo(people.verkehr);
    expect((message.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data).toBe(`d:${deliveries[0].id}`);
    expect(JSON.stringify(message.body)).toContain('Hauptstraße gesperrt');
    expect(templatesTo(people.notfaelle)).toHaveLength(0);
    expect(templatesTo(people.gone)).toHaveLength(0);
    expect(fake.requests).toHaveLength(2);
  });

  it('does not broadcast again when an edited article is published again, however it is published', async () => {
    const articleId = await publishArticle(test, { title: 'Ratssitzung', topic: 'verkehr' });
    await finished(articleId);
    const articles = test.strapi.documents('api::article.article' as never);
    await articles.update({ documentId: articleId, data: { summary: 'Korrigiert' }, status: 'published' } as never);
    await articles.update({ documentId: articleId, data: { summary: 'Noch einmal korrigiert' } } as never);
    await articles.publish({ documentId: articleId } as never);
    await articles.unpublish({ documentId: articleId } as never);
    await articles.publish({ documentId: articleId } as never);

    const announcements = await test.strapi.db.query(ANNOUNCEMENT).findMany({ where: { sourceDocumentId: articleId, publishedAt: { $notNull: true } } });
    expect(announcements).toHaveLength(1);
    expect(templatesTo(people.verkehr)).toHaveLength(1);
  });

  it('broadcasts a draft on its first Publish, and never for an article marked silent', async () => {
    const articles = test.strapi.documents('api::article.article' as never);
    const draft = (await articles.create({ data: { title: 'Erst Entwurf', slug: 'erst-entwurf', topic: 'notfaelle', summary: 's' } } as never)) as { documentId: string };
    expect(await announcementFor(test, draft.documentId)).toBeNull();
    await articles.publish({ documentId: draft.documentId } as never);
    const announcement = await finished(draft.documentId);
    expect(announcement.recipientsCount).toBe(2);
    expect(templatesTo(people.notfaelle)).toHaveLength(1);

    const silentId = await publishArticle(test, { title: 'Intern', topic: 'verkehr', silent: true });
    expect(await announcementFor(test, silentId)).toBeNull();
  });

  it('broadcasts an announcement published directly, without a web article', async () => {
    const created = (await test.strapi.documents(ANNOUNCEMENT).create({
      data: { title: 'Unwetterwarnung', text: 'Sturmböen bis 100 km/h erwartet.', urgency: 'emergency' },
      status: 'published',
    } as never)) as { documentId: string };
    const announcement = await eventually(async () => {
      const row = await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { documentId: created.documentId, publishedAt: { $notNull: true } } });
      return row?.broadcastStatus === 'sent' && row;
    });
    // No topics: everyone active gets it.
    expect(announcement.recipientsCount).toBe(3);
  });

  it('re-checks the subscriber right before sending: STOP a second ago means nothing is sent', async () => {
    await queue().pause('whatsapp');
    const articleId = await publishArticle(test, { title: 'Baustelle', topic: 'verkehr' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.fanOutDoneAt ? row : null;
    });
    await (test.strapi.plugin('town-crier').service('subscriptions') as { withdraw(id: number, method: string): Promise<boolean> }).withdraw(ids.verkehr, 'whatsapp-keyword');
    await queue().resume('whatsapp');
    await finished(articleId);
    const deliveries = await deliveriesOf(test, announcement.documentId);
    expect(deliveries.map((d) => [d.subscriberId, d.status])).toEqual([
      [ids.verkehr, 'skipped'],
      [ids.everything, 'sent'],
    ]);
    expect(templatesTo(people.verkehr)).toHaveLength(0);
    await test.strapi.db.query('plugin::town-crier.subscriber').update({ where: { id: ids.verkehr }, data: { status: 'active' } });
  });

  it('retries a temporary provider error and gives up on a recipient who cannot be reached', async () => {
    fake.failNext(people.verkehr, { status: 500, code: 131000, message: 'Something went wrong' });
    fake.failNext(people.everything, { status: 400, code: 131026, message: 'Message undeliverable' });
    const articleId = await publishArticle(test, { title: 'Kita geschlossen', topic: 'verkehr' });
    const announcement = await finished(articleId);
    const deliveries = await deliveriesOf(test, announcement.documentId);
    expect(deliveries.find((d) => d.subscriberId === ids.verkehr)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(deliveries.find((d) => d.subscriberId === ids.everything)).toMatchObject({ status: 'failed', lastErrorCode: '131026', lastErrorClass: 'permanent-recipient' });
    const unreachable = await test.strapi.db.query('plugin::town-crier.subscriber').findOne({ where: { id: ids.everything } });
    expect(unreachable.undeliverableAt).toBeTruthy();
    expect(templatesTo(people.everything)).toHaveLength(1);
    await test.strapi.db.query('plugin::town-crier.subscriber').update({ where: { id: ids.everything }, data: { undeliverableAt: null } });
  });

  it('pauses the announcement, and fails no recipient, on a template error', async () => {
    // A template error hits every send of the announcement alike.
    fake.failNext(() => true, { status: 400, code: 132001, message: 'Template name does not exist in the translation' }, 5);
    await queue().pause('whatsapp');
    const articleId = await publishArticle(test, { title: 'Vorlage fehlt', topic: 'verkehr' });
    await eventually(async () => (await announcementFor(test, articleId))?.fanOutDoneAt);
    await queue().resume('whatsapp');
    // Issue 23: the run pauses with the reason; every delivery not sent waits for the fixed template and a resume.
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      const deliveries = row ? await deliveriesOf(test, row.documentId) : [];
      return row?.broadcastStatus === 'paused' && deliveries.every((d) => ['waiting', 'pending'].includes(d.status)) && row;
    });
    expect(announcement.statusReason).toBe('template-error:132001');
    // Deliveries not yet started when the first error came back are held, not sent.
    expect(fake.requests.length).toBeLessThanOrEqual(2);
    // A send already on its way when the first error came back still reaches the fake (and would meet the
    // same template error at Meta); it must land before the scripted errors are cleared.
    await eventually(async () => {
      const counts = await queue().counts('whatsapp');
      return counts.waiting + counts.active + counts.delayed === 0;
    });
    fake.reset();
    expect((await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/cancel`).set('Authorization', `Bearer ${adminToken}`)).status).toBe(200);
  });

  it('pauses the channel on a fatal error, shows why, and continues once an admin resumes', async () => {
    // Aimed at one citizen: both sends run at once, so "the first request" could be either.
    fake.failNext(people.verkehr, { status: 401, code: 190, message: 'Access token has expired' }, 1);
    const articleId = await publishArticle(test, { title: 'Token abgelaufen', topic: 'verkehr' });
    const paused = await finished(articleId);
    expect(paused).toMatchObject({ broadcastStatus: 'paused', statusReason: 'channel-error:whatsapp:190' });

    const detail = await test.request.get(`/town-crier/broadcasts/${paused.documentId}`).set('Authorization', `Bearer ${adminToken}`);
    expect(detail.status).toBe(200);
    expect(detail.body.data.statusReason).toBe('channel-error:whatsapp:190');

    const resumed = await test.request.post(`/town-crier/broadcasts/${paused.documentId}/resume`).set('Authorization', `Bearer ${adminToken}`);
    expect(resumed.status).toBe(200);
    const sent = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.broadcastStatus === 'sent' && row;
    });
    expect(sent.sentCount).toBe(2);
    // The expired token was met once; after the fix each citizen has exactly one accepted message.
    const accepted = (e164: string) => templatesTo(e164).filter((request) => request.response?.status === 200);
    expect(accepted(people.verkehr)).toHaveLength(1);
    expect(accepted(people.everything)).toHaveLength(1);
    expect(fake.requests.filter((request) => request.response?.status === 401)).toHaveLength(1);
  });

  it('keeps a channel stopped by a fatal error stopped when more news is published, until an admin resumes', async () => {
    const reconcile = () => (test.strapi.plugin('town-crier').service('workers') as { reconcile(): Promise<void> }).reconcile();
    fake.failNext(people.verkehr, { status: 401, code: 190, message: 'Access token has expired' }, 1);
    const firstId = await publishArticle(test, { title: 'Erste Meldung', topic: 'verkehr' });
    const first = await finished(firstId);
    expect(first.broadcastStatus).toBe('paused');

    // Published while the token is still broken: its work waits in the stopped channel.
    const secondId = await publishArticle(test, { title: 'Zweite Meldung', topic: 'verkehr' });
    await eventually(async () => (await announcementFor(test, secondId))?.fanOutDoneAt);
    await reconcile();
    expect(await queue().isPaused('whatsapp')).toBe(true);
    // Its WhatsApp run cannot move while the channel is stopped: it is paused, and says why.
    const waiting = await announcementFor(test, secondId);
    expect(waiting).toMatchObject({ broadcastStatus: 'paused', statusReason: 'channel-paused:whatsapp' });
    const sentBeforeResume = fake.requests.filter((request) => request.response?.status === 200).length;

    const resumed = await test.request.post(`/town-crier/broadcasts/${first.documentId}/resume`).set('Authorization', `Bearer ${adminToken}`);
    expect(resumed.status).toBe(200);
    await eventually(async () => (await announcementFor(test, secondId))?.broadcastStatus === 'sent');
    await eventually(async () => (await announcementFor(test, firstId))?.broadcastStatus === 'sent');
    // Only one 401: nothing was tried on the broken token after the channel stopped.
    expect(fake.requests.filter((request) => request.response?.status === 401)).toHaveLength(1);
    const accepted = (e164: string) => templatesTo(e164).filter((request) => request.response?.status === 200);
    expect(accepted(people.verkehr)).toHaveLength(2);
    expect(accepted(people.everything)).toHaveLength(2);
    expect(sentBeforeResume).toBeLessThanOrEqual(1);
  });

  it('recovers work that never reached Redis: the reconciler re-enqueues from the announcement row', async () => {
    await queue().pause('control');
    const articleId = await publishArticle(test, { title: 'Verlorene Arbeit', topic: 'notfaelle' });
    const announcement = await eventually(async () => announcementFor(test, articleId));
    expect(announcement.broadcastStatus).toBe('queued');
    // Every job of the control queue is lost, whatever its id, as if Redis had lost its data.
    const redis = new IORedis(REDIS_URL);
    try {
      await eventually(async () => (await redis.llen(`${test.prefix}:control:paused`)) > 0);
      const keys = (await redis.keys(`${test.prefix}:control:*`)).filter((key) => !key.endsWith(':meta-paused'));
      await redis.del(...keys);
      expect(await redis.keys(`${test.prefix}:control:fan-out:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    await queue().resume('control');
    // Without the reconciler nothing would ever send this broadcast.
    expect((await announcementFor(test, articleId))?.fanOutDoneAt).toBeFalsy();
    await (test.strapi.plugin('town-crier').service('workers') as { reconcile(): Promise<void> }).reconcile();
    const sent = await finished(articleId);
    expect(sent).toMatchObject({ broadcastStatus: 'sent', recipientsCount: 2, sentCount: 2 });
  });

  it('fans out to more subscribers than one page holds (and than SQLite allows in one insert)', async () => {
    const topic = (await test.strapi.db.query('plugin::town-crier.topic').create({ data: { name: 'Groß', slug: 'gross', active: true } })) as { id: number };
    const knex = test.strapi.db.connection;
    const subscribers = test.strapi.db.metadata.get('plugin::town-crier.subscriber').tableName;
    const now = test.dialect === 'sqlite' ? Date.now() : new Date();
    for (let start = 0; start < 1200; start += 200) {
      const rows = Array.from({ length: 200 }, (_, i) => ({
        document_id: `many${start + i}`,
        channel: 'whatsapp',
        address: `+4916${String(200_000_000 + start + i)}`,
        status: 'active',
        created_at: now,
        updated_at: now,
        published_at: now,
      }));
      const inserted = (await knex(subscribers).insert(rows).returning('id')) as Array<number | { id: number }>;
      const link = (test.strapi.db.metadata.get('plugin::town-crier.subscriber').attributes as unknown as { topics: { joinTable: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } } } }).topics.joinTable;
      const ids = inserted.length ? inserted.map((row) => (typeof row === 'number' ? row : row.id)) : [];
      if (ids.length) await knex(link.name).insert(ids.map((id) => ({ [link.joinColumn.name]: id, [link.inverseJoinColumn.name]: topic.id })));
    }
    await queue().pause('whatsapp');
    const articleId = await publishArticle(test, { title: 'Viele Empfänger', topic: 'gross' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.fanOutDoneAt ? row : null;
    });
    // 1,200 in the topic, plus the one citizen who wants everything.
    expect(announcement.recipientsCount).toBe(1201);
    const auth = { Authorization: `Bearer ${adminToken}` };
    await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/cancel`).set(auth);
    await queue().resume('whatsapp');
  });

  it('lets an editor pause, cancel, test and send an update through the admin routes', async () => {
    const auth = { Authorization: `Bearer ${adminToken}` };
    expect((await test.request.get('/town-crier/broadcasts')).status).toBe(401);

    await queue().pause('whatsapp');
    const articleId = await publishArticle(test, { title: 'Wird abgesagt', topic: 'verkehr' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.fanOutDoneAt ? row : null;
    });
    const paused = await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/pause`).set(auth);
    expect(paused.body.data.broadcastStatus).toBe('paused');
    const cancelled = await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/cancel`).set(auth);
    expect(cancelled.body.data).toMatchObject({ broadcastStatus: 'cancelled', skipped: 2 });
    await queue().resume('whatsapp');
    const again = await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/resume`).set(auth);
    expect(again.status).toBe(400);

    const list = await test.request.get('/town-crier/broadcasts?pageSize=100').set(auth);
    expect(list.body.data.map((row: { documentId: string }) => row.documentId)).toContain(announcement.documentId);

    const test1 = await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/send-test`).set(auth).send({ address: '0171 5555555' });
    expect(test1.status).toBe(200);
    expect(templatesTo('+491715555555')).toHaveLength(1);

    const bad = await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/send-test`).set(auth).send({ address: 'nope' });
    expect(bad.status).toBe(400);

    const update = await test.request.post(`/town-crier/broadcasts/${announcement.documentId}/send-update`).set(auth).send({ text: 'Die Sperrung ist aufgehoben.' });
    expect(update.status).toBe(200);
    // The action answers the follow-up as a broadcast (no text: that is the detail's).
    expect(update.body.data).toMatchObject({ updateOf: announcement.documentId, followUpKind: 'update' });
    const followUp = await test.request.get(`/town-crier/broadcasts/${update.body.data.documentId}`).set(auth);
    expect(followUp.body.data).toMatchObject({ updateOf: announcement.documentId, text: 'Die Sperrung ist aufgehoben.' });
    await eventually(async () => {
      const row = await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { documentId: update.body.data.documentId, publishedAt: { $notNull: true } } });
      return row?.broadcastStatus === 'sent';
    });
  });
});
