import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isRefusedAddress } from '../../utils/refused-address';
import { ACTIVITY_JSON, LD_JSON } from './documents';
import { signedHeaders, type SigningIdentity } from './signatures';

/**
 * The actor's outgoing HTTP: signed GETs of other servers' actor documents (servers in
 * "authorized fetch" mode answer only those) and signed POSTs to their inboxes. Every URL comes
 * from a stranger's document, so by default none may point into private or loopback networks.
 */

/** An inbox answered with an HTTP status: the adapter's classifier reads it. */
export class FederationHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    message: string
  ) {
    super(message);
    this.name = 'FederationHttpError';
  }
}

/** The request never got an answer (DNS, refused connection, timeout, a private address refused). */
export class FederationTransportError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'FederationTransportError';
  }
}

export async function assertPublicUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FederationTransportError('bad-url', 'not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new FederationTransportError('bad-url', `unsupported protocol ${parsed.protocol}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => []);
  if (!addresses.length) throw new FederationTransportError('dns', `${parsed.host} does not resolve`);
  for (const { address } of addresses) {
    if (isRefusedAddress(address)) throw new FederationTransportError('private-address', `${parsed.host} is a private address`);
  }
}

export interface FederationClientOptions {
  identity: () => Promise<SigningIdentity>;
  timeoutMs: number;
  allowPrivateAddresses: boolean;
  userAgent: string;
}

const retryAfterMs = (value: string | null): number | undefined => {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
};

export function createFederationClient(options: FederationClientOptions) {
  const request = async (method: 'GET' | 'POST', url: string, body?: string): Promise<Response> => {
    if (!options.allowPrivateAddresses) await assertPublicUrl(url);
    const identity = await options.identity();
    const headers = await signedHeaders(identity, {
      method,
      url,
      body,
      headers: method === 'POST' ? { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON } : { accept: `${ACTIVITY_JSON}, ${LD_JSON}` },
    });
    try {
      // Redirects are not followed: a signature covers one target, and an inbox never redirects.
      return await fetch(url, { method, headers: { ...headers, 'user-agent': options.userAgent }, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      const name = (error as { name?: string }).name;
      throw new FederationTransportError(name === 'TimeoutError' ? 'timeout' : 'network', `${method} ${new URL(url).host}: ${name === 'TimeoutError' ? 'timed out' : 'no answer'}`);
    }
  };

  return {
    /** A remote actor (or any object) as JSON, fetched with a signed GET. */
    async fetchJson(url: string): Promise<Record<string, unknown>> {
      const response = await request('GET', url);
      if (!response.ok) throw new FederationHttpError(response.status, retryAfterMs(response.headers.get('retry-after')), `GET ${new URL(url).host}: HTTP ${response.status}`);
      const text = await response.text();
      if (text.length > 1_000_000) throw new FederationHttpError(413, undefined, `GET ${new URL(url).host}: document too large`);
      const parsed = JSON.parse(text) as unknown;
      if (!parsed || typeof parsed !== 'object') throw new FederationHttpError(422, undefined, `GET ${new URL(url).host}: not a JSON object`);
      return parsed as Record<string, unknown>;
    },
    /** Posts one activity to an inbox; any 2xx is taken (Mastodon answers 202). */
    async post(inbox: string, activity: unknown): Promise<void> {
      const response = await request('POST', inbox, JSON.stringify(activity));
      // The body is not needed; reading it frees the keep-alive connection.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) {
        throw new FederationHttpError(response.status, retryAfterMs(response.headers.get('retry-after')), `POST ${new URL(inbox).host}: HTTP ${response.status}`);
      }
    },
  };
}

export type FederationClient = ReturnType<typeof createFederationClient>;
