import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, type TestStrapi } from '../support/strapi';

describe('the plugin inside a real Strapi', () => {
  let test: TestStrapi;

  beforeAll(async () => {
    test = await bootStrapi();
  });
  afterAll(async () => {
    await test?.close();
  });

  it('registers its content types under plugin::town-crier', () => {
    const uids = Object.keys(test.strapi.contentTypes);
    for (const name of ['subscriber', 'topic', 'consent-event', 'announcement', 'delivery', 'inbound-message', 'outbox-message']) {
      expect(uids).toContain(`plugin::town-crier.${name}`);
    }
  });

  it('enforces one subscriber per channel and address in the database itself', async () => {
    const knex = test.strapi.db.connection;
    const table = test.strapi.db.metadata.get('plugin::town-crier.subscriber').tableName;
    const row = { channel: 'whatsapp', address: '+4915123456789', status: 'active', document_id: 'a1' };
    await knex(table).insert(row);
    await expect(knex(table).insert({ ...row, document_id: 'a2' })).rejects.toThrow(/unique|duplicate/i);
  });

  it('answers a public plugin route', async () => {
    await test.strapi.db.query('plugin::town-crier.topic').create({ data: { name: 'Verkehr', slug: 'verkehr', active: true } });
    await test.strapi.db.query('plugin::town-crier.topic').create({ data: { name: 'Alt', slug: 'alt', active: false } });
    const response = await test.request.get('/api/town-crier/topics');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([{ name: 'Verkehr', slug: 'verkehr', description: null }]);
  });

  it('runs its queue on the real Redis with this file’s own prefix', async () => {
    const queue = (test.strapi.plugin('town-crier').service('runtime') as { queue(): { ping(): Promise<boolean> } }).queue();
    expect(await queue.ping()).toBe(true);
    expect(test.prefix).toMatch(/^tc-test-/);
  });
});
