import { describe, expect, it } from 'vitest';
import { createPacer } from '../../server/src/channels/pacing';
import type { Limits } from '../../server/src/queue/limits';

/**
 * A send whose timer fires late (a busy CPU) must not go out on its old slot, where it would meet
 * the sends of the next slots at the provider: it takes a fresh one. The limits here are a stand-in
 * for the shared timeline (the real one is tested across processes in tests/integration/pacing.test.ts).
 */
describe('pacer', () => {
  const timeline = () => {
    let next = 0;
    const asks: number[] = [];
    const queue = {
      async reserveSlots(_key: string, intervalMs: number, nowMs: number, count: number) {
        asks.push(count);
        const slot = Math.max(next, nowMs);
        next = slot + count * intervalMs;
        return Array.from({ length: count }, (_, index) => slot + index * intervalMs - nowMs);
      },
    } as unknown as Limits;
    return { queue, asks };
  };

  it('sends on time on the slot it got, asking once', async () => {
    const { queue, asks } = timeline();
    const pace = createPacer(() => queue);
    await Promise.all([pace('whatsapp', 100), pace('whatsapp', 100), pace('whatsapp', 100)]);
    expect(asks).toEqual([3]);
  });

  it('takes a fresh slot when its timer fired more than a slot late', async () => {
    const { queue, asks } = timeline();
    const pace = createPacer(() => queue);
    await pace('whatsapp', 100);
    // The next slot is about 10 ms away; the event loop is then blocked for 60 ms.
    const late = pace('whatsapp', 100);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const until = Date.now() + 60;
    while (Date.now() < until) {
      // busy: the CPU is taken
    }
    await late;
    expect(asks.length).toBeGreaterThanOrEqual(3);
  });
});
