import type { Core } from '@strapi/strapi';
import { rateLimitError } from '../http/errors';
import type { Context, Next } from 'koa';
import { getService } from '../utils/get-service';
import { HOUR_MS } from '../utils/time';

/**
 * Per-IP limit for the public sign-up route. Kept in this process's memory: good enough
 * against a script hammering one instance, and it needs no Redis round trip on the public
 * path. Behind a proxy the host must set `server.proxy.koa: true` for the real client IP.
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const hits = new Map<string, number[]>();
  return async (ctx: Context, next: Next) => {
    const max = getService(strapi, 'runtime').config().rateLimit.signupsPerIpPerHour;
    const now = Date.now();
    const key = ctx.request.ip;
    const recent = (hits.get(key) ?? []).filter((time) => now - time < HOUR_MS);
    if (recent.length >= max) {
      const retryAfterSeconds = Math.ceil((recent[0] + HOUR_MS - now) / 1000);
      ctx.set('Retry-After', String(retryAfterSeconds));
      throw rateLimitError('Too many sign-ups from this address; please try again later', { retryAfterSeconds });
    }
    recent.push(now);
    hits.set(key, recent);
    if (hits.size > 10_000) {
      for (const [ip, times] of hits) if (!times.some((time) => now - time < HOUR_MS)) hits.delete(ip);
    }
    return next();
  };
};
