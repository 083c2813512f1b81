import { createHash, createPrivateKey, createPublicKey, sign as signData, verify as verifyData, type KeyObject } from 'node:crypto';
import { cavage } from 'http-message-signatures';

/**
 * HTTP signatures as the Fediverse speaks them (draft-cavage-http-signatures-12 with RSA-SHA256,
 * what Mastodon, Misskey, GoToSocial and Fedify send and check). The signing string and the
 * `Signature` header are the `http-message-signatures` library's; the RSA operations are Node's
 * own crypto. We only choose the fields and check what the library leaves to its caller: the
 * date window, the body's digest and that the fields that matter were signed.
 */

/** Fields every POST we send signs, in Mastodon's order. */
const SIGNED_POST_FIELDS = ['@request-target', 'host', 'date', 'digest'];
const SIGNED_GET_FIELDS = ['@request-target', 'host', 'date'];
/** A signature older or newer than this is refused: Mastodon allows one hour of clock skew either way, as do we. */
export const SIGNATURE_WINDOW_MS = 60 * 60 * 1000;

export function sha256Digest(body: string | Buffer): string {
  return `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
}

export interface SigningIdentity {
  keyId: string;
  privateKeyPem: string;
}

/** The headers of a signed request to `url`: Date, Host, Digest (for a body) and Signature. */
/** The actor's key, parsed once: every follower's send is signed with it, and parsing an RSA PEM is not free. */
let parsedKey: { pem: string; key: KeyObject } | null = null;
const privateKeyOf = (pem: string): KeyObject => {
  if (parsedKey?.pem !== pem) parsedKey = { pem, key: createPrivateKey(pem) };
  return parsedKey.key;
};

export async function signedHeaders(
  identity: SigningIdentity,
  request: { method: 'GET' | 'POST'; url: string; body?: string; headers?: Record<string, string> },
  now: Date = new Date()
): Promise<Record<string, string>> {
  const url = new URL(request.url);
  const headers: Record<string, string> = { ...(request.headers ?? {}), host: url.host, date: now.toUTCString() };
  if (request.body !== undefined) headers.digest = sha256Digest(request.body);
  const key = privateKeyOf(identity.privateKeyPem);
  const signed = await cavage.signMessage(
    {
      key: { id: identity.keyId, alg: 'rsa-v1_5-sha256', sign: async (data: Buffer) => signData('sha256', data, key) },
      fields: request.body !== undefined ? SIGNED_POST_FIELDS : SIGNED_GET_FIELDS,
      // keyId and algorithm only: `created`/`expires` belong to hs2019, and strict servers refuse them beside rsa-sha256.
      params: ['keyid', 'alg'],
    },
    { method: request.method, url: request.url, headers }
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return out;
}

/** The parameters of a draft-cavage `Signature` header; parsing only, nothing is trusted from it yet. */
export function signatureParams(header: string | undefined): Map<string, string> | null {
  if (!header) return null;
  const params = new Map<string, string>();
  for (const match of header.matchAll(/([A-Za-z]+)="([^"]*)"/g)) params.set(match[1].toLowerCase(), match[2]);
  return params.has('keyid') && params.has('signature') ? params : null;
}

export type VerifyFailure = 'no-signature' | 'unsigned-fields' | 'date-outside-window' | 'digest-mismatch' | 'bad-signature' | 'unknown-key';

export interface IncomingRequest {
  method: string;
  /** Absolute URL as the sender addressed it (our public URL and the path). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody?: Buffer;
}

/**
 * Checks an incoming request's signature with the public key `keyFor` finds for its keyId (the
 * sender's actor document, fetched). Answers the keyId that signed it, or why it did not verify.
 */
export async function verifySignedRequest(
  request: IncomingRequest,
  keyFor: (keyId: string) => Promise<string | null>,
  now: number = Date.now()
): Promise<{ ok: true; keyId: string } | { ok: false; reason: VerifyFailure }> {
  const header = request.headers.signature;
  const params = signatureParams(Array.isArray(header) ? header.join(', ') : header);
  if (!params) return { ok: false, reason: 'no-signature' };
  const fields = (params.get('headers') ?? '').toLowerCase().split(/\s+/);
  const hasBody = Boolean(request.rawBody?.length);
  if (!fields.includes('(request-target)') || !fields.includes('host') || !fields.includes('date') || (hasBody && !fields.includes('digest'))) {
    return { ok: false, reason: 'unsigned-fields' };
  }
  const date = Date.parse(String(request.headers.date ?? ''));
  if (!Number.isFinite(date) || Math.abs(now - date) > SIGNATURE_WINDOW_MS) return { ok: false, reason: 'date-outside-window' };
  if (hasBody) {
    const digests = String(request.headers.digest ?? '').split(',').map((part) => part.trim());
    const wanted = sha256Digest(request.rawBody as Buffer);
    if (!digests.some((digest) => digest.replace(/^sha-256=/i, 'SHA-256=') === wanted)) return { ok: false, reason: 'digest-mismatch' };
  }
  const keyId = params.get('keyid') as string;
  const pem = await keyFor(keyId);
  if (!pem) return { ok: false, reason: 'unknown-key' };
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch {
    return { ok: false, reason: 'unknown-key' };
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value;
  let verified: boolean | null = false;
  try {
    verified = await cavage.verifyMessage(
      {
        keyLookup: async () => ({
          id: keyId,
          // The key decides the algorithm, not the header: "hs2019" from Misskey means RSA-SHA256 with an RSA key.
          verify: async (data: Buffer, signature: Buffer) =>
            publicKey.asymmetricKeyType === 'ed25519' ? verifyData(null, data, publicKey, signature) : verifyData('sha256', data, publicKey, signature),
        }),
      },
      { method: request.method, url: request.url, headers }
    );
  } catch {
    verified = false;
  }
  return verified ? { ok: true, keyId } : { ok: false, reason: 'bad-signature' };
}
