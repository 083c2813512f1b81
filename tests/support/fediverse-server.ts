/**
 * The follower's home server in the ActivityPub tests: a real ActivityPub implementation we did
 * not write (Fedify, https://fedify.dev), served over real HTTP. Its actors follow the town's
 * actor the way a Mastodon user would (WebFinger, then a signed `Follow`); its inbox checks the
 * HTTP signature of everything the town posts (Fedify refuses an unsigned or badly signed
 * activity with 401 before any listener runs). Beside Fedify's view (what it verified and
 * handed to a listener) the server counts every raw POST, so a second POST of the same activity
 * shows even though Fedify itself would drop it as a duplicate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Federation } from '@fedify/fedify' with { 'resolution-mode': 'import' };

/** Fedify ships as ES modules only; this CommonJS test code loads it with a dynamic import. */
export type Fedify = typeof import('@fedify/fedify', { with: { 'resolution-mode': 'import' } });
export const loadFedify = (): Promise<Fedify> => import('@fedify/fedify');

export interface ReceivedActivity {
  type: 'Accept' | 'Create' | 'Update' | 'Delete';
  /** The inbox's owner (`alice`), or `shared` for the shared inbox. */
  inbox: string;
  id: string | null;
  objectId: string | null;
  inReplyTo: string | null;
  content: string | null;
  /** The key that signed it, as Fedify verified it. */
  signedBy: string | null;
}

export interface RawPost {
  path: string;
  type: string;
  id: string | null;
  signature: string | null;
}

export interface FediverseServer {
  origin: string;
  actorUri(name: string): string;
  /** What Fedify verified and handed to its inbox listeners. */
  received: ReceivedActivity[];
  /** Every POST that reached an inbox, verified or not. */
  rawPosts: RawPost[];
  /** How often an actor's document (which carries its key) was fetched, by name. */
  actorFetches(name: string): number;
  /** Gives the actor a new key pair, as an admin rotating keys does: what it signs from now on verifies only with the new key. */
  rotateKey(name: string): Promise<void>;
  /** `name` looks up `handle` by WebFinger and follows it. */
  follow(name: string, handle: string): Promise<{ actorId: string; followId: string }>;
  unfollow(name: string, handle: string, followId: string): Promise<void>;
  lookup(handle: string): Promise<object>;
  federation: Federation<void>;
  close(): Promise<void>;
}

