/**
 * The reconciler's view of a channel queue holding one job per open delivery, at the size of a
 * large town's broadcast (BENCH_RECONCILER_JOBS, default 850,000: the 1,000,000-subscriber run of
 * large-town.bench.ts died here). Compares the one-shot read (`liveJobIds` → a Set of base ids, as
 * the reconciler did) with the paged scan into `LiveDeliveries` (what it does now): heap growth
 * after a forced collection while the result is held, and time. Real Redis, real bull. Prints;
 * asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { afterAll, describe, it } from 'vitest';
import { createBullJobQueue } from '../server/src/queue/bull-job-queue';
import { LiveDeliveries, jobIds } from '../server/src/queue/jobs';
import { REDIS_URL } from '../tests/support/strapi';

const JOBS = Number(process.env.BENCH_RECONCILER_JOBS ?? 850_000);
const prefix = `tc-bench-live-${process.pid}-${randomBytes(4).toString('hex')}`;
const queue = createBullJobQueue({ redisUrl: REDIS_URL, prefix, maxAttempts: 1 });
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};
const load = () => os.loadavg().map((value) => value.toFixed(1)).join(' / ');

afterAll(async () => {
  await queue.obliterate();
  await queue.close();
});

describe('reconciler scan of a large channel queue', () => {
  it(`holds ${JOBS.toLocaleString('en')} live delivery jobs`, async () => {
    const documentId = randomBytes(12).toString('hex');
    const started = Date.now();
    for (let start = 0; start < JOBS; start += 2000) {
      const page = Array.from({ length: Math.min(2000, JOBS - start) }, (_, index) => ({ announcementDocumentId: documentId, subscriberId: start + index + 1, channel: 'whatsapp' as const }));
      await queue.addBulk('whatsapp', page.map((data) => ({ name: 'deliver', id: jobIds.deliver(data, 'r1'), data })));
    }
    console.log(`[reconciler-scan] ${JOBS} jobs queued in ${((Date.now() - started) / 1000).toFixed(1)} s (load ${load()})`);

    const before = heapMb();
    let t = Date.now();
    const live = new LiveDeliveries();
    let seen = 0;
    await queue.forEachLiveJobId('whatsapp', (id) => {
      seen += 1;
      live.add(id);
    });
    const pagedMs = Date.now() - t;
    const pagedHeld = heapMb() - before;
    console.log(`[reconciler-scan] paged scan into LiveDeliveries: ${seen} ids, heap +${pagedHeld.toFixed(1)} MB held, ${pagedMs} ms (load ${load()})`);
    if (!live.has({ announcementDocumentId: documentId, subscriberId: JOBS })) throw new Error('the scan missed the last job');
    live.clear();
    const beforeOneShot = heapMb();
    t = Date.now();
    const oneShot = new Set((await queue.liveJobIds('whatsapp')).map(jobIds.deliverBase));
    const oneShotMs = Date.now() - t;
    const oneShotHeld = heapMb() - beforeOneShot;
    console.log(`[reconciler-scan] one-shot read + Set of base ids: ${oneShot.size} ids, heap +${oneShotHeld.toFixed(1)} MB held, ${oneShotMs} ms (load ${load()})`);
  });
});
