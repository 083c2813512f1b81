import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a Mastodon server's API, as docs.joinmastodon.org describes it: `GET
 * /api/v2/instance` with `configuration.statuses.max_characters` (500) and
 * `characters_reserved_per_url` (23); `POST /api/v1/statuses` with a bearer token (401 `{ error }`
 * when wrong), the status length counted as Mastodon counts it (graphemes, every link 23) and 422
 * `Validation failed: Text character limit of 500 exceeded` beyond it, `in_reply_to_id` that must
 * name a status (404 otherwise), the `Idempotency-Key` honoured for an hour (the same key answers
 * the status it made, nothing is posted again), and 429 with `X-RateLimit-Limit/Remaining/Reset`.
 * Scripted faults: the next posts rate-limited, refused (422), or made and then the connection
 * dropped before the answer (a lost acknowledgement).
 */

export interface MastodonStatus {
  id: string;
  content: string;
  visibility: string;
  language: string | null;
  in_reply_to_id: string | null;
  idempotencyKey: string | null;
  created_at: string;
}

export interface FakeMastodon {
  baseUrl: string;
  token: string;
  statuses: MastodonStatus[];
  /** Every `POST /api/v1/statuses` with its answer's HTTP status (0: dropped). */
  posts: Array<{ status: number; idempotencyKey: string | null; body: Record<string, unknown> | undefined }>;
  rateLimitNext(times: number, resetInMs: number): void;
  rejectNext(times: number, error: string): void;
  /** The next `times` posts are made, but the connection drops before the answer. */
  dropAnswerNext(times: number): void;
  /** The next post is made at once, its answer sent `ms` later (a send in flight while the process dies). */
  delayAnswerNext(ms: number): void;
  setToken(token: string): void;
  close(): Promise<void>;
}

const IDEMPOTENCY_MS = 60 * 60 * 1000;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const mastodonLength = (text: string) => {
  let urls = 0;
  const rest = text.replace(/https?:\/\/[^\s]+/g, () => {
    urls++;
    return '';
  });
  return [...segmenter.segment(rest)].length + urls * 23;
};

export async function startFakeMastodon({ token, maxCharacters = 500 }: { token: string; maxCharacters?: number }): Promise<FakeMastodon> {
  const statuses: MastodonStatus[] = [];
  const posts: FakeMastodon['posts'] = [];
  const keys = new Map<string, { status: MastodonStatus; at: number }>();
  let currentToken = token;
  let rateLimited = { times: 0, resetInMs: 0 };
  let rejected = { times: 0, error: '' };
  let dropped = 0;
  let delayNext = 0;
  let nextId = 109_000_000_000_000_000n;

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/api/v2/instance') {
        return json(res, 200, { domain: 'social.example', title: 'Fake Mastodon', version: '4.3.0', configuration: { statuses: { max_characters: maxCharacters, max_media_attachments: 4, characters_reserved_per_url: 23 } } });
      }
      // The public timeline, newest first (the demo shows what the town posted).
      if (req.method === 'GET' && path === '/api/v1/timelines/public') return json(res, 200, [...statuses].reverse());
      if (req.method !== 'POST' || path !== '/api/v1/statuses') return json(res, 404, { error: 'Record not found' });

      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      const record = (status: number) => posts.push({ status, idempotencyKey: key, body });
      if (req.headers.authorization !== `Bearer ${currentToken}`) {
        record(401);
        return json(res, 401, { error: 'The access token is invalid' });
      }
      if (rateLimited.times > 0) {
        rateLimited.times--;
        record(429);
        return json(res, 429, { error: 'Too many requests' }, { 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': new Date(Date.now() + rateLimited.resetInMs).toISOString() });
      }
      // The same key within an hour answers the status it made: no second post.
      const earlier = key ? keys.get(key) : undefined;
      if (earlier && Date.now() - earlier.at < IDEMPOTENCY_MS) {
        record(200);
        return json(res, 200, earlier.status);
      }
      if (rejected.times > 0) {
        rejected.times--;
        record(422);
        return json(res, 422, { error: rejected.error });
      }
      const text = typeof body?.status === 'string' ? body.status : '';
      if (!text.trim()) {
        record(422);
        return json(res, 422, { error: "Validation failed: Text can't be blank" });
      }
      if (mastodonLength(text) > maxCharacters) {
        record(422);
        return json(res, 422, { error: `Validation failed: Text character limit of ${maxCharacters} exceeded` });
      }
      const visibility = typeof body?.visibility === 'string' ? body.visibility : 'public';
      if (!['public', 'unlisted', 'private', 'direct'].includes(visibility)) {
        record(422);
        return json(res, 422, { error: 'Validation failed: Visibility is not included in the list' });
      }
      const replyTo = typeof body?.in_reply_to_id === 'string' ? body.in_reply_to_id : null;
      if (replyTo && !statuses.some((status) => status.id === replyTo)) {
        record(404);
        return json(res, 404, { error: 'Record not found' });
      }
      const status: MastodonStatus = {
        id: String(nextId++),
        content: text,
        visibility,
        language: typeof body?.language === 'string' ? body.language : null,
        in_reply_to_id: replyTo,
        idempotencyKey: key,
        created_at: new Date().toISOString(),
      };
      statuses.push(status);
      if (key) keys.set(key, { status, at: Date.now() });
      if (dropped > 0) {
        dropped--;
        record(0);
        req.socket.destroy();
        return;
      }
      record(200);
      if (delayNext > 0) {
        const wait = delayNext;
        delayNext = 0;
        setTimeout(() => json(res, 200, status), wait);
        return;
      }
      return json(res, 200, status);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get token() {
      return currentToken;
    },
    statuses,
    posts,
    rateLimitNext(times, resetInMs) {
      rateLimited = { times, resetInMs };
    },
    rejectNext(times, error) {
      rejected = { times, error };
    },
    dropAnswerNext(times) {
      dropped = times;
    },
    delayAnswerNext(ms) {
      delayNext = ms;
    },
    setToken(next) {
      currentToken = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
