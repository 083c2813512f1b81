/**
 * The reconciler compares open deliveries with the jobs live in Redis. A town of a million has
 * that many jobs queued; reading them as one array of id strings ran the worker out of its heap
 * (bench/large-town.bench.ts, 850,000 recipients). The scan now reads pages and keeps a number per
 * job. Real Redis, real bull; no Strapi needed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createBullJobQueue } from '../../server/src/queue/bull-job-queue';
import { LiveDeliveries, jobIds } from '../../server/src/queue/jobs';
import { REDIS_URL } from '../support/strapi';

const prefix = `tc-test-live-${process.pid}-${randomBytes(4).toString('hex')}`;
const queue = createBullJobQueue({ redisUrl: REDIS_URL, prefix, maxAttempts: 1 });

afterAll(async () => {
  await queue.obliterate();
  await queue.close();
});

describe('the reconciler’s view of live jobs', () => {
  it('meets every waiting and delayed job of a queue larger than one page, and none it was not given', async () => {
    // More than two pages (5,000 ids each) of waiting jobs, and delayed ones beside them. No
    // worker consumes this queue, so every job stays where it was put.
    const waiting = Array.from({ length: 11_000 }, (_, index) => ({ announcementDocumentId: 'doca', subscriberId: index + 1, channel: 'whatsapp' as const }));
    const delayed = Array.from({ length: 3_000 }, (_, index) => ({ announcementDocumentId: 'docb', subscriberId: index + 1, channel: 'whatsapp' as const }));
    for (let start = 0; start < waiting.length; start += 1000) {
      await queue.addBulk('whatsapp', waiting.slice(start, start + 1000).map((data) => ({ name: 'deliver', id: jobIds.deliver(data, 'r1'), data })));
    }
    await queue.addBulk('whatsapp', delayed.map((data) => ({ name: 'deliver', id: jobIds.deliver(data), data, delayMs: 600_000 })));
    await queue.add('whatsapp', { name: 'message', id: 'message:not-a-delivery', data: {} });

    const visited: string[] = [];
    const live = new LiveDeliveries();
    await queue.forEachLiveJobId('whatsapp', (id) => {
      visited.push(id);
      live.add(id);
    });

    // The paged scan sees exactly what the one-shot read sees.
    expect(new Set(visited)).toEqual(new Set(await queue.liveJobIds('whatsapp')));
    expect(new Set(visited).size).toBe(waiting.length + delayed.length + 1);
    for (const data of [...waiting, ...delayed]) expect(live.has(data)).toBe(true);
    expect(live.has({ announcementDocumentId: 'doca', subscriberId: waiting.length + 1 })).toBe(false);
    expect(live.has({ announcementDocumentId: 'docb', subscriberId: delayed.length + 1 })).toBe(false);
    expect(live.has({ announcementDocumentId: 'docc', subscriberId: 1 })).toBe(false);
  }, 120_000);
});
