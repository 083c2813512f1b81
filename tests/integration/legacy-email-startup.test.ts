import { afterAll, describe, expect, it } from 'vitest';
import { bootStrapi, type TestDatabase, type TestStrapi } from '../support/strapi';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';
const DAY = 86_400_000;

/**
 * An upgrade must start: e-mail addresses stored before they were lower-cased are lowered at
 * startup, and case variants of one mailbox become one row (the one with the latest consent).
 */
describe('legacy e-mail addresses at startup', () => {
  let database: TestDatabase | null = null;
  let restarted: TestStrapi | null = null;
  afterAll(async () => {
    await restarted?.close();
    await database?.drop();
  });

  it("starts with 'Anna@x.de' and 'ANNA@x.de' stored (no lower-case row), and keeps one row with the latest consent", async () => {
    // The data an older version left: two rows for one mailbox, written before addresses were lowered.
    const before = await bootStrapi({ keepDatabase: true });
    database = before.database;
    const now = Date.now();
    const create = (data: Record<string, unknown>) => before.strapi.db.query(SUBSCRIBER).create({ data: { channel: 'email', locale: 'de', ...data } }) as Promise<{ id: number }>;
    const subscribed = await create({ address: 'Anna@x.de', status: 'active', confirmedAt: new Date(now - 20 * DAY) });
    // The later word: this one was confirmed and then withdrawn.
    const withdrawn = await create({ address: 'ANNA@x.de', status: 'unsubscribed', confirmedAt: new Date(now - 30 * DAY), unsubscribedAt: new Date(now - 2 * DAY) });
    await before.strapi.db.query(LEDGER).create({ data: { subscriber: subscribed.id, channel: 'email', type: 'confirmed', method: 'confirmation-link', occurredAt: new Date(now - 20 * DAY) } });
    await before.strapi.db.query(LEDGER).create({ data: { subscriber: withdrawn.id, channel: 'email', type: 'withdrawn', method: 'unsubscribe-link', occurredAt: new Date(now - 2 * DAY) } });
    const single = await create({ address: 'Bert.Meier@X.de', status: 'active', confirmedAt: new Date(now - DAY) });
    await before.close();

    restarted = await bootStrapi({ database });
    const rows = (await restarted.strapi.db.query(SUBSCRIBER).findMany({ where: { channel: 'email' }, orderBy: { id: 'asc' } })) as Array<{ id: number; address: string | null; status: string }>;
    const anna = rows.filter((row) => row.address?.toLowerCase() === 'anna@x.de');
    expect(anna).toEqual([expect.objectContaining({ id: withdrawn.id, address: 'anna@x.de', status: 'unsubscribed' })]);
    // The other row keeps no address, and its consent history now belongs to the kept row.
    expect(rows.find((row) => row.id === subscribed.id)).toMatchObject({ address: null, status: 'unsubscribed' });
    const ledger = (await restarted.strapi.db.query(LEDGER).findMany({ where: { subscriber: withdrawn.id } })) as Array<{ type: string }>;
    expect(ledger.map((event) => event.type).sort()).toEqual(['confirmed', 'withdrawn']);
    expect(rows.find((row) => row.id === single.id)?.address).toBe('bert.meier@x.de');
  });
});
