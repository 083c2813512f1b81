import type { LookupAddress } from 'node:dns';
import { Agent, type AgentOptions } from 'node:https';
import type { RequestOptions } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { parse as legacyParse } from 'node:url';
import { within } from '../../utils/time';
import { isRefusedAddress, refusingLookup, systemResolver, type Resolver } from '../../utils/refused-address';

/**
 * Where the town's server may send a push. An endpoint is chosen by an anonymous visitor, and
 * every broadcast POSTs to it: without these rules it is a request forgery into the town's own
 * network (`https://169.254.169.254/…`, `https://10.0.0.5:8443/admin`). So an endpoint must be
 * on a push service browsers actually use, on the standard https port, and its host must resolve
 * to public addresses only, at sign-up and again on every connection (DNS rebinding).
 */

/** The push services of the browsers in use (2026): Chrome/Edge-Chromium (FCM), Firefox (autopush), Safari (Apple), legacy Edge (WNS). */
export const BUILT_IN_PUSH_SERVICES: readonly string[] = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.push.services.mozilla.com',
  'web.push.apple.com',
  '*.notify.windows.com',
];

/** One allowed push service: an exact host (`fcm.googleapis.com`, `127.0.0.1:8443`) or every subdomain of one (`*.notify.windows.com`). */
interface PushServiceRule {
  host: string;
  port: string;
  subdomains: boolean;
  /**
   * An IP literal the town named itself (a test push service on 127.0.0.1): the only way an IP,
   * and a non-public address, is ever reached. Everything else on that address stays refused.
   */
  literal: boolean;
}

export interface PushServices {
  rules: PushServiceRule[];
}

const HOST_LABELS = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * A `pushServices` entry as the config takes it, or why not: `host`, `host:port`, `*.domain`,
 * or an IP literal with its port (`127.0.0.1:8443`, `[::1]:8443`).
 */
export function parsePushServiceEntry(entry: string): PushServiceRule | string {
  const value = entry.trim().toLowerCase();
  const subdomains = value.startsWith('*.');
  const rest = subdomains ? value.slice(2) : value;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(rest);
  if (!match) return `"${entry}" is not a host, host:port or *.domain`;
  const [, rawHost, port = ''] = match;
  if (port && (Number(port) < 1 || Number(port) > 65535)) return `"${entry}": port out of range`;
  const host = rawHost.replace(/^\[|\]$/g, '');
  const literal = isIP(host) !== 0;
  if (literal) {
    if (subdomains) return `"${entry}": an IP address has no subdomains`;
    if (!port) return `"${entry}": an IP address is trusted only with its port, e.g. 127.0.0.1:8443`;
    return { host: normaliseIp(host), port: port === '443' ? '' : port, subdomains: false, literal: true };
  }
  if (!HOST_LABELS.test(host)) return `"${entry}" is not a host name`;
  return { host, port: port === '443' ? '' : port, subdomains, literal: false };
}

export function pushServicesOf(extra: readonly string[] = []): PushServices {
  const rules = [...BUILT_IN_PUSH_SERVICES, ...extra].map(parsePushServiceEntry).filter((rule): rule is PushServiceRule => typeof rule !== 'string');
  return { rules };
}

/** How an IP is written in a WHATWG URL's hostname, so a trusted literal matches however it was typed. */
function normaliseIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`https://[${ip}]/`).hostname.replace(/^\[|\]$/g, '') : new URL(`https://${ip}/`).hostname;
}

const bare = (hostname: string) => hostname.replace(/^\[|\]$/g, '');

const matches = (rule: PushServiceRule, host: string, port: string) =>
  rule.port === port && (rule.subdomains ? host.endsWith(`.${rule.host}`) : host === rule.host);

/**
 * What is wrong with an endpoint before any DNS, or null: https, no user part, a host on the
 * list, and the port the list names (443 unless an entry says otherwise). An IP literal passes
 * only as an entry of its own. The legacy `url.parse` that `web-push` connects with must read
 * the same host and port, so no parser difference can lead the request elsewhere.
 */
export function endpointProblem(endpoint: string, services: PushServices): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'must be a URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username || url.password) return 'must not carry a user name or password';
  const host = bare(url.hostname);
  const port = url.port;
  const legacy = legacyParse(endpoint);
  const legacyPort = legacy.port === '443' ? '' : (legacy.port ?? '');
  if (bare(legacy.hostname ?? '') !== host || legacyPort !== port) return 'is not a push service address';
  const rule = services.rules.find((candidate) => matches(candidate, host, port));
  if (!rule) return 'is not on a push service this town sends to (channels.webpush.pushServices)';
  if (isIP(host) && !rule.literal) return 'must name its push service by host name';
  return null;
}

/** True for an endpoint that is an IP literal the town trusted itself: it is connected to as named, without DNS. */
export function isTrustedLiteral(endpoint: string, services: PushServices): boolean {
  const url = new URL(endpoint);
  const host = bare(url.hostname);
  return isIP(host) !== 0 && services.rules.some((rule) => rule.literal && matches(rule, host, url.port));
}

export { isRefusedAddress };

export class PushAddressRefusedError extends Error {
  readonly code = 'ERR_PUSH_ADDRESS_REFUSED';
  constructor() {
    super('the push service resolved to an address the town never sends to');
    this.name = 'PushAddressRefusedError';
  }
}

const SIGNUP_RESOLVE_TIMEOUT_MS = 5000;

/**
 * Resolves an endpoint's host and answers null when every address is public, or why not. Used
 * at sign-up; the agent below applies the same rule to the addresses it actually connects to.
 */
export async function resolvedAddressProblem(endpoint: string, services: PushServices, resolve: Resolver = systemResolver): Promise<string | null> {
  if (isTrustedLiteral(endpoint, services)) return null;
  const host = bare(new URL(endpoint).hostname);
  let addresses: LookupAddress[];
  try {
    // A resolver that never answers must not hold the citizen's request (or a worker) open.
    addresses = await within(SIGNUP_RESOLVE_TIMEOUT_MS, resolve(host));
  } catch {
    return 'names a push service host that does not resolve; please try again later';
  }
  if (!addresses.length || addresses.some(({ address }) => isRefusedAddress(address))) return 'resolves to an address the town never sends to';
  return null;
}

/**
 * An https agent that checks every connection it opens: a host name is resolved here and
 * refused when any of its addresses is not public (a rebinding between sign-up and send finds
 * the same wall); an IP literal connects only when the town trusted exactly that address and
 * port. No proxy, and `web-push` follows no redirects, so nothing else decides where a push goes.
 */
export function createPushAgent(options: AgentOptions, services: PushServices, resolve: Resolver = systemResolver): Agent {
  const lookup = refusingLookup(() => new PushAddressRefusedError(), resolve);

  class PushAgent extends Agent {
    createConnection(connectOptions: RequestOptions, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
      const host = bare(connectOptions.host ?? '');
      if (isIP(host)) {
        const port = String(connectOptions.port ?? '443') === '443' ? '' : String(connectOptions.port);
        const trusted = services.rules.some((rule) => rule.literal && matches(rule, normaliseIp(host), port));
        if (!trusted) {
          // The agent's own callback: the request fails with this error, no socket is opened.
          (callback as unknown as (error: Error) => void)?.(new PushAddressRefusedError());
          return undefined;
        }
      }
      return super.createConnection({ ...connectOptions, lookup } as RequestOptions, callback);
    }
  }
  return new PushAgent(options);
}
