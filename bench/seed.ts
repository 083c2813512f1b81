import type { TestStrapi } from '../tests/support/strapi';

/**
 * Active WhatsApp subscribers on all news, written straight into the table in chunks (the
 * query engine would take minutes for 100,000). Numbers are +4915100000000 upwards: nobody's.
 */
export async function seedActiveSubscribers(target: TestStrapi, count: number) {
  const knex = target.strapi.db.connection;
  const table = target.strapi.db.metadata.get('plugin::town-crier.subscriber').tableName;
  const now = target.dialect === 'sqlite' ? Date.now() : new Date();
  for (let start = 0; start < count; start += 200) {
    await knex(table).insert(
      Array.from({ length: Math.min(200, count - start) }, (_, i) => ({
        document_id: `bench${start + i}`,
        channel: 'whatsapp',
        address: `+4915${String(100_000_000 + start + i)}`,
        status: 'active',
        locale: 'de',
        confirmed_at: now,
        created_at: now,
        updated_at: now,
        published_at: now,
      }))
    );
  }
}

/**
 * PostgreSQL only: a town of `count` subscribers written by set-based SQL (generate_series), in
 * the proportions of bench/stats.bench.ts: 85 % active, 8 % withdrawn, 7 % pending, sign-ups
 * spread over two years, five sources, six topics with 0–2 links each (70 % chose a topic).
 * Deterministic: the same rows every run.
 */
/** The benchmarks' six topics; their ids, in this order. */
export async function seedBenchTopics(target: TestStrapi): Promise<number[]> {
  const topicIds: number[] = [];
  for (const [name, slug] of [
    ['Verkehr', 'verkehr'],
    ['Kultur', 'kultur'],
    ['Sport', 'sport'],
    ['Baustellen', 'baustellen'],
    ['Rathaus', 'rathaus'],
    ['Schule', 'schule'],
  ]) {
    topicIds.push(((await target.strapi.db.query('plugin::town-crier.topic').create({ data: { name, slug, active: true } })) as { id: number }).id);
  }
  return topicIds;
}

export async function seedTownSql(target: TestStrapi, count: number) {
  const db = target.strapi.db;
  const knex = db.connection;
  const subscribers = db.metadata.get('plugin::town-crier.subscriber').tableName;
  const link = (db.metadata.get('plugin::town-crier.subscriber').attributes.topics as unknown as { joinTable: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } } }).joinTable;
  const topicIds = await seedBenchTopics(target);
  // i % 100: < 85 active, < 93 withdrawn, else pending. Confirmation up to 730 days back.
  await knex.raw(
    `INSERT INTO ${subscribers} (document_id, channel, address, status, source, locale, confirmed_at, unsubscribed_at, created_at, updated_at, published_at)
     SELECT 'bench' || i, 'whatsapp', '+4915' || (100000000 + i),
            CASE WHEN i % 100 < 85 THEN 'active' WHEN i % 100 < 93 THEN 'unsubscribed' ELSE 'pending' END,
            (ARRAY['web', 'flyer', 'qr-code', 'newsletter', NULL])[(1 + (i * 31) % 5)::int], 'de',
            CASE WHEN i % 100 < 93 THEN c END,
            CASE WHEN i % 100 >= 85 AND i % 100 < 93 THEN c + (now() - c) * ((i * 17) % 100) / 100.0 END,
            c, c, c
     FROM (SELECT i, LOCALTIMESTAMP - ((i * 7919) % 63072000) * interval '1 second' AS c FROM generate_series(0::bigint, ?::bigint - 1) AS i) AS g`,
    [count]
  );
  const ids = `ARRAY[${topicIds.join(', ')}]`;
  await knex.raw(
    `INSERT INTO ${link.name} (${link.joinColumn.name}, ${link.inverseJoinColumn.name})
     SELECT id, (${ids})[1 + (id * 13) % 6] FROM ${subscribers} WHERE id % 10 < 7
     UNION ALL
     SELECT id, (${ids})[1 + (id * 13 + 1) % 6] FROM ${subscribers} WHERE id % 10 < 3`
  );
  await knex.raw('VACUUM ANALYZE');
  const [{ n: links }] = (await knex(link.name).count({ n: '*' })) as Array<{ n: string }>;
  const [{ n: active }] = (await knex(subscribers).where('status', 'active').count({ n: '*' })) as Array<{ n: string }>;
  return { subscribers: count, active: Number(active), links: Number(links), topicIds };
}

/**
 * PostgreSQL only: `count` delivery records of `broadcasts` past broadcasts over the last year
 * (status mix as in bench/stats.bench.ts, Meta's pricing on the delivered and read ones), with
 * their announcements and counters, then VACUUM ANALYZE as autovacuum would.
 */
export async function seedDeliveriesSql(target: TestStrapi, count: number, broadcasts: number) {
  const db = target.strapi.db;
  const knex = db.connection;
  const table = (uid: string) => db.metadata.get(uid).tableName;
  const per = Math.ceil(count / broadcasts);
  await knex.raw(
    `INSERT INTO ${table('plugin::town-crier.announcement')} (document_id, title, text, broadcast_status, fan_out_done_at, finished_at, published_at, created_at, updated_at,
        recipients_count, sent_count, delivered_count, read_count, failed_count, skipped_count)
     SELECT 'bench-announcement-' || b, 'Meldung ' || b, 'Text', 'sent', t, t + interval '1 day', t, t, t,
            ?::int, ?::int, ?::int, ?::int, ?::int, ?::int
     FROM (SELECT b, LOCALTIMESTAMP - (? - b) * (interval '365 days' / ?) AS t FROM generate_series(0, ?::int - 1) AS b) AS g`,
    [per, Math.floor(per * 0.75), Math.floor(per * 0.62), Math.floor(per * 0.25), Math.floor(per * 0.12), Math.floor(per * 0.13), broadcasts, broadcasts, broadcasts]
  );
  const subscribers = table('plugin::town-crier.subscriber');
  const [{ lo, n }] = (await knex(subscribers).min({ lo: 'id' }).count({ n: '*' })) as Array<{ lo: number; n: string }>;
  // Subscriber (g * 7919) mod n: distinct within one broadcast, as the unique index demands.
  await knex.raw(
    `INSERT INTO ${table('plugin::town-crier.delivery')} (document_id, announcement_document_id, subscriber_id, channel, status, attempts, limited_holds,
        last_error_code, last_error_class, sent_at, status_at, billable, pricing_category, pricing_model, created_at, updated_at, published_at)
     SELECT 'bench-delivery-' || g, 'bench-announcement-' || (g / ?::int), ?::int + (g * 7919::bigint) % ?::int, 'whatsapp', s, 1, 0,
            CASE WHEN s = 'failed' THEN '131026' END, CASE WHEN s = 'failed' THEN 'permanent-recipient' END,
            CASE WHEN s <> 'skipped' THEN t END, t + interval '1 minute',
            CASE WHEN s IN ('delivered', 'read') THEN true END, CASE WHEN s IN ('delivered', 'read') THEN 'utility' END, CASE WHEN s IN ('delivered', 'read') THEN 'PMP' END,
            t, t, t
     FROM (SELECT g, (ARRAY['read', 'read', 'delivered', 'delivered', 'delivered', 'sent', 'failed', 'skipped'])[1 + g % 8] AS s,
                  LOCALTIMESTAMP - (? - g / ?::int) * (interval '365 days' / ?) AS t
           FROM generate_series(0, ?::int - 1) AS g) AS x`,
    [per, lo, Number(n), broadcasts, per, broadcasts, count]
  );
  await knex.raw('VACUUM ANALYZE');
  return count;
}
