import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { activityPreview, actorUrls, createActivity, noteDocument, noteHtml, webfingerMatches, deleteActivity } from '../../server/src/channels/activitypub/documents';
import { sha256Digest, signedHeaders, signatureParams, verifySignedRequest } from '../../server/src/channels/activitypub/signatures';
import { assertPublicUrl, FederationHttpError, FederationTransportError } from '../../server/src/channels/activitypub/federation-client';
import { classifyActivitypubError } from '../../server/src/channels/activitypub';
import { publicKeyFrom } from '../../server/src/activitypub/federation';

const urls = actorUrls('https://stadt.example/api/town-crier/activitypub/');
const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const inbox = 'https://social.example/inbox';

describe('ActivityPub documents', () => {
  it('matches the acct handle in any letter case of the domain, and the actor URL; nothing else', () => {
    const profile = { username: 'news', domain: 'stadt.example' };
    expect(webfingerMatches('acct:news@stadt.example', urls, profile)).toBe(true);
    expect(webfingerMatches('acct:NEWS@Stadt.Example', urls, profile)).toBe(true);
    expect(webfingerMatches(urls.actor, urls, profile)).toBe(true);
    expect(webfingerMatches('acct:news@other.example', urls, profile)).toBe(false);
    expect(webfingerMatches('acct:mayor@stadt.example', urls, profile)).toBe(false);
    expect(webfingerMatches('news', urls, profile)).toBe(false);
  });

  it('escapes the news text in the Note HTML and keeps its paragraphs', () => {
    const html = noteHtml({ title: 'Fest <am> Markt', text: 'Erster Absatz\nZeile zwei\n\n"Zweiter" & letzter', url: 'https://stadt.example/a?b=1&c=2' });
    expect(html).toBe(
      '<p><strong>Fest &lt;am&gt; Markt</strong></p><p>Erster Absatz<br>Zeile zwei</p><p>&quot;Zweiter&quot; &amp; letzter</p><p><a href="https://stadt.example/a?b=1&amp;c=2">https://stadt.example/a?b=1&amp;c=2</a></p>'
    );
  });

  it('makes a follow-up a reply to the original Note, and a withdrawal a Delete with a Tombstone', () => {
    const note = noteDocument(urls, { documentId: 'abc', content: { title: 'T', text: 'x', url: null }, language: 'de', published: '2026-01-01T00:00:00.000Z', inReplyTo: 'orig' });
    expect(note).toMatchObject({ id: `${urls.base}/notes/abc`, inReplyTo: `${urls.base}/notes/orig`, to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [urls.followers] });
    const deletion = deleteActivity(urls, 'abc', '2026-01-02T00:00:00.000Z');
    expect(deletion.object).toMatchObject({ id: note.id, type: 'Tombstone' });
  });

  it('shows a recorded Create in the sandbox phone as the post reads, a follow-up marked as a reply', () => {
    const note = noteDocument(urls, { documentId: 'b', content: { title: 'Sperrung <Nord>', text: 'A & B\nC', url: 'https://stadt.example/n' }, language: 'de', published: '2026-01-01T00:00:00.000Z', inReplyTo: 'a' });
    expect(activityPreview(createActivity(urls, note, 'b')).text).toBe('(Antwort im Thread der ersten Meldung)\n\nSperrung <Nord>\n\nA & B\nC\n\nhttps://stadt.example/n');
  });

  it('finds the key in an actor document (one or a list) or a key document, with its owner', () => {
    const keyId = 'https://social.example/users/a#main-key';
    expect(publicKeyFrom({ id: 'https://social.example/users/a', publicKey: { id: keyId, owner: 'https://social.example/users/a', publicKeyPem: 'PEM' } }, keyId)).toEqual({ pem: 'PEM', owner: 'https://social.example/users/a' });
    expect(publicKeyFrom({ id: 'https://social.example/users/a', publicKey: [{ id: 'other', publicKeyPem: 'X' }, { id: keyId, publicKeyPem: 'PEM' }] }, keyId)).toEqual({ pem: 'PEM', owner: 'https://social.example/users/a' });
    expect(publicKeyFrom({ id: keyId, owner: 'https://social.example/users/a', publicKeyPem: 'PEM' }, keyId)).toEqual({ pem: 'PEM', owner: 'https://social.example/users/a' });
    expect(publicKeyFrom({ id: 'https://social.example/users/a', publicKey: { id: 'another-key', publicKeyPem: 'PEM' } }, keyId)).toBeNull();
  });
});

