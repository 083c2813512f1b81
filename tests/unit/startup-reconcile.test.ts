import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '@strapi/strapi';
import createWorkers from '../../server/src/workers/workers.service';

/**
 * #23: at startup the reconciler asks Redis whether it is there (`ping`, one second). On a busy
 * machine the first answer can take longer, and the startup round was skipped: work lost while
 * no process ran waited a whole `reconcileEverySeconds` more. Now the startup round asks again,
 * with longer waits, and gives up (to the periodic round) only after about a minute.
 */
function fakeStrapi(pingAnswers: boolean[]) {
  const calls: string[] = [];
  const pings: Array<number | undefined> = [];
  const queue = {
    process: () => undefined,
    ping: async (timeoutMs?: number) => {
      pings.push(timeoutMs);
      return pingAnswers.shift() ?? true;
    },
  };
  const services: Record<string, unknown> = {
    runtime: {
      queue: () => queue,
      config: () => ({ broadcast: { deliveryConcurrency: 4, reconcileEverySeconds: 60 }, retentionEverySeconds: 3600 }),
      channels: () => ({ enabled: () => [] }),
      every: () => undefined,
      onStop: () => undefined,
    },
    delivery: { rebuildReachWindows: async () => calls.push('rebuildReachWindows'), stop: async () => undefined },
    'publish-outbox': { adopt: async () => calls.push('adopt') },
    dispatch: { reconcile: async () => calls.push('reconcile') },
    subscriptions: { expirePending: async () => ({ deleted: 0, reverted: 0 }) },
    privacy: { purgeWithdrawn: async () => ({ subscribers: 0, messages: 0, outbox: 0 }) },
    // No warning source configured: the worker polls none.
    'official-warnings': { sources: () => [] },
  };
  const warnings: string[] = [];
  const strapi = {
    plugin: () => ({ service: (name: string) => services[name] }),
    log: { warn: (message: string) => warnings.push(message), error: (message: string) => warnings.push(message), info: () => undefined },
  } as unknown as Core.Strapi;
  return { strapi, calls, pings, warnings };
}

describe('the startup reconcile', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks Redis again when the first pings time out under load, and then runs', async () => {
    vi.useFakeTimers();
    const { strapi, calls, pings } = fakeStrapi([false, false]);
    createWorkers({ strapi }).start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toContain('reconcile');
    expect(pings.length).toBe(3);
    // Each try waits longer for the answer than the one before.
    expect((pings[2] ?? 0) > (pings[0] ?? 0)).toBe(true);
  });

  it('gives up after its last try, leaving it to the periodic round, and says so', async () => {
    vi.useFakeTimers();
    const { strapi, calls, warnings } = fakeStrapi(Array.from({ length: 50 }, () => false));
    createWorkers({ strapi }).start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(calls).not.toContain('reconcile');
    expect(warnings.some((message) => /reconcil/i.test(message))).toBe(true);
  });
});
