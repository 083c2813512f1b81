import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { announcementFor, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

/**
 * The plugin's types in Strapi's own content manager (issue #15, point 8): the fields the
 * workers own are not in the announcement's edit form, a save cannot change them, and the
 * announcement copies of published articles stay off the admin's home page.
 */
const ANNOUNCEMENT = 'plugin::town-crier.announcement';
const WORKER_OWNED = [
  'sourceUid',
  'sourceDocumentId',
  'sourceLocale',
  'sourceKey',
  'languageVersions',
  'updateOf',
  'followUpKind',
  'followUpIncludeNew',
  'broadcastStatus',
  'statusReason',
  'resumesAt',
  'fanOutDoneAt',
  'finishedAt',
  'recipientsCount',
  'sentCount',
  'deliveredCount',
  'readCount',
  'failedCount',
  'skippedCount',
];
const EDITOR_FIELDS = ['title', 'text', 'url', 'topics', 'villages', 'urgency', 'channels', 'sendAt'];

describe('the plugin in the content manager', () => {
  let test: TestStrapi;
  let token: string;
  const admin = (method: 'get' | 'put' | 'post', path: string, body?: object) => {
    const request = test.request[method](path).set('Authorization', `Bearer ${token}`);
    return body ? request.send(body) : request;
  };

  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { channels: { whatsapp: { accessToken: '' } } } });
    token = await createSuperAdmin(test);
    await seedTopics(test, [['Verkehr', 'verkehr']]);
    await seedSubscriber(test, '+4915100000001');
  });
  afterAll(async () => {
    await test?.close();
  });

  it('shows an editor the announcement fields they write, and none the workers own', async () => {
    const response = await admin('get', `/content-manager/content-types/${ANNOUNCEMENT}/configuration`);
    expect(response.status).toBe(200);
    const { layouts, metadatas } = response.body.data.contentType as {
      layouts: { edit: Array<Array<{ name: string }>>; list: string[] };
      metadatas: Record<string, { edit: { visible?: boolean } }>;
    };
    const editFields = layouts.edit.flat().map((field) => field.name);
    expect(editFields.filter((name) => WORKER_OWNED.includes(name))).toEqual([]);
    expect(layouts.list.filter((name) => WORKER_OWNED.includes(name))).toEqual([]);
    expect([...editFields].sort()).toEqual([...EDITOR_FIELDS].sort());
    for (const field of WORKER_OWNED) expect(metadatas[field]?.edit.visible, field).toBe(false);
  });

  it('a save from the content manager cannot change a broadcast’s state', async () => {
    const articleId = await publishArticle(test, { title: 'Wasserrohrbruch', topic: 'Verkehr' });
    // Settled first (sandbox sends at once), so the counters below can only change through the save.
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.broadcastStatus === 'sent' ? row : null;
    });
    const before = { broadcastStatus: announcement.broadcastStatus, recipientsCount: announcement.recipientsCount, sourceKey: announcement.sourceKey };

    // What the edit view sends on save, plus worker fields a hand-made request could add.
    const saved = await admin('put', `/content-manager/collection-types/${ANNOUNCEMENT}/${announcement.documentId}`, {
      title: 'Wasserrohrbruch in der Bahnhofstraße',
      broadcastStatus: 'cancelled',
      recipientsCount: 999,
      sourceKey: 'forged',
    });
    expect(saved.status).toBe(200);
    const rows = (await test.strapi.db.query(ANNOUNCEMENT).findMany({ where: { documentId: announcement.documentId } })) as Array<Record<string, unknown>>;
    const draft = rows.find((row) => row.publishedAt === null);
    expect(draft?.title).toBe('Wasserrohrbruch in der Bahnhofstraße');
    for (const row of rows) {
      expect(row.broadcastStatus).not.toBe('cancelled');
      expect(row.recipientsCount).not.toBe(999);
      expect(row.sourceKey).not.toBe('forged');
    }
    const published = rows.find((row) => row.publishedAt !== null);
    expect({ broadcastStatus: published?.broadcastStatus, recipientsCount: published?.recipientsCount, sourceKey: published?.sourceKey }).toEqual(before);
  });

  it('keeps the announcement copies of articles off the home page', async () => {
    const articleId = await publishArticle(test, { title: 'Stadtfest am Samstag' });
    await eventually(() => announcementFor(test, articleId));
    for (const action of ['publish', 'update']) {
      const response = await admin('get', `/content-manager/homepage/recent-documents?action=${action}`);
      expect(response.status).toBe(200);
      const documents = response.body.data as Array<{ contentTypeUid: string; title: string }>;
      expect(documents.some((document) => document.contentTypeUid === 'api::article.article' && document.title === 'Stadtfest am Samstag')).toBe(true);
      expect(documents.filter((document) => document.contentTypeUid === ANNOUNCEMENT)).toEqual([]);
    }
  });
});
