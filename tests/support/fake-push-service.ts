import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, randomUUID, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A stand-in for a browser vendor's push service (RFC 8030), over real HTTPS on 127.0.0.1 with a
 * throw-away certificate. Like the real ones it refuses a push whose VAPID JWT (RFC 8292) is not
 * an ES256 token signed by the `k` key for this endpoint's origin. Unlike them it also plays the
 * browser: each subscription it hands out has a P-256 key pair and auth secret generated here,
 * and every push is DECRYPTED (RFC 8291 key derivation, RFC 8188 aes128gcm), so the tests see
 * exactly what the citizen's browser would, and encryption is proven rather than assumed.
 */

export interface BrowserSubscription {
  /** What `PushSubscription.toJSON()` gives the page. */
  json: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
  id: string;
}

export interface ReceivedPush {
  subscriptionId: string;
  headers: { ttl: string | undefined; urgency: string | undefined; topic: string | undefined; contentEncoding: string | undefined };
  /** The VAPID claims, after the signature was checked. */
  claims: { aud: string; exp: number; sub: string };
  vapidPublicKey: string;
  /** The decrypted payload, parsed as JSON. */
  payload: Record<string, unknown>;
  status: number;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
}

export interface FakePushService {
  origin: string;
  /** PEM of the service's certificate: the channel's `caCertificate`. */
  certificate: string;
  /** A new "browser" subscription: endpoint on this service, keys generated in the test. */
  subscribe(): BrowserSubscription;
  /** Pushes accepted (201) and decrypted. */
  received: ReceivedPush[];
  /** Every request, accepted or not, with the status it got (and why, when refused). */
  attempts: Array<{ subscriptionId: string; status: number; reason?: string; at: number }>;
  /** Answers the next pushes to this subscription with these statuses, in order. */
  script(subscriptionId: string, answers: ScriptedAnswer[]): void;
  reset(): void;
  close(): Promise<void>;
}

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-push-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
      { stdio: 'ignore' }
    );
    return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An uncompressed P-256 point as a JWK, so node:crypto can verify with it. */
function rawP256ToKey(raw: Buffer) {
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('not an uncompressed P-256 point');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
}

/** RFC 8292: `Authorization: vapid t=<JWT>, k=<public key>`; the JWT is ES256 with raw r||s. */
export function checkVapid(authorization: string | undefined, endpointOrigin: string, now = Date.now()) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!match) throw new Error('no vapid Authorization header');
  const [, jwt, k] = match;
  const [header64, claims64, signature64] = jwt.split('.');
  const header = JSON.parse(Buffer.from(header64, 'base64url').toString('utf8')) as { alg?: string; typ?: string };
  if (header.alg !== 'ES256') throw new Error(`JWT alg ${header.alg}, not ES256`);
  const signed = verify('sha256', Buffer.from(`${header64}.${claims64}`), { key: rawP256ToKey(Buffer.from(k, 'base64url')), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature64, 'base64url'));
  if (!signed) throw new Error('JWT signature does not verify with k');
  const claims = JSON.parse(Buffer.from(claims64, 'base64url').toString('utf8')) as { aud: string; exp: number; sub: string };
  if (claims.aud !== endpointOrigin) throw new Error(`JWT aud ${claims.aud}, expected ${endpointOrigin}`);
  // RFC 8292 §2: no more than 24 hours ahead.
  if (!(claims.exp * 1000 > now && claims.exp * 1000 <= now + 24 * 3600 * 1000)) throw new Error('JWT exp out of range');
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) throw new Error('JWT sub is not mailto: or https:');
  return { claims, vapidPublicKey: k };
}

/**
 * The browser's side of RFC 8291: from the receiver's private key and auth secret, the
 * content-encryption key and nonce; then RFC 8188 aes128gcm with a single record.
 */
export function decryptAes128gcm(body: Buffer, receiver: { privateKey: Buffer; publicKey: Buffer; auth: Buffer }): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderPublicKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error('keyid is not the sender’s P-256 public key');
  if (ciphertext.length > recordSize) throw new Error('more than one record');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(receiver.privateKey);
  const ecdhSecret = ecdh.computeSecret(senderPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), receiver.publicKey, senderPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, receiver.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // Padding: the last record ends with 0x02, then any number of zero bytes.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}

export async function startFakePushService(): Promise<FakePushService> {
  const { key, cert } = selfSignedCertificate();
  const browsers = new Map<string, { privateKey: Buffer; publicKey: Buffer; auth: Buffer }>();
  const scripts = new Map<string, ScriptedAnswer[]>();
  const received: ReceivedPush[] = [];
  const attempts: FakePushService['attempts'] = [];
  let origin = '';

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
    const refuse = (status: number, reason: string) => {
      attempts.push({ subscriptionId: id, status, reason, at: Date.now() });
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(reason);
    };
    if (req.method !== 'POST') return refuse(405, 'POST only');
    const browser = browsers.get(id);
    if (!browser) return refuse(404, 'no such subscription');
    let vapid: ReturnType<typeof checkVapid>;
    try {
      vapid = checkVapid(req.headers.authorization, origin);
    } catch (error) {
      return refuse(403, (error as Error).message);
    }
    if (req.headers['content-encoding'] !== 'aes128gcm') return refuse(400, 'Content-Encoding must be aes128gcm');
    if (req.headers.ttl === undefined) return refuse(400, 'TTL header required');
    const scripted = scripts.get(id)?.shift();
    if (scripted) {
      attempts.push({ subscriptionId: id, status: scripted.status, reason: 'scripted', at: Date.now() });
      res.writeHead(scripted.status, scripted.headers ?? {});
      return res.end();
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(decryptAes128gcm(body, browser).toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      return refuse(400, `cannot decrypt: ${(error as Error).message}`);
    }
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    received.push({
      subscriptionId: id,
      headers: { ttl: header('ttl'), urgency: header('urgency'), topic: header('topic'), contentEncoding: header('content-encoding') },
      claims: vapid.claims,
      vapidPublicKey: vapid.vapidPublicKey,
      payload,
      status: 201,
    });
    attempts.push({ subscriptionId: id, status: 201, at: Date.now() });
    const messageId = randomUUID();
    res.writeHead(201, { Location: `${origin}/message/${messageId}` });
    res.end();
  };

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    certificate: cert,
    received,
    attempts,
    subscribe() {
      const ecdh = createECDH('prime256v1');
      const publicKey = ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomUUID();
      browsers.set(id, { privateKey: ecdh.getPrivateKey(), publicKey, auth });
      return { id, json: { endpoint: `${origin}/push/${id}`, expirationTime: null, keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') } } };
    },
    script(subscriptionId, answers) {
      scripts.set(subscriptionId, [...(scripts.get(subscriptionId) ?? []), ...answers]);
    },
    reset() {
      received.length = 0;
      attempts.length = 0;
      scripts.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
