import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, type TestStrapi } from '../support/strapi';

/**
 * Retention in a large town (issue #24, finding 7): tens of thousands of citizens withdrawn
 * longer than `retentionDays` are purged in chunks (no `IN (…)` list past what SQLite or
 * PostgreSQL accept), each only once, with every personal field cleared, language included.
 */

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';
const DELIVERY = 'plugin::town-crier.delivery';
const WITHDRAWN = 70_000;
const DAY_MS = 86_400_000;

describe('retention with 70,000 withdrawn subscribers', () => {
  let test: TestStrapi;
  const privacy = () =>
    test.strapi.plugin('town-crier').service('privacy') as { purgeWithdrawn(now?: Date): Promise<{ subscribers: number }> };
  const table = (uid: string) => test.strapi.db.metadata.get(uid).tableName;

  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { retentionDays: 30, retentionEverySeconds: 86_400 } });
    // Seeded by bulk SQL, as an old town's table would be: withdrawn 400 days ago, every field still set.
    const knex = test.strapi.db.connection;
    const longAgo = new Date(Date.now() - 400 * DAY_MS);
    const rows = Array.from({ length: WITHDRAWN }, (_, index) => ({
      document_id: randomUUID().replace(/-/g, '').slice(0, 24),
      channel: 'whatsapp',
      address: `+4915${String(100_000_000 + index)}`,
      whatsapp_user_id: `DE.${index}`,
      name: `Bürger ${index}`,
      villages: '|dakendorf|',
      locale: 'en',
      signup_link_id: randomUUID(),
      status: 'unsubscribed',
      confirmed_at: longAgo,
      unsubscribed_at: longAgo,
      created_at: longAgo,
      updated_at: longAgo,
    }));
    for (let i = 0; i < rows.length; i += 500) await knex(table(SUBSCRIBER)).insert(rows.slice(i, i + 500));
  }, 600_000);

  afterAll(async () => {
    await test?.close();
  });

  it('purges every one of them, clears every personal field, and selects none of them again', async () => {
    const ledger = test.strapi.plugin('town-crier').service('consent-ledger') as { record(input: Record<string, unknown>): Promise<void> };
    const [first, last] = (await test.strapi.db.query(SUBSCRIBER).findMany({ where: { address: { $in: ['+4915100000000', `+4915${100_000_000 + WITHDRAWN - 1}`] } }, select: ['id'], orderBy: { id: 'asc' } })) as Array<{ id: number }>;
    for (const subscriberId of [first.id, last.id]) {
      await ledger.record({ subscriberId, channel: 'whatsapp', type: 'withdrawn', method: 'whatsapp-keyword', ip: '203.0.113.7', userAgent: 'WhatsApp', at: new Date(Date.now() - 400 * DAY_MS) });
      await test.strapi.db.query(DELIVERY).create({ data: { announcementDocumentId: 'old-news', subscriberId, channel: 'whatsapp', status: 'read', providerMessageId: `wamid.${subscriberId}` } });
    }
    const recent = (await test.strapi.db.query(SUBSCRIBER).create({
      data: { channel: 'whatsapp', address: '+4917000000001', name: 'Recent', locale: 'en', status: 'unsubscribed', unsubscribedAt: new Date(Date.now() - 2 * DAY_MS) },
    })) as { id: number };

    const purged = await privacy().purgeWithdrawn();
    expect(purged.subscribers).toBe(WITHDRAWN);

    const knex = test.strapi.db.connection;
    const left = await knex(table(SUBSCRIBER))
      .where('status', 'unsubscribed')
      .andWhere('unsubscribed_at', '<', new Date(Date.now() - 30 * DAY_MS))
      .andWhere((where) => {
        for (const column of ['address', 'whatsapp_user_id', 'name', 'push_subscription', 'villages', 'locale', 'signup_link_id', 'token_hash', 'confirm_code']) where.orWhereNotNull(column);
      })
      .count({ count: '*' });
    expect(Number(left[0].count)).toBe(0);
    for (const subscriberId of [first.id, last.id]) {
      expect(await test.strapi.db.query(LEDGER).count({ where: { subscriber: subscriberId } })).toBe(0);
      expect(await test.strapi.db.query(DELIVERY).count({ where: { subscriberId } })).toBe(0);
    }
    // Within the retention period: untouched.
    expect(await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: recent.id } })).toMatchObject({ address: '+4917000000001', name: 'Recent', locale: 'en' });

    // Already purged rows are not selected again: the next run has nothing to do.
    expect((await privacy().purgeWithdrawn()).subscribers).toBe(0);
  }, 600_000);
});
