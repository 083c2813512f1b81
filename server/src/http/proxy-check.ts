import type { Core } from '@strapi/strapi';

/**
 * With `server.proxy.koa: true` and no `maxIpsCount`, Koa takes the client address from the
 * leftmost `X-Forwarded-For` entry, which the client writes itself: the per-IP limits can be
 * dodged and the consent ledger records an address of the client's choosing. `maxIpsCount: 1`
 * (one proxy in front) makes Koa read only the entry the town's own proxy added.
 */
export function proxyTrustsClientAddress(strapi: Core.Strapi): boolean {
  const proxy = strapi.config.get('server.proxy') as { koa?: unknown; maxIpsCount?: unknown } | boolean | undefined;
  const koa = typeof proxy === 'object' && proxy !== null ? Boolean(proxy.koa) : false;
  const maxIpsCount = typeof proxy === 'object' && proxy !== null ? Number(proxy.maxIpsCount ?? 0) : 0;
  return koa && !(maxIpsCount >= 1);
}

export const PROXY_WARNING =
  "server.proxy.koa is on without maxIpsCount: the client address is the leftmost X-Forwarded-For entry, which the client writes itself, so per-IP limits can be dodged and the consent ledger records a chosen address. Set proxy: { koa: true, maxIpsCount: 1 } (one entry per proxy in front of Strapi) in config/server.";
