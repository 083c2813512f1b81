import type { TestStrapi } from './strapi';

interface Counts {
  waiting: number;
  active: number;
  nextDelayedAt: number | null;
}

interface RuntimeView {
  queue(): { counts(queue: string): Promise<Counts> };
  channels(): { enabled(): Array<{ id: string }> };
}

/** Clean passes in a row before the queues count as drained (see below). */
const CLEAN_PASSES = 2;

/**
 * Resolves once every queue of this boot (the control queue and each enabled channel's) has no
 * job waiting, running or due: whatever a request or webhook set off has run. What a test asserts
 * did NOT happen it asserts after this, never after a fixed sleep, which passes under load merely
 * because the job has not run yet. Jobs delayed further than `delayedWithinMs` from the call (a
 * hold, a backoff) and a paused queue's jobs are not waited for; a test whose accelerated waits
 * could hide the wrong job (a 1-second hold) passes that horizon. A job may queue another as it
 * finishes, and the queues are read one after another, so two clean passes in a row are required.
 */
export async function drained(test: TestStrapi, { delayedWithinMs = 0, timeoutMs = 15_000, intervalMs = 25 } = {}): Promise<void> {
  const runtime = test.strapi.plugin('town-crier').service('runtime') as unknown as RuntimeView;
  const queues = ['control', ...runtime.channels().enabled().map((channel) => channel.id)];
  const started = Date.now();
  let clean = 0;
  let busy = '';
  for (;;) {
    busy = '';
    for (const queue of queues) {
      const counts = await runtime.queue().counts(queue);
      const delayedDue = counts.nextDelayedAt !== null && counts.nextDelayedAt <= Math.max(Date.now(), started + delayedWithinMs);
      if (counts.waiting || counts.active || delayedDue) {
        busy = `${queue}: ${counts.waiting} waiting, ${counts.active} active${delayedDue ? ', a delayed job due' : ''}`;
        break;
      }
    }
    clean = busy ? 0 : clean + 1;
    if (clean >= CLEAN_PASSES) return;
    if (Date.now() - started > timeoutMs) throw new Error(`queues not drained within ${timeoutMs} ms (${busy})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
