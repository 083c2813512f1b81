import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { announcementFor, publishArticle, seedSubscriber } from '../support/seed';

/** An instance that publishes but works no jobs; another process sharing the Redis does. */
describe('worker: false', () => {
  let test: TestStrapi;
  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { worker: false } });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('publishes and leaves the work in Redis for another process', async () => {
    await seedSubscriber(test, '+4915123456789');
    const articleId = await publishArticle(test, { title: 'Nur veröffentlichen' });
    const announcement = await eventually(async () => announcementFor(test, articleId));
    const queue = (test.strapi.plugin('town-crier').service('runtime') as { queue(): { counts(q: string): Promise<{ waiting: number }> } }).queue();
    const counts = await eventually(async () => {
      const current = await queue.counts('control');
      return current.waiting === 1 && current;
    });
    expect(counts.waiting).toBe(1);
    expect(announcement.broadcastStatus).toBe('queued');
    expect(await test.strapi.db.query('plugin::town-crier.delivery').count()).toBe(0);
  });
});
