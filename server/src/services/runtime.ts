import type { Core } from '@strapi/strapi';
import { readPluginConfig } from '../config';
import type { PluginConfig } from '../config/schema';
import type { JobQueue } from '../queue/job-queue';
import type { Limits } from '../queue/limits';
import { createBullJobQueue } from '../queue/bull-job-queue';
import { createRedisLimits } from '../queue/redis-limits';
import { createChannelRegistry, type ChannelRegistry } from '../channels/registry';
import { createPacer } from '../channels/pacing';
import { createFederation, type Federation } from '../activitypub/federation';
import { PLUGIN_ID } from '../constants';
import { maskedMessage } from '../utils/log';

/**
 * Owns everything the plugin opens: the parsed config, the job queue (Redis connections) and
 * the limits that share its connection, the channel adapters and timers. `bootstrap` calls `start`, `destroy` calls `stop`, and
 * nothing else in the plugin opens a connection of its own.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let config: PluginConfig | null = null;
  let queue: JobQueue | null = null;
  let limits: Limits | null = null;
  let channels: ChannelRegistry | null = null;
  let federation: Federation | null = null;
  const timers = new Set<NodeJS.Timeout>();
  const closers: Array<() => Promise<void>> = [];

  const required = <T>(value: T | null, what: string): T => {
    if (value === null) throw new Error(`${PLUGIN_ID}: ${what} used before bootstrap`);
    return value;
  };

  return {
    config(): PluginConfig {
      if (!config) config = readPluginConfig(strapi);
      return config;
    },

    queue(): JobQueue {
      return required(queue, 'job queue');
    },

    /** Reach windows, bookings, pacing, claims and stamps: see queue/limits.ts. */
    limits(): Limits {
      return required(limits, 'limits');
    },

    channels(): ChannelRegistry {
      return required(channels, 'channel registry');
    },

    /** The town's ActivityPub actor: its documents, inbox and signed HTTP (activitypub/federation.ts). */
    federation(): Federation {
      if (!federation) federation = createFederation(strapi, () => this.config());
      return federation;
    },

    start() {
      const cfg = this.config();
      const bull = createBullJobQueue({
        redisUrl: cfg.redis.url,
        prefix: cfg.redis.prefix,
        maxAttempts: cfg.broadcast.maxAttempts,
        baseBackoffMs: cfg.broadcast.retryBaseDelayMs,
        stalledJobMs: cfg.broadcast.stalledJobSeconds * 1000,
        onError: (error) => strapi.log.warn(`[${PLUGIN_ID}] queue: ${maskedMessage(error)}`),
        onJobFailed: (queueName, jobName, error) => strapi.log.warn(`[${PLUGIN_ID}] ${queueName}/${jobName} attempt failed: ${maskedMessage(error).slice(0, 300)}`),
      });
      queue = bull;
      limits = createRedisLimits({ prefix: cfg.redis.prefix, connection: () => bull.connection() });
      channels = createChannelRegistry({ strapi, config: cfg, pace: createPacer(() => this.limits()), limits: () => this.limits(), federation: () => this.federation() });
    },

    /** Runs `task` every `everyMs` until `stop`; errors are logged, never thrown into the timer. */
    every(name: string, everyMs: number, task: () => Promise<void>) {
      const timer = setInterval(() => {
        task().catch((error: Error) => strapi.log.error(`[${PLUGIN_ID}] ${name}: ${maskedMessage(error)}`));
      }, everyMs);
      timer.unref();
      timers.add(timer);
    },

    onStop(closer: () => Promise<void>) {
      closers.push(closer);
    },

    async stop() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      for (const closer of closers.reverse()) await closer();
      closers.length = 0;
      await channels?.close();
      await queue?.close();
      channels = null;
      queue = null;
      limits = null;
    },
  };
};
