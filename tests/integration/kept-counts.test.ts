import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { buttonReplyWebhook, inboundTextWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, publishArticle, seedTopics } from '../support/seed';
import { drained } from '../support/drained';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const VILLAGES = [
  { name: 'Dakendorf', slug: 'dakendorf' },
  { name: 'Gnissau', slug: 'gnissau' },
];

type Row = {
  id: number;
  status: string | null;
  channel: string | null;
  source: string | null;
  villages: string | null;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  topics: Array<{ id: number }>;
};

/**
 * The counts the database keeps beside the subscriber and topic link tables (server/src/stats/
 * kept-counts.ts) against a fresh count of the rows, after every kind of change the plugin makes
 * to a subscriber, after writes that fail (a duplicate, a rolled-back transaction, a fault
 * injected into the count write itself), and after an upgrade from an install without them.
 */
describe('kept statistics counts', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let consentVersion: string;
  let whatsappConfig: Record<string, unknown>;
  const pluginConfig = () => ({ ...whatsappConfig, town: { name: 'Ahrensbök', kind: 'Gemeinde', villages: VILLAGES }, rateLimit: { signupsPerIpPerHour: 40 } });
  const knex = () => test.strapi.db.connection;
  const rowsOfResult = (result: unknown): Array<Record<string, unknown>> =>
    (Array.isArray(result) ? result : (result as { rows: Array<Record<string, unknown>> }).rows) as Array<Record<string, unknown>>;

  /** The kept counts, as `key → n` without the groups at 0. */
  const kept = async () => {
    const groups = new Map<string, number>();
    for (const row of await knex()('tc_subscriber_counts').select('*')) {
      const n = Number(row.n);
      if (n !== 0) groups.set([row.status, row.channel, row.source_key, row.villages_key, Number(row.confirmed), Number(row.withdrawn)].join(' / '), n);
    }
    const links = new Map<string, number>();
    for (const row of await knex()('tc_topic_link_counts').select('*')) {
      const n = Number(row.n);
      if (n !== 0) links.set(`${row.topic_id} / ${row.status}`, n);
    }
    return { groups, links };
  };

  /** The same counted afresh from the rows, in JS, with COUNT(*) per status as the anchor. */
  const fresh = async () => {
    const rows = (await test.strapi.db.query(SUBSCRIBER).findMany({ populate: ['topics'] })) as Row[];
    const groups = new Map<string, number>();
    const links = new Map<string, number>();
    const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    for (const row of rows) {
      const confirmed = row.confirmedAt !== null;
      const withdrawn = confirmed && row.unsubscribedAt !== null && new Date(row.unsubscribedAt) >= new Date(row.confirmedAt as string);
      add(groups, [row.status ?? '', row.channel ?? '', row.source === null ? '' : `:${row.source}`, row.villages ?? '', confirmed ? 1 : 0, withdrawn ? 1 : 0].join(' / '));
      for (const topic of row.topics) add(links, `${topic.id} / ${row.status}`);
      if (row.topics.length) add(links, `0 / ${row.status}`);
    }
    const table = test.strapi.db.metadata.get(SUBSCRIBER).tableName;
    const byStatus = rowsOfResult(await knex().raw(`SELECT status, COUNT(*) AS n FROM ${table} GROUP BY status`));
    const groupedStatus = new Map<string, number>();
    for (const [key, n] of groups) groupedStatus.set(key.split(' / ')[0], (groupedStatus.get(key.split(' / ')[0]) ?? 0) + n);
    expect(new Map(byStatus.map((row) => [String(row.status), Number(row.n)]))).toEqual(groupedStatus);
    return { groups, links };
  };

  const expectKeptEqualsFresh = async () => {
    const [keptNow, freshNow] = [await kept(), await fresh()];
    expect(keptNow.groups).toEqual(freshNow.groups);
    expect(keptNow.links).toEqual(freshNow.links);
  };

  const signup = (body: Record<string, unknown>) =>
    test.request.post('/api/town-crier/subscriptions').send({ channel: 'whatsapp', consent: { accepted: true, version: consentVersion }, ...body });
  const rowOf = async (number: string) => (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'whatsapp', address: number }, populate: ['topics'] })) as Row;
  /** Signs a number up and taps the confirmation button, as a citizen does. */
  const signUpAndConfirm = async (number: string, body: Record<string, unknown>) => {
    expect((await signup({ address: number.slice(3), ...body })).status).toBe(202);
    const [confirmation] = await eventually(async () => sentTo(fake, number).length > 0 && sentTo(fake, number));
    const payload = (confirmation.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ payload: string }> }> } }).template.components.find(
      (component) => component.sub_type === 'quick_reply'
    )!.parameters[0].payload;
    await postWebhook(test, buttonReplyWebhook(number.slice(1), payload));
    await eventually(async () => (await rowOf(number))?.status === 'active');
  };
  /** A test-only trigger that fails every write to one of the count tables. */
  const injectFault = async (table: string) => {
    if (test.dialect === 'postgres') {
      await knex().raw(`CREATE OR REPLACE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$`);
      await knex().raw(`CREATE TRIGGER test_fault BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION test_fault()`);
      return () => knex().raw(`DROP TRIGGER test_fault ON ${table}`);
    }
    await knex().raw(`CREATE TRIGGER test_fault_ins BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
    await knex().raw(`CREATE TRIGGER test_fault_upd BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
    return async () => {
      await knex().raw('DROP TRIGGER test_fault_ins');
      await knex().raw('DROP TRIGGER test_fault_upd');
    };
  };

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    whatsappConfig = whatsapp.config;
    test = await bootStrapi({ pluginConfig: pluginConfig(), keepDatabase: true });
    await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
      ['Sport', 'sport'],
    ]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await test?.database.drop();
    await fake?.close();
  });

  it('equal a fresh count after sign-ups, confirmations, topic changes, withdrawals, erasure, deliveries, retention and deletes', async () => {
    await expectKeptEqualsFresh();
    await signUpAndConfirm('+4915180900001', { topics: ['verkehr', 'kultur'], villages: ['gnissau'], source: 'flyer' });
    await signUpAndConfirm('+4915180900002', { topics: ['kultur'], source: 'web' });
    await signUpAndConfirm('+4915180900003', { topics: [], villages: ['dakendorf', 'gnissau'] });
    await signUpAndConfirm('+4915180900004', { topics: ['sport'], source: 'web' });
    // One sign-up nobody confirms: a pending row with a topic.
    expect((await signup({ address: '015180900005', topics: ['verkehr'] })).status).toBe(202);
    await expectKeptEqualsFresh();

    // A delivery to the active subscribers (the news on traffic reaches those on it, and those without a topic).
    const articleId = await publishArticle(test, { title: 'Sperrung der Bahnhofstraße', topic: 'verkehr' });
    await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row && ['sent', 'failed'].includes(row.broadcastStatus) && row;
    });
    await drained(test, { delayedWithinMs: 10_000 });
    // What a delivery outcome writes on a subscriber (send-outcome.ts) changes no count.
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: (await rowOf('+4915180900004')).id }, data: { undeliverableAt: new Date() } });
    await expectKeptEqualsFresh();

    // Topics changed through Strapi's relation writes, then STOP withdraws one citizen.
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: (await rowOf('+4915180900002')).id }, data: { topics: [] } });
    await postWebhook(test, inboundTextWebhook('4915180900001', 'STOP'));
    await eventually(async () => (await rowOf('+4915180900001')).status === 'unsubscribed');
    await expectKeptEqualsFresh();

    // Erasure (Art. 17) and the retention purge of withdrawn subscribers.
    const privacy = test.strapi.plugin('town-crier').service('privacy') as { erase(id: number): Promise<void>; purgeWithdrawn(now?: Date): Promise<unknown> };
    await privacy.erase((await rowOf('+4915180900003')).id);
    await expectKeptEqualsFresh();
    await privacy.purgeWithdrawn(new Date(Date.now() + 400 * 86_400_000));
    await expectKeptEqualsFresh();

    // A row deleted: its topic links go with it (the link table's cascade).
    await test.strapi.db.query(SUBSCRIBER).delete({ where: { id: (await rowOf('+4915180900004')).id } });
    const pending = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { status: 'pending' } })) as Row;
    await test.strapi.db.query(SUBSCRIBER).deleteMany({ where: { id: pending.id } });
    await expectKeptEqualsFresh();
  }, 180_000);

  it('stay equal to the rows when a write fails: a duplicate, a rolled-back transaction, a fault in the count write itself', async () => {
    await signUpAndConfirm('+4915180900011', { topics: ['verkehr'], villages: ['dakendorf'], source: 'web' });
    const row = await rowOf('+4915180900011');
    const before = await kept();

    // The unique address refuses a second row.
    await expect(test.strapi.db.query(SUBSCRIBER).create({ data: { channel: 'whatsapp', address: '+4915180900011', status: 'active' } })).rejects.toThrow();
    // A transaction that withdraws the citizen and drops their topics, then fails.
    await expect(
      test.strapi.db.transaction(async () => {
        await test.strapi.db.query(SUBSCRIBER).update({ where: { id: row.id }, data: { status: 'unsubscribed', unsubscribedAt: new Date(), topics: [] } });
        throw new Error('fails after the write');
      })
    ).rejects.toThrow('fails after the write');
    expect(await kept()).toEqual(before);
    await expectKeptEqualsFresh();

    // The count write fails: the row's change fails with it.
    let heal = await injectFault('tc_subscriber_counts');
    await expect(test.strapi.db.query(SUBSCRIBER).update({ where: { id: row.id }, data: { status: 'unsubscribed', unsubscribedAt: new Date() } })).rejects.toThrow();
    await expect(test.strapi.db.query(SUBSCRIBER).create({ data: { channel: 'whatsapp', address: '+4915180900012', status: 'active', confirmedAt: new Date() } })).rejects.toThrow();
    await heal();
    expect((await rowOf('+4915180900011')).status).toBe('active');
    expect(await rowOf('+4915180900012')).toBeNull();
    heal = await injectFault('tc_topic_link_counts');
    await expect(test.strapi.db.query(SUBSCRIBER).update({ where: { id: row.id }, data: { topics: [] } })).rejects.toThrow();
    await heal();
    expect((await rowOf('+4915180900011')).topics).toHaveLength(1);
    expect(await kept()).toEqual(before);
    await expectKeptEqualsFresh();
  }, 120_000);

  it('are counted once at startup on a database from before them (an upgrade)', async () => {
    // An install from before: no count tables, no triggers; rows written meanwhile.
    const triggers = rowsOfResult(
      await knex().raw(
        test.dialect === 'postgres'
          ? `SELECT t.tgname AS name, c.relname AS tbl FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'tc_kept_counts_%'`
          : `SELECT name, tbl_name AS tbl FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tc_kept_counts_%'`
      )
    );
    expect(triggers.length).toBeGreaterThan(0);
    for (const trigger of triggers) await knex().raw(test.dialect === 'postgres' ? `DROP TRIGGER ${trigger.name} ON ${trigger.tbl}` : `DROP TRIGGER ${trigger.name}`);
    await knex().raw('DROP TABLE tc_subscriber_counts');
    await knex().raw('DROP TABLE tc_topic_link_counts');
    await signUpAndConfirm('+4915180900021', { topics: ['sport', 'kultur'], villages: ['gnissau'], source: 'flyer' });
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: (await rowOf('+4915180900011')).id }, data: { status: 'unsubscribed', unsubscribedAt: new Date() } });

    const database = test.database;
    await test.close();
    test = await bootStrapi({ pluginConfig: pluginConfig(), database, keepDatabase: true });
    await expectKeptEqualsFresh();
    // And kept from then on.
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: (await rowOf('+4915180900021')).id }, data: { status: 'unsubscribed', unsubscribedAt: new Date(), topics: [] } });
    await expectKeptEqualsFresh();
  }, 120_000);
});
