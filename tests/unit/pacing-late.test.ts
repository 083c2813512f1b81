import { afterEach, describe, expect, it, vi } from 'vitest';
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

  // The clock and the timers are the test's (fake timers): a loaded machine cannot make a timer late here, and the
  // late timer below is late by exactly as much as the test says.
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends on time on the slot it got, asking once', async () => {
    vi.useFakeTimers();
    const { queue, asks } = timeline();
    const pace = createPacer(() => queue);
    const sends = Promise.all([pace('whatsapp', 100), pace('whatsapp', 100), pace('whatsapp', 100)]);
    await vi.runAllTimersAsync();
    await sends;
    expect(asks).toEqual([3]);
  });

  /**
   * One send on an empty timeline, then a second whose timer (its slot about 10 ms away) fires `lateMs` late: the
   * clock moves on before any timer can run, as on a busy CPU. Answers the slot requests the pacer made.
   */
  const secondSendFiringLate = async (lateMs: number) => {
    vi.useFakeTimers();
    const { queue, asks } = timeline();
    const pace = createPacer(() => queue);
    const first = pace('whatsapp', 100);
    await vi.runAllTimersAsync();
    await first;
    const second = pace('whatsapp', 100);
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(Date.now() + lateMs);
    await vi.runAllTimersAsync();
    await second;
    return asks;
  };

  it('takes a fresh slot when its timer fired more than a slot late', async () => {
    expect(await secondSendFiringLate(60)).toEqual([1, 1, 1]);
  });

  it('sends on its slot when its timer fired within the tolerance', async () => {
    // 5 ms late is within the tolerance (one slot, about 10 ms at 100/s): no new slot is asked for.
    expect(await secondSendFiringLate(5)).toEqual([1, 1]);
  });
});
