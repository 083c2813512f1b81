import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { conformsToContract } from '../support/admin-contract';
import { announcementFor, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

/**
 * The content manager's side panel: what Publish will do, in sandbox mode with a daily reach
 * limit of 6 recipients per 24 hours, and afterwards the broadcast's progress.
 */

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const HOUR = 3_600_000;

describe('editor preview', () => {
  let test: TestStrapi;
  let token: string;
  let topics: Record<string, number>;
  const ids: Record<string, number> = {};

  // Every answer is held to its contract (tests/support/admin-contract.ts): no key beyond it.
  const get = async (path: string) => conformsToContract('GET', `/town-crier${path}`, await test.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`));
  const limits = () =>
    (test.strapi.plugin('town-crier').service('runtime') as {
      limits(): { admitToWindow(key: string, member: string, limit: number, windowMs: number, nowMs: number): Promise<unknown> };
    }).limits();

  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { channels: { whatsapp: { accessToken: '', dailyRecipientLimit: 6 } } } });
    token = await createSuperAdmin(test);
    topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
    ]);
    for (let i = 1; i <= 5; i += 1) ids[`verkehr${i}`] = await seedSubscriber(test, `+4915100000${10 + i}`, { topics: [topics.verkehr] });
    for (let i = 1; i <= 2; i += 1) ids[`kultur${i}`] = await seedSubscriber(test, `+4915100000${20 + i}`, { topics: [topics.kultur] });
    for (let i = 1; i <= 3; i += 1) ids[`all${i}`] = await seedSubscriber(test, `+4915100000${30 + i}`);
    // Not recipients: stopped marketing messages, unreachable, pending, withdrawn.
    const stopped = await seedSubscriber(test, '+491510000041', { topics: [topics.verkehr] });
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: stopped }, data: { marketingStoppedAt: new Date() } });
    const unreachable = await seedSubscriber(test, '+491510000042');
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: unreachable }, data: { undeliverableAt: new Date() } });
    await seedSubscriber(test, '+491510000043', { topics: [topics.verkehr], status: 'pending' });
    await seedSubscriber(test, '+491510000044', { status: 'unsubscribed' });
  });
  afterAll(async () => {
    await test?.close();
  });

  describe('preview of what Publish will do', () => {
    it('counts recipients like fan-out and splits them by the daily reach limit', async () => {
      // Three of six slots used in the last 24 h: two by Verkehr recipients (admitted again
      // without a new slot), one by a confirmation message.
      const now = Date.now();
      await limits().admitToWindow('reach:whatsapp', String(ids.verkehr1), 6, 86_400_000, now - HOUR);
      await limits().admitToWindow('reach:whatsapp', String(ids.verkehr2), 6, 86_400_000, now - HOUR);
      await limits().admitToWindow('reach:whatsapp', 's:999', 6, 86_400_000, now - HOUR);

      const response = await get('/preview?uid=api::article.article&topic=verkehr');
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({
        broadcasts: true,
        reason: null,
        // The side panel reads these fields from the unsaved form.
        fields: { topics: 'topic', urgency: 'urgency' },
        topic: { slug: 'verkehr', name: 'Verkehr' },
        // 5 on Verkehr + 3 who chose no topic (all news).
        recipients: { total: 8, byChannel: { whatsapp: 8 } },
        // Everyone here reads German (the languages' own test counts several: languages.test.ts).
        recipientsByLanguage: { de: 8 },
        // 2 already counted + 3 free slots now; the other 3 when slots free up.
        dailyLimit: { whatsapp: { limit: 6, usedLast24h: 3, sendableNow: 5, later: 3 } },
        // News is a marketing template unless Meta says otherwise: 8 × the default € 0.1131.
        whatsappCost: { currency: 'EUR', category: 'marketing', messages: 8, ratePerMessage: 0.1131, cost: 0.9048, ratesAsOf: '2025-07-01', ratesSource: expect.stringMatching(/^Placeholder/) },
        // Without a saved entry there is no text to render.
        whatsappMessage: null,
        // No grace period, no quiet hours in this town: it goes out now.
        startsAt: { at: null, reason: null },
        announcement: null,
        unmatchedTopics: [],
        missingLinkFields: [],
        officialWarning: null,
        // Four-eyes approval is off by default and nobody here is limited to villages: Publish needs no approval.
        approval: { mode: null, reasons: [], heldChannels: [], approvers: [], villageRights: null },
      });
    });

    it('reads the topic and the skip flag from the saved entry', async () => {
      const draft = (await test.strapi.documents('api::article.article' as never).create({
        data: { title: 'Konzert im Park', summary: 'Musik', slug: 'konzert', topic: 'Kultur' },
      } as never)) as { documentId: string };
      const kultur = (await get(`/preview?uid=api::article.article&documentId=${draft.documentId}`)).body.data;
      expect(kultur.topic).toEqual({ slug: 'kultur', name: 'Kultur' });
      expect(kultur.recipients).toEqual({ total: 5, byChannel: { whatsapp: 5 } });
      expect(kultur.broadcasts).toBe(true);
      // The WhatsApp message as citizens will read it: no templates read from Meta here, so the plugin's
      // German wording with the entry's title and text filled in, marked as not confirmed by Meta.
      expect(kultur.whatsappMessage).toMatchObject({ template: { name: 'town_news', source: 'plugin' }, header: null, footer: null });
      expect(kultur.whatsappMessage.text).toMatch(/^Neues aus .+: Konzert im Park\n\nMusik\n\nMehr dazu auf unserer Website\. Abmelden: STOP$/);

      await test.strapi.documents('api::article.article' as never).update({ documentId: draft.documentId, data: { silent: true } } as never);
      const silent = (await get(`/preview?uid=api::article.article&documentId=${draft.documentId}`)).body.data;
      expect(silent).toMatchObject({ broadcasts: false, reason: 'skip-flag' });
    });

    it('follows the topic of the unsaved form, also when the editor cleared it', async () => {
      const draft = (await test.strapi.documents('api::article.article' as never).create({
        data: { title: 'Lesung in der Bücherei', summary: 'Lesung', slug: 'lesung', topic: 'Kultur' },
      } as never)) as { documentId: string };
      const base = `/preview?uid=api::article.article&documentId=${draft.documentId}`;
      const changed = (await get(`${base}&topic=verkehr`)).body.data;
      expect(changed.topic).toEqual({ slug: 'verkehr', name: 'Verkehr' });
      expect(changed.recipients.total).toBe(8);
      // An empty topic in the form: the news goes to everyone, as it would on publish.
      const cleared = await get(`${base}&topic=`);
      expect(cleared.status).toBe(200);
      expect(cleared.body.data.topic).toBeNull();
      expect(cleared.body.data.recipients.total).toBe(10);
    });

    it('warns before publish about a topic no topic matches and an empty link field', async () => {
      const draft = (await test.strapi.documents('api::article.article' as never).create({
        data: { title: 'Neues Baugebiet', summary: 'Pläne', topic: 'Bauen' },
      } as never)) as { documentId: string };
      const warned = (await get(`/preview?uid=api::article.article&documentId=${draft.documentId}`)).body.data;
      expect(warned).toMatchObject({ broadcasts: true, topic: null, unmatchedTopics: ['Bauen'], missingLinkFields: ['slug'] });
      // No topic matches: it goes to everyone, as the panel then says.
      expect(warned.recipients.total).toBe(10);

      await test.strapi.documents('api::article.article' as never).update({ documentId: draft.documentId, data: { slug: 'neues-baugebiet', topic: 'verkehr' } } as never);
      const fixed = (await get(`/preview?uid=api::article.article&documentId=${draft.documentId}`)).body.data;
      expect(fixed).toMatchObject({ topic: { slug: 'verkehr' }, unmatchedTopics: [], missingLinkFields: [] });
    });

    it('says when a type is not broadcast at all', async () => {
      const response = await get('/preview?uid=api::page.page');
      expect(response.body.data).toMatchObject({ broadcasts: false, reason: 'not-mapped', recipients: { total: 0, byChannel: {} } });
      expect((await get('/preview?uid=nonsense')).status).toBe(400);
    });

    it('after publishing, shows the broadcast’s progress instead', async () => {
      const articleId = await publishArticle(test, { title: 'Sperrung Hauptstraße', topic: 'verkehr', urgency: 'emergency' });
      const announcement = await eventually(async () => {
        const row = await announcementFor(test, articleId);
        return row?.fanOutDoneAt ? row : null;
      });
      const data = await eventually(async () => {
        const body = (await get(`/preview?uid=api::article.article&documentId=${articleId}`)).body.data;
        return body.announcement?.sent === 5 ? body : null;
      });
      expect(data.broadcasts).toBe(false);
      expect(data.reason).toBe('already-broadcast');
      // 8 recipients, the daily limit lets 5 through now; the other 3 wait.
      expect(data.announcement).toEqual({
        documentId: announcement.documentId,
        broadcastStatus: 'sending',
        statusReason: 'daily-limit',
        // Recipients count every delivery row; the two fan-out skips (stopped, unreachable) are among them.
        recipients: 10,
        sent: 5,
        delivered: 0,
        read: 0,
        failed: 0,
        skipped: 2,
        // The three the daily limit holds, until the first slot frees up.
        waiting: 3,
        resumesAt: expect.any(String),
      });

      const detail = (await get(`/broadcasts/${announcement.documentId}`)).body.data;
      expect(detail).toMatchObject({ recipients: 10, sent: 5, failed: 0, skipped: 2, failuresByCode: [] });
      expect(detail.waiting.reason).toBe('daily-limit');
      // The first slot (taken an hour ago) frees up 23 hours from now.
      const until = new Date(detail.waiting.until).getTime();
      expect(until).toBeGreaterThan(Date.now() + 22 * HOUR);
      expect(until).toBeLessThan(Date.now() + 24 * HOUR);
      expect(new Date(detail.estimatedFinishAt).getTime()).toBeGreaterThanOrEqual(until);
    });
  });

});
