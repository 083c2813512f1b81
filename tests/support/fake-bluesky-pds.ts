import { createHash, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a Bluesky PDS (atproto XRPC over HTTP), as the atproto docs and lexicons say:
 * `com.atproto.server.createSession` (401 `AuthenticationRequired` for a wrong app password),
 * `refreshSession` with the refresh token, access tokens that expire (400 `ExpiredToken`),
 * `com.atproto.repo.createRecord` validating `app.bsky.feed.post` (text ≤ 300 graphemes and
 * ≤ 3000 bytes, `createdAt`, facets whose UTF-8 byte ranges lie inside the text: 400
 * `InvalidRecord`), one record per record key (a second create under a taken key is refused),
 * `getRecord`, and 429 with `ratelimit-limit/-remaining/-reset/-policy`. Scripted faults: expired
 * tokens, rate limits, a dropped answer after the record was made.
 */

export interface PdsRecord {
  uri: string;
  cid: string;
  rkey: string;
  value: Record<string, unknown>;
}

export interface FakeBlueskyPds {
  service: string;
  did: string;
  records: PdsRecord[];
  calls: Array<{ method: string; status: number }>;
  sessionsCreated(): number;
  refreshes(): number;
  expireAccessTokens(): void;
  rateLimitNext(times: number, resetInS: number): void;
  dropAnswerNext(times: number): void;
  /** The next record is made at once, its answer sent `ms` later. */
  delayAnswerNext(ms: number): void;
  close(): Promise<void>;
}

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const graphemes = (text: string) => [...segmenter.segment(text)].length;

export async function startFakeBlueskyPds({ handle, appPassword }: { handle: string; appPassword: string }): Promise<FakeBlueskyPds> {
  const did = `did:plc:${createHash('sha256').update(handle).digest('hex').slice(0, 24)}`;
  const records: PdsRecord[] = [];
  const calls: FakeBlueskyPds['calls'] = [];
  const live = new Set<string>();
  const refreshTokens = new Set<string>();
  let created = 0;
  let refreshed = 0;
  let rateLimited = { times: 0, resetInS: 0 };
  let dropped = 0;
  let delayNext = 0;

  const json = (res: ServerResponse, method: string, status: number, body: unknown, headers: Record<string, string> = {}) => {
    calls.push({ method, status });
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const newSession = () => {
    const accessJwt = `acc.${randomUUID()}`;
    const refreshJwt = `ref.${randomUUID()}`;
    live.add(accessJwt);
    refreshTokens.add(refreshJwt);
    return { did, handle, accessJwt, refreshJwt, active: true };
  };
  const invalid = (message: string) => ({ error: 'InvalidRecord', message: `Invalid app.bsky.feed.post record: ${message}` });

  /** The lexicon's checks on a post, as far as our posts use it. */
  const validatePost = (record: Record<string, unknown>): string | null => {
    if (record.$type !== 'app.bsky.feed.post') return 'Record/$type must be app.bsky.feed.post';
    if (typeof record.text !== 'string') return 'Record/text must be a string';
    if (graphemes(record.text) > 300) return 'Record/text must not be longer than 300 graphemes';
    const bytes = Buffer.byteLength(record.text, 'utf8');
    if (bytes > 3000) return 'Record/text must not be longer than 3000 characters';
    if (typeof record.createdAt !== 'string' || Number.isNaN(Date.parse(record.createdAt))) return 'Record/createdAt must be an valid atproto datetime';
    if (record.langs !== undefined && (!Array.isArray(record.langs) || record.langs.length > 3)) return 'Record/langs must not have more than 3 elements';
    for (const [i, facet] of (Array.isArray(record.facets) ? record.facets : []).entries()) {
      const index = (facet as { index?: { byteStart?: unknown; byteEnd?: unknown } }).index;
      const start = index?.byteStart;
      const end = index?.byteEnd;
      if (typeof start !== 'number' || typeof end !== 'number' || start < 0 || end <= start || end > bytes) return `Record/facets/${i}/index must lie inside the text`;
      const features = (facet as { features?: unknown[] }).features;
      if (!Array.isArray(features) || !features.length) return `Record/facets/${i}/features must not be empty`;
    }
    return null;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://pds');
      const method = url.pathname.replace(/^\/xrpc\//, '');
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        return json(res, method, 400, { error: 'InvalidRequest', message: 'Invalid JSON' });
      }
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (rateLimited.times > 0 && method !== 'com.atproto.repo.getRecord') {
        rateLimited.times--;
        return json(res, method, 429, { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, {
          'ratelimit-limit': '5000',
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + rateLimited.resetInS),
          'ratelimit-policy': '5000;w=3600',
        });
      }
      switch (method) {
        case 'com.atproto.server.createSession':
          if ((body.identifier !== handle && body.identifier !== did) || body.password !== appPassword) {
            return json(res, method, 401, { error: 'AuthenticationRequired', message: 'Invalid identifier or password' });
          }
          created++;
          return json(res, method, 200, newSession());
        case 'com.atproto.server.refreshSession':
          if (!refreshTokens.has(bearer)) return json(res, method, 400, { error: 'ExpiredToken', message: 'Token has expired' });
          refreshTokens.delete(bearer);
          refreshed++;
          return json(res, method, 200, newSession());
        case 'com.atproto.repo.listRecords':
          return json(res, method, 200, { records: [...records].reverse().map((record) => ({ uri: record.uri, cid: record.cid, value: record.value })) });
        case 'com.atproto.repo.getRecord': {
          const found = records.find((record) => record.rkey === url.searchParams.get('rkey'));
          return found ? json(res, method, 200, { uri: found.uri, cid: found.cid, value: found.value }) : json(res, method, 400, { error: 'RecordNotFound', message: 'Could not locate record' });
        }
        case 'com.atproto.repo.createRecord': {
          if (!bearer) return json(res, method, 401, { error: 'AuthenticationRequired', message: 'Authentication Required' });
          if (!live.has(bearer)) return json(res, method, 400, { error: 'ExpiredToken', message: 'Token has expired' });
          if (body.repo !== did && body.repo !== handle) return json(res, method, 400, { error: 'InvalidRequest', message: 'Invalid repo' });
          if (body.collection !== 'app.bsky.feed.post') return json(res, method, 400, { error: 'InvalidRequest', message: 'Unsupported collection' });
          const record = (body.record ?? {}) as Record<string, unknown>;
          const problem = validatePost(record);
          if (problem) return json(res, method, 400, invalid(problem));
          const rkey = typeof body.rkey === 'string' ? body.rkey : `3l${randomUUID().replace(/-/g, '').slice(0, 11)}`;
          if (!/^[a-zA-Z0-9._:~-]{1,512}$/.test(rkey)) return json(res, method, 400, { error: 'InvalidRequest', message: 'Invalid record key' });
          if (records.some((existing) => existing.rkey === rkey)) return json(res, method, 400, { error: 'InvalidRequest', message: 'Record already exists' });
          const uri = `at://${did}/app.bsky.feed.post/${rkey}`;
          const cid = `bafyrei${createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 52)}`;
          records.push({ uri, cid, rkey, value: record });
          if (dropped > 0) {
            dropped--;
            calls.push({ method, status: 0 });
            req.socket.destroy();
            return;
          }
          const answer = { uri, cid, commit: { cid: `bafyreic${records.length}`, rev: `rev${records.length}` }, validationStatus: 'valid' };
          if (delayNext > 0) {
            const wait = delayNext;
            delayNext = 0;
            setTimeout(() => json(res, method, 200, answer), wait);
            return;
          }
          return json(res, method, 200, { uri, cid, commit: { cid: `bafyreic${records.length}`, rev: `rev${records.length}` }, validationStatus: 'valid' });
        }
        default:
          return json(res, method, 501, { error: 'MethodNotImplemented', message: 'Method Not Implemented' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    service: `http://127.0.0.1:${port}`,
    did,
    records,
    calls,
    sessionsCreated: () => created,
    refreshes: () => refreshed,
    expireAccessTokens: () => live.clear(),
    rateLimitNext(times, resetInS) {
      rateLimited = { times, resetInS };
    },
    dropAnswerNext(times) {
      dropped = times;
    },
    delayAnswerNext(ms) {
      delayNext = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