async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFediverseServer(names: string[]): Promise<FediverseServer> {
  const { Accept, Create, Delete, Endpoints, Follow, MemoryKvStore, Person, Undo, Update, createFederation, exportJwk, generateCryptoKeyPair, importJwk } = await loadFedify();
  const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
  const keys = new Map<string, CryptoKeyPair>();
  for (const name of names) keys.set(name, await generateCryptoKeyPair('RSASSA-PKCS1-v1_5'));
  // Fedify's own key store format: exported and imported as a real server persists them.
  const stored = new Map<string, { privateKey: JsonWebKey; publicKey: JsonWebKey }>();
  for (const [name, pair] of keys) stored.set(name, { privateKey: await exportJwk(pair.privateKey), publicKey: await exportJwk(pair.publicKey) });

  federation
    .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
      if (!names.includes(identifier)) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: identifier,
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: pairs[0].cryptographicKey,
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const jwk = stored.get(identifier);
      if (!jwk) return [];
      return [{ privateKey: await importJwk(jwk.privateKey, 'private'), publicKey: await importJwk(jwk.publicKey, 'public') }];
    });

  const received: ReceivedActivity[] = [];
  const rawPosts: RawPost[] = [];
  const actorGets = new Map<string, number>();
  const record = (type: ReceivedActivity['type']) => async (ctx: { recipient: string | null }, activity: InstanceType<Fedify['Accept' | 'Create' | 'Update' | 'Delete']>) => {
    const object = await activity.getObject().catch(() => null);
    const note = object as { id?: URL | null; replyTargetId?: URL | null; content?: unknown } | null;
    received.push({
      type,
      inbox: ctx.recipient ?? 'shared',
      id: activity.id?.href ?? null,
      objectId: activity.objectId?.href ?? note?.id?.href ?? null,
      inReplyTo: note?.replyTargetId?.href ?? null,
      content: note?.content != null ? String(note.content) : null,
      // Fedify hands a listener only what passed its signature check; the key is the actor's.
      signedBy: activity.actorId?.href ?? null,
    });
  };
  federation
    .setInboxListeners('/users/{identifier}/inbox', '/inbox')
    .on(Accept, record('Accept'))
    .on(Create, record('Create'))
    .on(Update, record('Update'))
    .on(Delete, record('Delete'));

  const server = http.createServer(async (request, response) => {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    if (request.method === 'POST' && url.pathname.endsWith('inbox')) {
      let parsed: { type?: string; id?: string } = {};
      try {
        parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
      } catch {
        // counted as it came
      }
      rawPosts.push({ path: url.pathname, type: String(parsed.type), id: parsed.id ?? null, signature: (request.headers.signature as string | undefined) ?? null });
    }
    const actorPath = /^\/users\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && actorPath) actorGets.set(actorPath[1], (actorGets.get(actorPath[1]) ?? 0) + 1);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers.set(name, value);
    const answer = await federation.fetch(new Request(url, { method: request.method, headers, body: body.length ? new Uint8Array(body) : undefined }), { contextData: undefined });
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const context = () => federation.createContext(new URL(origin), undefined);
  let follows = 0;

  const lookup = async (handle: string) => {
    const found = await context().lookupObject(handle);
    if (!found) throw new Error(`${handle} did not resolve`);
    return found;
  };

  return {
    origin,
    actorUri: (name) => `${origin}/users/${name}`,
    received,
    rawPosts,
    actorFetches: (name) => actorGets.get(name) ?? 0,
    async rotateKey(name) {
      const pair = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
      stored.set(name, { privateKey: await exportJwk(pair.privateKey), publicKey: await exportJwk(pair.publicKey) });
    },
    federation,
    lookup,
    async follow(name, handle) {
      const target = (await lookup(handle)) as unknown as { id: URL; inboxId: URL | null };
      follows += 1;
      const followId = `${origin}/users/${name}/follows/${follows}`;
      const ctx = context();
      await ctx.sendActivity({ identifier: name }, target as never, new Follow({ id: new URL(followId), actor: ctx.getActorUri(name), object: target.id }), { immediate: true });
      return { actorId: ctx.getActorUri(name).href, followId };
    },
    async unfollow(name, handle, followId) {
      const target = (await lookup(handle)) as unknown as { id: URL };
      const ctx = context();
      const follow = new Follow({ id: new URL(followId), actor: ctx.getActorUri(name), object: target.id });
      await ctx.sendActivity({ identifier: name }, target as never, new Undo({ id: new URL(`${followId}/undo`), actor: ctx.getActorUri(name), object: follow }), { immediate: true });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * WebFinger handles (`@news@host`) always resolve over HTTPS, so the town's site is reached
 * through a TLS front like the reverse proxy a town runs: a self-signed certificate for
 * `localhost` made with openssl for this run, forwarding to Strapi's plain HTTP port. The test
 * process trusts it by turning certificate checks off for itself (its only TLS peer is this front).
 */
export interface TlsFront {
  port: number;
  /** Where to forward; set once Strapi listens. */
  target: { port: number };
  close(): Promise<void>;
}

export async function startTlsFront(): Promise<TlsFront> {
  const dir = mkdtempSync(path.join(tmpdir(), 'town-crier-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  const target = { port: 0 };
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    const upstream = http.request({ host: '127.0.0.1', port: target.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => {
      response.writeHead(502);
      response.end();
    });
    request.pipe(upstream);
  });
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    target,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