describe('ActivityPub HTTP signatures', () => {
  const sign = async (body: string, now = new Date()) => signedHeaders({ keyId: urls.keyId, privateKeyPem: keys.privateKey }, { method: 'POST', url: inbox, body }, now);
  const request = (headers: Record<string, string>, body: string) => ({ method: 'POST', url: inbox, headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])), rawBody: Buffer.from(body) });
  const keyFor = (pem: string) => async () => pem;

  it('signs (request-target) host date digest with rsa-sha256, as Mastodon expects', async () => {
    const headers = await sign('{"a":1}');
    const params = signatureParams(headers.Signature);
    expect(params?.get('keyid')).toBe(urls.keyId);
    expect(params?.get('algorithm')).toBe('rsa-sha256');
    expect(params?.get('headers')).toBe('(request-target) host date digest');
    expect(headers.digest).toBe(sha256Digest('{"a":1}'));
    expect(headers.host).toBe('social.example');
  });

  it('verifies its own signature with the public key, and refuses another key, a changed body, an old date and unsigned fields', async () => {
    const body = '{"type":"Follow"}';
    const headers = await sign(body);
    expect(await verifySignedRequest(request(headers, body), keyFor(keys.publicKey))).toEqual({ ok: true, keyId: urls.keyId });
    expect(await verifySignedRequest(request(headers, body), keyFor(other.publicKey))).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await verifySignedRequest(request(headers, '{"type":"Undo"}'), keyFor(keys.publicKey))).toEqual({ ok: false, reason: 'digest-mismatch' });
    // A changed digest that matches the changed body still breaks the signature.
    const swapped = { ...headers, digest: sha256Digest('{"type":"Undo"}') };
    expect(await verifySignedRequest(request(swapped, '{"type":"Undo"}'), keyFor(keys.publicKey))).toEqual({ ok: false, reason: 'bad-signature' });
    const old = await sign(body, new Date(Date.now() - 2 * 60 * 60 * 1000));
    expect(await verifySignedRequest(request(old, body), keyFor(keys.publicKey))).toEqual({ ok: false, reason: 'date-outside-window' });
    const withoutDigest = { ...headers, Signature: headers.Signature.replace('headers="(request-target) host date digest"', 'headers="(request-target) host date"') };
    expect(await verifySignedRequest(request(withoutDigest, body), keyFor(keys.publicKey))).toEqual({ ok: false, reason: 'unsigned-fields' });
    expect(await verifySignedRequest(request({ date: headers.date }, body), keyFor(keys.publicKey))).toEqual({ ok: false, reason: 'no-signature' });
    expect(await verifySignedRequest(request(headers, body), async () => null)).toEqual({ ok: false, reason: 'unknown-key' });
  });
});

describe('ActivityPub delivery errors and addresses', () => {
  it('classifies an inbox answer: 429 waits, 5xx retries, 410 ends the follow, 403 fails this server only', () => {
    expect(classifyActivitypubError(new FederationHttpError(429, 5000, 'x'))).toMatchObject({ errorClass: 'retry-later', retryAfterMs: 5000 });
    expect(classifyActivitypubError(new FederationHttpError(503, undefined, 'x'))).toMatchObject({ errorClass: 'retry' });
    expect(classifyActivitypubError(new FederationHttpError(410, undefined, 'x'))).toMatchObject({ errorClass: 'permanent-recipient', recipientEffect: 'withdrawn' });
    expect(classifyActivitypubError(new FederationHttpError(403, undefined, 'x'))).toMatchObject({ errorClass: 'permanent-recipient', code: '403' });
    expect(classifyActivitypubError(new FederationTransportError('timeout', 'x'))).toMatchObject({ errorClass: 'retry' });
    expect(classifyActivitypubError(new FederationTransportError('private-address', 'x'))).toMatchObject({ errorClass: 'permanent-recipient' });
  });

  it('refuses URLs into loopback and private networks', async () => {
    await expect(assertPublicUrl('http://127.0.0.1:8080/inbox')).rejects.toMatchObject({ code: 'private-address' });
    await expect(assertPublicUrl('http://10.1.2.3/inbox')).rejects.toMatchObject({ code: 'private-address' });
    await expect(assertPublicUrl('http://[::1]/inbox')).rejects.toMatchObject({ code: 'private-address' });
    await expect(assertPublicUrl('http://169.254.169.254/latest')).rejects.toMatchObject({ code: 'private-address' });
    await expect(assertPublicUrl('ftp://example.org/x')).rejects.toMatchObject({ code: 'bad-url' });
    await expect(assertPublicUrl('https://93.184.215.14/inbox')).resolves.toBeUndefined();
  });
});
