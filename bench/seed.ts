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
