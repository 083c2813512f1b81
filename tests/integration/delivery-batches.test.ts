import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { bootStrapi, eventually, REDIS_URL, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, sentTo, WHATSAPP } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber } from '../support/seed';
import { checkExactlyOnce, digitsOf, receivedPerRecipient } from '../support/exactly-once';

const ACTIVE = 120;
const BATCH = 50;

interface Queue {
  pause(queue: string): Promise<void>;
  addBulk(queue: string, jobs: Array<{ name: string; id?: string; data: unknown }>): Promise<void>;
}

/**
 * Batched deliver jobs (`broadcast.deliveryBatchSize`): many deliveries in one job, with claims
 * and outcomes written together, and every single delivery's guarantee kept.
 */
describe('delivery batches', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  const active = Array.from({ length: ACTIVE }, (_, i) => `+49170${String(40_000_000 + i)}`);
  const queue = () => (test.strapi.plugin('town-crier').service('runtime') as { queue(): Queue }).queue();
  const finished = (articleId: string) =>
    eventually(
      async () => {
        const row = await announcementFor(test, articleId);
        return row?.broadcastStatus === 'sent' && row;
      },
      { timeoutMs: 60_000 }
    );
  const fannedOut = (articleId: string) =>
    eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.fanOutDoneAt ? row : null;
    });

  beforeAll(async () => {
    fake = (await fakeWhatsapp()).fake;
    test = await bootStrapi({
      pluginConfig: {
        broadcast: { deliveryBatchSize: BATCH, deliveryConcurrency: 8, maxAttempts: 3, retryBaseDelayMs: 50, reconcileEverySeconds: 3600 },
        channels: { whatsapp: { ...WHATSAPP, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion, messagesPerSecond: 1000, dailyRecipientLimit: 100_000 } },
      },
    });
    for (const address of active) await seedSubscriber(test, address);
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('queues one job per batch, and writes claims and outcomes for many messages at once', async () => {
    fake.setLatency(20);
    const title = 'Baustelle an der Bahnhofstraße';
    const table = test.strapi.db.metadata.get('plugin::town-crier.delivery').tableName;
    const writes: Array<{ sql: string; bindings?: unknown[] }> = [];
    const count = (query: { sql: string; bindings?: unknown[] }) => {
      if (new RegExp(`^update [\`"]?${table}[\`"]?`, 'i').test(query.sql)) writes.push(query);
    };
    test.strapi.db.connection.on('query', count);
    let articleId = '';
    try {
      articleId = await publishArticle(test, { title });
      const announcement = await finished(articleId);
      expect(announcement).toMatchObject({ recipientsCount: ACTIVE, sentCount: ACTIVE, failedCount: 0 });
    } finally {
      test.strapi.db.connection.off('query', count);
    }
    const result = checkExactlyOnce(fake, title, active, []);
    expect(result).toMatchObject({ missing: [], duplicated: [], strangers: [], total: ACTIVE });
    const rows = await deliveriesOf(test, (await announcementFor(test, articleId))!.documentId);
    expect(rows.every((row) => row.status === 'sent' && row.attempts === 1 && typeof row.providerMessageId === 'string')).toBe(true);
    expect(new Set(rows.map((row) => row.providerMessageId)).size).toBe(ACTIVE);
    // One claim and one outcome per message would be 2 × 120 writes. Grouped, there are fewer,
    // and sends that reach the database together share a statement.
    expect(writes.length).toBeLessThan(2 * ACTIVE);
    // The longest IN list of a statement (`?` on SQLite, `$n` on PostgreSQL; the status lists name two),
    // or on PostgreSQL the longest array the statement carries (`= ANY(?::int[])`, `unnest(…)`).
    const rowsNamed = ({ sql, bindings = [] }: { sql: string; bindings?: unknown[] }) =>
      Math.max(
        1,
        ...[...sql.matchAll(/ in \(((?:\?|\$\d+)(?:, (?:\?|\$\d+))*)\)/g)].map((match) => match[1].split(',').length),
        ...bindings.map((binding) => (Array.isArray(binding) ? binding.length : 1))
      );
    expect(Math.max(...writes.map(rowsNamed))).toBeGreaterThanOrEqual(3);
    // Bull keeps finished jobs for a while: the broadcast ran as three batch jobs, none of one delivery.
    const redis = new Redis(REDIS_URL);
    try {
      const jobs = await redis.zrange(`${test.prefix}:whatsapp:completed`, 0, -1);
      expect(jobs).toHaveLength(Math.ceil(ACTIVE / BATCH));
      expect(jobs.every((id) => id.startsWith(`batch:${rows[0].announcementDocumentId}:whatsapp:`))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it('sends each citizen once when the same batch is queued three times', async () => {
    // Slow answers keep the first jobs busy while their copies arrive.
    fake.setLatency(150);
    const title = 'Sitzung des Gemeinderats';
    const articleId = await publishArticle(test, { title });
    const announcement = await fannedOut(articleId);
    const rows = await deliveriesOf(test, announcement.documentId);
    const subscriberIds = rows.map((row) => row.subscriberId);
    // A second copy of every batch under other ids, as a stalled job run twice would be.
    const copies = [];
    for (let start = 0; start < subscriberIds.length; start += BATCH) {
      const data = { announcementDocumentId: announcement.documentId, channel: 'whatsapp', subscriberIds: subscriberIds.slice(start, start + BATCH) };
      copies.push({ name: 'deliver-batch', id: `copy-${start}-a`, data }, { name: 'deliver-batch', id: `copy-${start}-b`, data });
    }
    await queue().addBulk('whatsapp', copies);
    await finished(articleId);
    const result = checkExactlyOnce(fake, title, active, []);
    expect(result).toMatchObject({ missing: [], duplicated: [], strangers: [], total: ACTIVE });
  });

  it('retries a temporary error of one delivery on its own and counts its attempts across jobs', async () => {
    const [flaky, hopeless] = active;
    fake.failNext(flaky, { status: 500, code: 131000, message: 'Something went wrong' }, 1);
    fake.failNext(hopeless, { status: 503, code: 131016, message: 'Service unavailable' }, 100);
    const title = 'Wasser wird abgestellt';
    const articleId = await publishArticle(test, { title });
    const announcement = await eventually(
      async () => {
        const row = await announcementFor(test, articleId);
        return row && ['sent', 'failed'].includes(row.broadcastStatus) && row.sentCount === ACTIVE - 1 && row.failedCount === 1 && row;
      },
      { timeoutMs: 60_000 }
    );
    const rows = await deliveriesOf(test, announcement.documentId);
    const byAddress = new Map((await test.strapi.db.query('plugin::town-crier.subscriber').findMany({ select: ['id', 'address'] })).map((row: { id: number; address: string }) => [row.address, row.id]));
    const rowOf = (address: string) => rows.find((row) => row.subscriberId === byAddress.get(address));
    expect(rowOf(flaky)).toMatchObject({ status: 'sent', attempts: 2 });
    // `maxAttempts: 3`: the batch's send and two of its own job, then the delivery gives up.
    expect(rowOf(hopeless)).toMatchObject({ status: 'failed', attempts: 3, lastErrorCode: '131016' });
    expect(sentTo(fake, hopeless).filter((request) => JSON.stringify(request.body).includes(title))).toHaveLength(3);
    const result = checkExactlyOnce(fake, title, active.filter((address) => address !== hopeless), [hopeless]);
    expect(result).toMatchObject({ missing: [], duplicated: [], toOthers: [], strangers: [], total: ACTIVE - 1 });
  });
  it('sends nothing to a citizen who writes STOP while their delivery waits in a batch for a send slot', async () => {
    fake.setLatency(100);
    const title = 'Straßenfest am Samstag';
    const leaver = active[active.length - 1];
    const subscribers = test.strapi.db.query('plugin::town-crier.subscriber');
    const leaverId = ((await subscribers.findOne({ where: { address: leaver } })) as { id: number }).id;
    const articleId = await publishArticle(test, { title });
    // 120 sends, 8 at a time, 100 ms each: the last batch read its rows at the start, and the
    // leaver's send is more than a second away when they write STOP.
    await eventually(async () => receivedPerRecipient(fake, title).size >= 8, { intervalMs: 5 });
    expect(receivedPerRecipient(fake, title).has(digitsOf(leaver))).toBe(false);
    await (test.strapi.plugin('town-crier').service('subscriptions') as { withdraw(id: number, method: string): Promise<boolean> }).withdraw(leaverId, 'whatsapp-keyword');

    const announcement = await finished(articleId);
    expect(announcement).toMatchObject({ recipientsCount: ACTIVE, sentCount: ACTIVE - 1, skippedCount: 1, failedCount: 0 });
    const result = checkExactlyOnce(fake, title, active.filter((address) => address !== leaver), [leaver]);
    expect(result).toMatchObject({ missing: [], duplicated: [], toOthers: [], strangers: [], total: ACTIVE - 1 });
    await subscribers.update({ where: { id: leaverId }, data: { status: 'active', unsubscribedAt: null } });
  });
});
