import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber } from '../support/seed';

const ANNOUNCEMENT = 'plugin::town-crier.announcement';
const RUN = 'plugin::town-crier.broadcast-run';
const PHONES = ['+4915190000001', '+4915190000002', '+4915190000003'];

/**
 * Publish is atomic with its broadcast: an error between the publish and the broadcast's rows
 * (a database error at the run insert, or at the announcement insert of a published article)
 * leaves the editor's publish standing, and the next reconcile sends the news, once.
 * The errors are real database errors, raised by a trigger on the table.
 */
describe('publish outbox', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let failing: string | null = null;

  const knex = () => test.strapi.db.connection;
  /** Every insert into `table` fails, as a broken connection or a full disk would make it. */
  const failInsertsInto = async (table: string) => {
    failing = table;
    if (test.dialect === 'postgres') {
      await knex().raw(`CREATE OR REPLACE FUNCTION tc_test_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected: insert refused'; END; $$ LANGUAGE plpgsql`);
      await knex().raw(`CREATE TRIGGER tc_test_refuse BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION tc_test_refuse()`);
    } else {
      await knex().raw(`CREATE TRIGGER tc_test_refuse BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'injected: insert refused'); END`);
    }
  };
  const healDatabase = async () => {
    if (!failing) return;
    await knex().raw(test.dialect === 'postgres' ? `DROP TRIGGER IF EXISTS tc_test_refuse ON ${failing}` : 'DROP TRIGGER IF EXISTS tc_test_refuse');
    failing = null;
  };
  const reconcile = () => (test.strapi.plugin('town-crier').service('workers') as { reconcile(): Promise<void> }).reconcile();
  const templatesWith = (title: string) =>
    fake.requests.filter((request) => (request.body as { type?: string })?.type === 'template' && request.response?.status === 200 && request.rawBody.includes(title));
  const runsOf = (documentId: string) => test.strapi.db.query(RUN).findMany({ where: { announcementDocumentId: documentId } });
  const sentOnce = async (documentId: string, title: string) => {
    await eventually(async () => {
      const deliveries = await deliveriesOf(test, documentId);
      return deliveries.length === PHONES.length && deliveries.every((delivery) => delivery.status === 'sent');
    }, { timeoutMs: 20_000 });
    // Another reconcile finds nothing left to do.
    await reconcile();
    await eventually(async () => (await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { documentId, publishedAt: { $notNull: true } } }))?.broadcastStatus === 'sent');
    expect(templatesWith(title).map((request) => (request.body as { to: string }).to).sort()).toEqual(PHONES.map((phone) => phone.slice(1)).sort());
  };

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({ pluginConfig: whatsapp.config });
    for (const phone of PHONES) await seedSubscriber(test, phone);
  });
  afterEach(() => healDatabase());
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('sends an announcement whose runs could not be written at publish, once, at the next reconcile', async () => {
    const title = 'Lauf nicht geschrieben';
    await failInsertsInto(test.strapi.db.metadata.get(RUN).tableName);
    // The editor's publish stands.
    const { documentId } = (await test.strapi.documents(ANNOUNCEMENT).create({ data: { title, text: title, urgency: 'emergency' }, status: 'published' } as never)) as {
      documentId: string;
    };
    const published = await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { documentId, publishedAt: { $notNull: true } } });
    expect(published).toMatchObject({ title, broadcastStatus: null });
    expect(await runsOf(documentId)).toEqual([]);
    // While the database still refuses, a reconcile changes nothing and loses nothing.
    await reconcile();
    expect(await runsOf(documentId)).toEqual([]);

    await healDatabase();
    await reconcile();
    await sentOnce(documentId, title);
  });

  it('sends a published article whose announcement could not be written, once, at the next reconcile', async () => {
    const title = 'Ankündigung nicht geschrieben';
    await failInsertsInto(test.strapi.db.metadata.get(ANNOUNCEMENT).tableName);
    const articleId = await publishArticle(test, { title, urgency: 'emergency' });
    expect(await announcementFor(test, articleId)).toBeNull();

    await healDatabase();
    await reconcile();
    const announcement = await eventually(() => announcementFor(test, articleId));
    await sentOnce(announcement.documentId, title);
  });
});
