import type { TestStrapi } from './strapi';
import { eventually } from './strapi';

interface Counts {
  waiting: number;
  active: number;
  delayed: number;
}

const ALL_QUEUES = ['control', 'whatsapp', 'email', 'telegram', 'webpush'];

/**
 * Waits until no job is waiting, running or delayed (a retry) in `queues`, three polls in a row:
 * a job that finishes may add the next one (a webhook job queues its reply), so one empty poll
 * is not enough. How a test asserts that nothing (more) happened, without a fixed sleep.
 */
export async function queuesDrained(test: TestStrapi, queues: string[] = ALL_QUEUES, { timeoutMs = 20_000 } = {}) {
  const queue = (test.strapi.plugin('town-crier').service('runtime') as { queue(): { counts(name: string): Promise<Counts> } }).queue();
  let quiet = 0;
  await eventually(
    async () => {
      const counts = await Promise.all(queues.map((name) => queue.counts(name)));
      quiet = counts.some((count) => count.waiting + count.active + count.delayed > 0) ? 0 : quiet + 1;
      return quiet >= 3;
    },
    { timeoutMs, intervalMs: 60 }
  );
}
