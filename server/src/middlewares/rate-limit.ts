import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Core } from '@strapi/strapi';
import { rateLimitError } from '../http/errors';
import type { Context, Next } from 'koa';
import { PLUGIN_ID } from '../constants';
import { getService } from '../utils/get-service';
import { keyedHash } from '../utils/secret';
import { HOUR_MS, within } from '../utils/time';
import { maskedMessage } from '../utils/log';

/** The header a town's sign-up stand sends its token in (see docs/privacy.md). */
export const STAND_HEADER = 'x-town-crier-stand';

/**
 * Who a request counts against: an IPv4 address, or an IPv6 /64, the block one household or
 * one machine is given, so rotating through its addresses does not buy fresh attempts.
 */
export function clientKey(ip: string): string {
  const mapped = ip.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  const address = mapped ? mapped[1] : ip;
  if (isIP(address) !== 6) return address;
  const [head, tail = ''] = address.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = address.includes('::') ? 8 - headParts.length - tailParts.length : 0;
  const groups = [...headParts, ...Array(missing).fill('0'), ...tailParts].map((part) => (parseInt(part || '0', 16) || 0).toString(16));
  return `${groups.slice(0, 4).join(':')}::/64`;
}

const sameSecret = (given: string, expected: string) => {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
};

/** True when the request carries the configured sign-up stand's token. */
export function isStandRequest(ctx: Context, stand: { token: string } | undefined): boolean {
  const token = ctx.request.get(STAND_HEADER);
  return Boolean(stand && token && sameSecret(token, stand.token));
}

/** Which count a route draws on: sign-ups, or Web Push's unsubscribe and renew (their own, so neither uses up the other). */
interface RateLimitRouteConfig {
  bucket?: 'signup' | 'webpush';
}

/**
 * Per-client limit on the public sign-up route, kept in Redis so every process behind a load
 * balancer shares one count (N processes no longer allow N times the limit), and bounded: each
 * client is one sorted set of at most `limit` entries that expires with its hour. The client
 * address is Koa's `ctx.request.ip`, which honours `X-Forwarded-For` only when the host sets
 * `server.proxy.koa: true` (with `maxIpsCount: 1`, only the entry the town's proxy added).
 * Redis keys carry an HMAC of the address (keyed with the server secret), never the address.
 *
 * A sign-up stand (the tablet at the town hall, where one address serves many citizens) sends
 * the configured token and is counted on its own, higher limit; a wrong token is simply not a
 * stand. While Redis does not answer, nothing can be sent either, so requests pass.
 */
export default (routeConfig: RateLimitRouteConfig | undefined, { strapi }: { strapi: Core.Strapi }) => {
  const bucket = routeConfig?.bucket ?? 'signup';
  return async (ctx: Context, next: Next) => {
    const runtime = getService(strapi, 'runtime');
    const { rateLimit } = runtime.config();
    const stand = rateLimit.signupStand;
    const isStand = bucket === 'signup' && isStandRequest(ctx, stand);
    const limit = bucket === 'webpush' ? rateLimit.pushRequestsPerIpPerHour : isStand && stand ? stand.signupsPerHour : rateLimit.signupsPerIpPerHour;
    // Keyed with the server secret: all 2^32 IPv4 addresses are quickly hashed, an HMAC is not reversed that way.
    const who = isStand ? 'stand' : `ip:${keyedHash(strapi, `ip:${clientKey(ctx.request.ip || 'unknown')}`)}`;
    const now = Date.now();
    let result: { admitted: true } | { admitted: false; retryAtMs: number };
    try {
      result = await within(1000, runtime.limits().admitToWindow(`${bucket === 'webpush' ? 'webpush-ip' : 'signup-ip'}:${who}`, randomUUID(), limit, HOUR_MS, now));
    } catch (error) {
      strapi.log.warn(`[${PLUGIN_ID}] per-IP sign-up limit not checked, Redis did not answer: ${maskedMessage(error)}`);
      return next();
    }
    if (!result.admitted) {
      const retryAfterSeconds = Math.max(1, Math.ceil((result.retryAtMs - now) / 1000));
      ctx.set('Retry-After', String(retryAfterSeconds));
      throw rateLimitError(bucket === 'webpush' ? 'Too many requests from this address; please try again later' : 'Too many sign-ups from this address; please try again later', { retryAfterSeconds });
    }
    return next();
  };
};
