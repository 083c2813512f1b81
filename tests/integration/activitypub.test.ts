import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, testArticleMapping, type TestStrapi } from '../support/strapi';
import { ensureLocales, localizedDocuments } from '../support/localized';
import { drained } from '../support/drained';
import { announcementFor, deliveriesOf, publishArticle } from '../support/seed';
import { loadFedify, startFediverseServer, startTlsFront, type FediverseServer, type TlsFront } from '../support/fediverse-server';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';
const NOTICE = 'api::notice.notice';

/**
 * The town's site as its own ActivityPub actor, followed from a server we did not write (Fedify):
 * WebFinger, a signed Follow answered by a signed Accept, the news as a signed Create(Note) once
 * per server, a follow-up as a reply, a correction as Update, a withdrawal as Delete, and nothing
 * after the unfollow. One Strapi boot behind a TLS front (handles resolve over HTTPS).
 */
describe('ActivityPub actor', () => {
  let test: TestStrapi;
  let front: TlsFront;
  let fediverse: FediverseServer;
  let handle: string;
  let publicUrl: string;
  const follows: Record<string, string> = {};
  const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

  const followerRow = (name: string) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'activitypub', address: fediverse.actorUri(name) } });
  const receivedBy = (name: string, type: string) => fediverse.received.filter((activity) => activity.type === type && (activity.inbox === name || activity.inbox === 'shared'));
  const rawPostsOf = (type: string, id?: string | null) => fediverse.rawPosts.filter((post) => post.type === type && (id === undefined || post.id === id));
  const articles = () => test.strapi.documents('api::article.article' as never);
  const ap = (path: string) => `/api/town-crier/activitypub/${path}`;

  beforeAll(async () => {
    // The TLS front's certificate is self-signed for this run; this process talks TLS to nothing else.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    front = await startTlsFront();
    fediverse = await startFediverseServer(['alice', 'bob', 'mallory']);
    publicUrl = `https://localhost:${front.port}`;
    handle = `@news@localhost:${front.port}`;
    test = await bootStrapi({
      pluginConfig: {
        publicUrl,
        // A localized news type beside the articles, for news published in several languages at once.
        contentTypes: { ...testArticleMapping, [NOTICE]: { title: 'title', text: 'summary', url: 'https://musterstadt.de/{locale}/notices/{slug}' } },
        channels: {
          whatsapp: { enabled: false },
          // A sign-up channel beside it, so the sign-up page's channel list has something to show (nobody signs up by e-mail here).
          email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>' },
          // The follower's server listens on 127.0.0.1: private addresses are refused unless allowed.
          activitypub: { enabled: true, displayName: 'Stadt Musterstadt', summary: 'Nachrichten aus dem Rathaus', allowPrivateAddresses: true, inboxRequestsPerMinute: 40 },
        },
      },
    });
    const server = test.strapi.server.httpServer;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    front.target.port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await test?.close();
    await fediverse?.close();
    await front?.close();
    if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
  });

  it('resolves @news@<domain> by WebFinger to a Service with a public key; NodeInfo and the collections are public', async () => {
    const actor = (await fediverse.lookup(handle)) as { id: URL; preferredUsername: string; name: string; inboxId: URL; publicKeyId: URL | null };
    expect(actor.id.href).toBe(`${publicUrl}/api/town-crier/activitypub/actor`);
    expect(actor.preferredUsername).toBe('news');
    expect(String(actor.name)).toBe('Stadt Musterstadt');
    expect(actor.inboxId.href).toBe(`${publicUrl}/api/town-crier/activitypub/inbox`);

    const document = (await test.request.get(ap('actor'))).body as { publicKey: { id: string; owner: string; publicKeyPem: string } };
    expect(document.publicKey.owner).toBe(actor.id.href);
    expect(document.publicKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(JSON.stringify(document)).not.toMatch(/PRIVATE KEY/);

    const unknown = await test.request.get('/.well-known/webfinger').query({ resource: `acct:mayor@localhost:${front.port}` });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ status: 404, name: 'NotFoundError' });
    expect((await test.request.get('/.well-known/webfinger')).status).toBe(400);

    const links = (await test.request.get('/.well-known/nodeinfo')).body as { links: Array<{ href: string }> };
    const nodeinfo = await test.request.get(new URL(links.links[0].href).pathname);
    expect(nodeinfo.body).toMatchObject({ version: '2.1', protocols: ['activitypub'], openRegistrations: false });
    expect((await test.request.get(ap('followers'))).body).toMatchObject({ type: 'OrderedCollection', totalItems: 0 });
    expect((await test.request.get(ap('outbox'))).body).toMatchObject({ type: 'OrderedCollection', totalItems: 0 });
  });

  it('refuses a Follow whose signature does not verify with 401 and adds nobody', async () => {
    const { Follow, generateCryptoKeyPair, signRequest } = await loadFedify();
    // Mallory claims to be alice: a real signature, but by a key that is not alice's.
    const wrongKey = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
    const follow = await new Follow({ id: new URL(`${fediverse.origin}/users/alice/follows/forged`), actor: new URL(fediverse.actorUri('alice')), object: new URL(`${publicUrl}/api/town-crier/activitypub/actor`) }).toJsonLd();
    const inbox = `${publicUrl}/api/town-crier/activitypub/inbox`;
    const signed = await signRequest(
      new Request(inbox, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: JSON.stringify(follow) }),
      wrongKey.privateKey,
      new URL(`${fediverse.actorUri('alice')}#main-key`)
    );
    const forged = await fetch(signed);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { name: string } }).error.name).toBe('UnauthorizedError');

    // No signature at all: the same.
    const unsigned = await fetch(inbox, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: JSON.stringify(follow) });
    expect(unsigned.status).toBe(401);

    // Alice's own key, but the body changed after signing: the digest gives it away.
    const aliceKeys = await fediverse.federation.createContext(new URL(fediverse.origin), undefined).getActorKeyPairs('alice');
    const tampered = await signRequest(new Request(inbox, { method: 'POST', headers: { 'content-type': 'application/activity+json' }, body: JSON.stringify(follow) }), aliceKeys[0].privateKey, aliceKeys[0].keyId);
    const changed = await fetch(inbox, { method: 'POST', headers: tampered.headers, body: JSON.stringify({ ...(follow as object), id: `${fediverse.origin}/users/alice/follows/changed` }) });
    expect(changed.status).toBe(401);

    expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'activitypub' } })).toBe(0);
    expect(receivedBy('alice', 'Accept')).toHaveLength(0);
  });

  it('accepts a Follow with a signed Accept; the follower is an active subscriber of the activitypub channel', async () => {
    const alice = await fediverse.follow('alice', handle);
    follows.alice = alice.followId;
    const accepted = await eventually(async () => receivedBy('alice', 'Accept')[0]);
    expect(accepted.signedBy).toBe(`${publicUrl}/api/town-crier/activitypub/actor`);
    expect(accepted.objectId).toBe(alice.followId);

    const row = await followerRow('alice');
    expect(row).toMatchObject({ status: 'active', channel: 'activitypub' });
    expect(row.activitypubFollower).toMatchObject({ inbox: `${fediverse.origin}/users/alice/inbox`, sharedInbox: `${fediverse.origin}/inbox`, followId: alice.followId });
    const ledger = (await test.strapi.db.query(LEDGER).findMany({ where: { subscriber: row.id }, orderBy: { id: 'asc' } })) as Array<{ type: string; method: string }>;
    expect(ledger.map((event) => `${event.type}:${event.method}`)).toEqual(['requested:activitypub-follow', 'confirmed:activitypub-follow']);

    follows.bob = (await fediverse.follow('bob', handle)).followId;
    await eventually(async () => fediverse.received.some((activity) => activity.type === 'Accept' && activity.inbox === 'bob') && (await followerRow('bob'))?.status === 'active');
    expect((await test.request.get(ap('followers'))).body.totalItems).toBe(2);
  });

  it('keeps a follower’s key: its next activity is verified without fetching the key again; a replaced key is fetched once more', async () => {
    const fetchedBefore = fediverse.actorFetches('alice');
    // Alice's server sends the Follow again (as when it missed our Accept): signed with the key we have.
    const acceptsBefore = receivedBy('alice', 'Accept').length;
    follows.alice = (await fediverse.follow('alice', handle)).followId;
    await eventually(async () => receivedBy('alice', 'Accept').length > acceptsBefore);
    expect(fediverse.actorFetches('alice')).toBe(fetchedBefore);

    // Alice's admin replaces her key: the cached one no longer verifies, the inbox fetches hers once more and takes the Follow.
    await fediverse.rotateKey('alice');
    follows.alice = (await fediverse.follow('alice', handle)).followId;
    await eventually(async () => receivedBy('alice', 'Accept').length > acceptsBefore + 1);
    expect(fediverse.actorFetches('alice')).toBe(fetchedBefore + 1);
    expect((await followerRow('alice')).activitypubFollower.followId).toBe(follows.alice);
  });

  let originalNoteId = '';
  let articleId = '';

  it('posts the news once to the followers’ server as a Create(Note) it verifies, one POST for both followers', async () => {
    articleId = await publishArticle(test, { title: 'Wasserrohrbruch in der Hauptstraße', summary: 'Die Hauptstraße ist bis Freitag gesperrt.' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.broadcastStatus === 'sent' && row;
    });
    await drained(test);
    originalNoteId = `${publicUrl}/api/town-crier/activitypub/notes/${announcement.documentId}`;

    const creates = fediverse.received.filter((activity) => activity.type === 'Create');
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ inbox: 'shared', objectId: originalNoteId, signedBy: `${publicUrl}/api/town-crier/activitypub/actor`, inReplyTo: null });
    expect(creates[0].content).toContain('Wasserrohrbruch in der Hauptstraße');
    expect(rawPostsOf('Create')).toHaveLength(1);
    expect(rawPostsOf('Create')[0].path).toBe('/inbox');
    // Both followers' deliveries are done, and counted.
    const deliveries = await deliveriesOf(test, announcement.documentId);
    expect(deliveries.map((delivery) => `${delivery.channel}:${delivery.status}`)).toEqual(['activitypub:sent', 'activitypub:sent']);

    // The Note's id is a URL we serve.
    const note = await test.request.get(new URL(originalNoteId).pathname);
    expect(note.status).toBe(200);
    expect(note.body).toMatchObject({ id: originalNoteId, type: 'Note', attributedTo: `${publicUrl}/api/town-crier/activitypub/actor` });
    expect((await test.request.get(ap('outbox'))).body).toMatchObject({ totalItems: 1, orderedItems: [{ type: 'Create', object: { id: originalNoteId } }] });
  });

  it('does not post again when the deliveries run a second time (a crash before their outcome was written)', async () => {
    const announcement = (await announcementFor(test, articleId)) as { documentId: string };
    const rows = await deliveriesOf(test, announcement.documentId);
    // As after a crash between the POST and the `sent` write: the rows are open again and their jobs run again.
    await test.strapi.db.query('plugin::town-crier.delivery').updateMany({ where: { announcementDocumentId: announcement.documentId }, data: { status: 'pending', claimedAt: null } });
    const delivery = test.strapi.plugin('town-crier').service('delivery') as { process(job: unknown): Promise<void> };
    for (const row of rows) {
      await delivery.process({ id: `rerun-${row.id}`, name: 'deliver', data: { announcementDocumentId: announcement.documentId, subscriberId: row.subscriberId, channel: 'activitypub' }, attemptsMade: 0, maxAttempts: 5 });
    }
    await drained(test);
    expect(rawPostsOf('Create')).toHaveLength(1);
    expect((await deliveriesOf(test, announcement.documentId)).map((delivery) => delivery.status)).toEqual(['sent', 'sent']);
  });

  it('posts a follow-up as a reply to the original Note (inReplyTo)', async () => {
    const original = (await announcementFor(test, articleId)) as { documentId: string };
    const announcements = test.strapi.plugin('town-crier').service('announcements') as { sendUpdate(id: string, input: Record<string, unknown>): Promise<{ documentId: string }> };
    const followUp = await announcements.sendUpdate(original.documentId, { title: 'Hauptstraße wieder frei', text: 'Die Reparatur ist beendet.', kind: 'update' });
    const reply = await eventually(async () => fediverse.received.find((activity) => activity.type === 'Create' && activity.objectId?.endsWith(`/notes/${followUp.documentId}`)));
    await drained(test);
    expect(reply.inReplyTo).toBe(originalNoteId);
    expect(rawPostsOf('Create')).toHaveLength(2);
  });

  it('sends Update when an editor corrects the published article, and Delete when it is withdrawn', async () => {
    await articles().update({ documentId: articleId, data: { summary: 'Die Hauptstraße ist bis Samstag gesperrt.' }, status: 'published' } as never);
    const update = await eventually(async () => receivedBy('alice', 'Update')[0]);
    expect(update.objectId).toBe(originalNoteId);
    expect(update.content).toContain('bis Samstag');
    await drained(test);
    expect(rawPostsOf('Update')).toHaveLength(1);

    await articles().unpublish({ documentId: articleId } as never);
    const deletion = await eventually(async () => receivedBy('alice', 'Delete')[0]);
    expect(deletion.objectId).toBe(originalNoteId);
    expect(rawPostsOf('Delete')).toHaveLength(1);
    const gone = await test.request.get(new URL(originalNoteId).pathname);
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ type: 'Tombstone', id: originalNoteId });
  });

  it('shows nothing of news that has not gone out (scheduled, or held back), and sends no Update when it is published again', async () => {
    const outboxBefore = (await test.request.get(ap('outbox'))).body.totalItems as number;
    const scheduled = (await test.strapi.documents('plugin::town-crier.announcement').create({
      data: { title: 'Bürgerversammlung am Montag', text: 'Einladung zur Bürgerversammlung', sendAt: new Date(Date.now() + 3_600_000) },
      status: 'published',
    } as never)) as { documentId: string };
    await drained(test);
    expect((await test.request.get(ap(`notes/${scheduled.documentId}`))).status).toBe(404);
    expect((await test.request.get(ap('outbox'))).body.totalItems).toBe(outboxBefore);
    // Published again while it waits (an editor's correction): the Fediverse has no copy to update.
    await test.strapi.documents('plugin::town-crier.announcement').publish({ documentId: scheduled.documentId } as never);
    await drained(test);
    expect(fediverse.received.filter((activity) => activity.objectId?.endsWith(`/notes/${scheduled.documentId}`))).toEqual([]);
    // Followers come by a Follow, not by the sign-up form: the form does not offer the channel.
    const page = await test.request.get('/api/town-crier/signup');
    expect(page.status).toBe(200);
    // The form lists its channels (e-mail is on here for this), and the Fediverse address is not among them.
    expect(page.text).toContain('name="channels" value="email"');
    expect(page.text).not.toContain('value="activitypub"');
  });

  it('sends one Create and no Update when a notice is published in several locales at once (nothing was corrected)', async () => {
    await ensureLocales(test, ['de', 'en']);
    const notices = localizedDocuments(test, NOTICE);
    const draft = await notices.create({ locale: 'de', data: { title: 'Laubsammlung am Dienstag', summary: 'Das Laub wird am Dienstag abgeholt.', slug: 'laubsammlung' } });
    await notices.update({ documentId: draft.documentId, locale: 'en', data: { title: 'Leaf collection on Tuesday', summary: 'Leaves are collected on Tuesday.', slug: 'leaf-collection' } });
    // One publish of both locales: one intent per locale, one broadcast for the document.
    await notices.publish({ documentId: draft.documentId, locale: '*' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, draft.documentId);
      return row?.broadcastStatus === 'sent' && row;
    });
    await drained(test);
    const noteId = `${publicUrl}/api/town-crier/activitypub/notes/${announcement.documentId}`;
    expect(fediverse.received.filter((activity) => activity.type === 'Create' && activity.objectId === noteId)).toHaveLength(1);
    expect(fediverse.received.filter((activity) => activity.type === 'Update' && activity.objectId === noteId)).toEqual([]);

    // The same publish once more, with the Create out for sure: its English intent, written in the publish's
    // transaction before the announcement existed, was left behind by a crash, and the reconciler carries it out now.
    const outbox = test.strapi.plugin('town-crier').service('publish-outbox') as {
      record(sourceUid: string, entries: Array<{ documentId: string; locale: string }>, publishedBy: number | null, now: Date): Promise<unknown>;
      adopt(now: Date): Promise<number>;
    };
    const publishedAt = new Date(new Date(announcement.createdAt as string).getTime() - 1);
    await outbox.record(NOTICE, [{ documentId: draft.documentId, locale: 'en' }], null, publishedAt);
    // After the writer's lease: the reconciler may take it.
    expect(await outbox.adopt(new Date(Date.now() + 61_000))).toBe(1);
    await drained(test);
    expect(fediverse.received.filter((activity) => activity.objectId === noteId).map((activity) => activity.type)).toEqual(['Create']);
    expect(await test.strapi.db.query('plugin::town-crier.publish-intent').count({})).toBe(0);
  });

  it('removes the followers on Undo(Follow); the next news reaches nobody', async () => {
    await fediverse.unfollow('alice', handle, follows.alice);
    await fediverse.unfollow('bob', handle, follows.bob);
    await eventually(async () => (await followerRow('alice'))?.status === 'unsubscribed' && (await followerRow('bob'))?.status === 'unsubscribed');
    expect((await test.request.get(ap('followers'))).body.totalItems).toBe(0);

    const posts = fediverse.rawPosts.length;
    const later = await publishArticle(test, { title: 'Sperrmüll am Montag' });
    await eventually(async () => (await announcementFor(test, later))?.broadcastStatus);
    await drained(test);
    expect(fediverse.rawPosts.length).toBe(posts);
    expect(fediverse.received.filter((activity) => activity.content?.includes('Sperrmüll'))).toHaveLength(0);
  });

  it('exports a follower’s handle and endpoints, and erasure removes them', async () => {
    const row = (await followerRow('alice')) as { id: number };
    const privacy = test.strapi.plugin('town-crier').service('privacy') as { exportSubscriber(id: number): Promise<{ subscriber: Record<string, unknown> }>; erase(id: number): Promise<void> };
    const exported = await privacy.exportSubscriber(row.id);
    expect(exported.subscriber).toMatchObject({ address: fediverse.actorUri('alice'), activitypubFollower: { inbox: `${fediverse.origin}/users/alice/inbox` } });
    await privacy.erase(row.id);
    const erased = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: row.id } });
    expect(erased).toMatchObject({ address: null, activitypubFollower: null, status: 'unsubscribed' });
    expect(JSON.stringify(erased)).not.toContain('/users/alice');
  });

  it('refuses a flood of inbox POSTs from one address with 429 before looking at them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40 && !statuses.includes(429); i += 1) {
      statuses.push((await test.request.post(ap('inbox')).set('Content-Type', 'application/activity+json').send('{"type":"Like","actor":"https://x.example/u"}')).status);
    }
    expect(statuses[0]).toBe(401);
    const refused = await test.request.post(ap('inbox')).set('Content-Type', 'application/activity+json').send('{}');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ status: 429, name: 'RateLimitError' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers a GET of an unknown note with 404 in Strapi’s error shape', async () => {
    const response = await test.request.get(ap('notes/no-such-document'));
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ data: null, error: { status: 404, name: 'NotFoundError' } });
  });
});
