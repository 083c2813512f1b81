import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isRefusedAddress, refusingLookup, type Resolver } from '../../utils/refused-address';
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

/**
 * What can be checked of a URL before connecting: the protocol, and an IP literal (which no
 * lookup sees). A host name is checked where it is resolved, in the connection's own lookup.
 */
export async function assertPublicUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FederationTransportError('bad-url', 'not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new FederationTransportError('bad-url', `unsupported protocol ${parsed.protocol}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && isRefusedAddress(host)) throw new FederationTransportError('private-address', `${parsed.host} is a private address`);
}

/** The connection's lookup found a private address: no socket was opened. */
class AddressRefusedError extends Error {
  constructor() {
    super('the host resolved to an address the town never connects to');
    this.name = 'AddressRefusedError';
  }
}

/** A fetched document larger than this is refused unread (an actor document is a few kilobytes). */
const MAX_DOCUMENT_BYTES = 1_000_000;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Buffer;
}

export interface FederationClientOptions {
  identity: () => Promise<SigningIdentity>;
  timeoutMs: number;
  allowPrivateAddresses: boolean;
  userAgent: string;
  /** The DNS the connections ask; a test plays a rebinding one here. */
  resolve?: Resolver;
}

const retryAfterMs = (value: string | null): number | undefined => {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
};

export function createFederationClient(options: FederationClientOptions) {
  // Every connection resolves its host itself and refuses a private address (web push does the same: createPushAgent).
  const lookup = options.allowPrivateAddresses ? undefined : refusingLookup(() => new AddressRefusedError(), options.resolve);

  /** One HTTP exchange; redirects are not followed (a signature covers one target, and an inbox never redirects). */
  const exchange = (method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: string | undefined, keepBody: boolean): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, { method, headers, lookup, signal: AbortSignal.timeout(options.timeoutMs) }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (!keepBody) return;
          size += chunk.length;
          if (size > MAX_DOCUMENT_BYTES) {
            response.destroy();
            reject(new FederationHttpError(413, undefined, `${method} ${url.host}: document too large`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, body: Buffer.concat(chunks) });
        });
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(body);
    });

  const request = async (method: 'GET' | 'POST', url: string, body?: string): Promise<Answer> => {
    if (!options.allowPrivateAddresses) await assertPublicUrl(url);
    const identity = await options.identity();
    const headers = await signedHeaders(identity, {
      method,
      url,
      body,
      headers: method === 'POST' ? { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON } : { accept: `${ACTIVITY_JSON}, ${LD_JSON}` },
    });
    const target = new URL(url);
    const sent = { ...headers, 'user-agent': options.userAgent, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
    try {
      return await exchange(method, target, sent, body, method === 'GET');
    } catch (error) {
      if (error instanceof FederationHttpError) throw error;
      if (error instanceof AddressRefusedError) throw new FederationTransportError('private-address', `${target.host} resolves to a private address`);
      const { name, code } = error as { name?: string; code?: string };
      if (name === 'TimeoutError' || name === 'AbortError') throw new FederationTransportError('timeout', `${method} ${target.host}: timed out`);
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') throw new FederationTransportError('dns', `${target.host} does not resolve`);
      throw new FederationTransportError('network', `${method} ${target.host}: no answer`);
    }
  };

  return {
    /** A remote actor (or any object) as JSON, fetched with a signed GET. */
    async fetchJson(url: string): Promise<Record<string, unknown>> {
      const response = await request('GET', url);
      if (response.status < 200 || response.status >= 300) throw new FederationHttpError(response.status, retryAfterMs(response.retryAfter), `GET ${new URL(url).host}: HTTP ${response.status}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(response.body.toString('utf8'));
      } catch {
        throw new FederationHttpError(422, undefined, `GET ${new URL(url).host}: not JSON`);
      }
      if (!parsed || typeof parsed !== 'object') throw new FederationHttpError(422, undefined, `GET ${new URL(url).host}: not a JSON object`);
      return parsed as Record<string, unknown>;
    },
    /** Posts one activity to an inbox; any 2xx is taken (Mastodon answers 202). */
    async post(inbox: string, activity: unknown): Promise<void> {
      const response = await request('POST', inbox, JSON.stringify(activity));
      if (response.status < 200 || response.status >= 300) {
        throw new FederationHttpError(response.status, retryAfterMs(response.retryAfter), `POST ${new URL(inbox).host}: HTTP ${response.status}`);
      }
    },
  };
}

export type FederationClient = ReturnType<typeof createFederationClient>;
