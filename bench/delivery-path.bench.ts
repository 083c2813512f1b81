/**
 * Figures for the delivery path, printed, never asserted:
 * - how long the WhatsApp webhook takes to acknowledge 1,000 statuses in one POST (target < 250 ms);
 * - time and peak heap of a fan-out to 100,000 subscribers (memory must stay flat: paging by id).
 * Run: npm run bench
 */
import { afterAll, beforeAll, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../tests/support/strapi';
import { statusWebhook } from '../tests/support/fake-whatsapp-cloud-api';
import { postWebhook, WHATSAPP } from '../tests/support/whatsapp';
import { seedActiveSubscribers } from './seed';
import { percentile } from './support/percentile';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
let test: TestStrapi;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

beforeAll(async () => {
  // Sandbox mode and a paused channel queue: the fan-out is measured, not the sending.
  test = await bootStrapi({ pluginConfig: { channels: { whatsapp: { ...WHATSAPP, accessToken: '' } } } });
});
afterAll(async () => {
  await test?.close();
});

it('acknowledges a webhook with 1,000 statuses', async () => {
  const payload = statusWebhook(Array.from({ length: 1000 }, (_, i) => ({ id: `wamid.bench.${i}`, status: 'delivered' as const, recipientDigits: '4915100000000' })));
  const timings: number[] = [];
  // Webhooks arrive while earlier ones are still being processed on the same event loop: that is the realistic case.
  for (let round = 0; round < 30; round += 1) {
    const started = process.hrtime.bigint();
    const response = await postWebhook(test, payload);
    timings.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
  }
  const body = JSON.stringify(payload).length;
  console.log(
    `webhook ack, 1,000 statuses (${(body / 1024).toFixed(0)} KB) x30: median ${percentile(timings, 50).toFixed(1)} ms, p95 ${percentile(timings, 95).toFixed(1)} ms, max ${Math.max(...timings).toFixed(1)} ms (target < 250 ms)`
  );
});

it(`fans out one announcement to ${SUBSCRIBERS.toLocaleString('en')} subscribers`, async () => {
  await seedActiveSubscribers(test, SUBSCRIBERS);
  const runtime = test.strapi.plugin('town-crier').service('runtime') as { queue(): { pause(q: string): Promise<void>; counts(q: string): Promise<{ waiting: number; paused: number }> } };
  await runtime.queue().pause('whatsapp');

  global.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    global.gc?.();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 250);
  const started = Date.now();
  const created = (await test.strapi.documents('plugin::town-crier.announcement').create({
    data: { title: 'Benchmark', text: 'Fan-out benchmark', urgency: 'emergency' },
    status: 'published',
  } as never)) as { documentId: string };
  await eventually(
    async () => {
      const row = await test.strapi.db.query('plugin::town-crier.announcement').findOne({ where: { documentId: created.documentId, publishedAt: { $notNull: true } } });
      return row?.fanOutDoneAt;
    },
    { timeoutMs: 20 * 60_000, intervalMs: 200 }
  );
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  const deliveries = await test.strapi.db.query('plugin::town-crier.delivery').count();
  console.log(
    `fan-out: ${deliveries.toLocaleString('en')} deliveries and jobs in ${seconds.toFixed(1)} s (${Math.round(deliveries / seconds).toLocaleString('en')}/s); live heap ${mb(baseline)} before, peak ${mb(peak)} (+${mb(peak - baseline)}, sampled after a forced GC every 250 ms) [${test.dialect}]`
  );
});
