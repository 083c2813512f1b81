import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { inboundTextWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, WHATSAPP } from '../support/whatsapp';
import { announcementFor, seedSubscriber } from '../support/seed';

/**
 * The audit trail (issue #27): every admin action on a broadcast or a citizen appears once, with
 * the admin who did it and what it concerned; the CSV holds no citizen's address or number; the
 * trail is read with its own permission, filtered with 400 for bad input, kept from the content
 * manager, and deleted only by retention (an injected clock instead of two years).
 *
 * Everything an admin does goes through the admin API as a logged-in admin: publishing through
 * the content manager's routes, the rest through the plugin's.
 */

const DAY = 86_400_000;
const AUDIT = 'plugin::town-crier.audit-event';
const ANNA = '+4915112345678';
const BERND = 'bernd.beispiel@example.org';
const CARLA = '+4915187654321';
const DORA = '+4915199990000';
const TEST_NUMBER = '0171 5555555';
const PASSWORD = 'Test-Password-1234';

interface Event {
  id: number;
  occurredAt: string;
  action: string;
  actorKind: string;
  actorId: number | null;
  actorName: string | null;
  broadcastId: string | null;
  broadcastTitle: string | null;
  subscriberId: number | null;
  details: Record<string, unknown>;
}

describe('audit trail', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let adminToken: string;
  let adminId: number;
  let editorToken: string;
  let editorId: number;
  const citizens = {} as Record<'anna' | 'bernd' | 'carla' | 'dora', number>;
  let articleBroadcast = '';
  let handWritten = '';
  let followUp = '';

  const as = (token: string) => ({
    get: (path: string) => test.request.get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body: object = {}) => test.request.post(path).set('Authorization', `Bearer ${token}`).send(body),
    delete: (path: string) => test.request.delete(path).set('Authorization', `Bearer ${token}`),
    put: (path: string, body: object = {}) => test.request.put(path).set('Authorization', `Bearer ${token}`).send(body),
  });
  const admin = () => as(adminToken);
  const events = async (query = ''): Promise<Event[]> => {
    const response = await admin().get(`/town-crier/audit?pageSize=100${query ? `&${query}` : ''}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.data as Event[];
  };
  const deliveryOf = (announcementDocumentId: string, subscriberId: number) =>
    test.strapi.db.query('plugin::town-crier.delivery').findOne({ where: { announcementDocumentId, subscriberId } }) as Promise<{ status: string } | null>;

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const config = whatsapp.config as { channels: { whatsapp: Record<string, unknown> } };
    config.channels.whatsapp.businessAccountId = WHATSAPP.businessAccountId;
    // One attempt: a send the fake fails stays failed, for "Retry failed".
    test = await bootStrapi({ pluginConfig: { ...config, broadcast: { maxAttempts: 1, retryBaseDelayMs: 50 } } });
    adminToken = await createSuperAdmin(test);
    adminId = ((await test.strapi.db.query('admin::user').findOne({ where: { email: 'admin@musterstadt.test' } })) as { id: number }).id;

    // An editor who manages broadcasts but may not read the audit trail.
    const roles = test.strapi.service('admin::role') as {
      create(data: Record<string, unknown>): Promise<{ id: number }>;
      assignPermissions(id: number, permissions: Array<Record<string, unknown>>): Promise<unknown>;
    };
    const role = await roles.create({ name: 'Redaktion', description: 'Broadcasts, no audit trail' });
    await roles.assignPermissions(role.id, [
      { action: 'plugin::town-crier.broadcasts.manage', subject: null, conditions: [], properties: {} },
      { action: 'plugin::town-crier.stats.read', subject: null, conditions: [], properties: {} },
    ]);
    const users = test.strapi.service('admin::user') as { create(data: Record<string, unknown>): Promise<{ id: number }> };
    const editor = await users.create({ email: 'redaktion@musterstadt.test', firstname: 'Erika', lastname: 'Redakteurin', password: PASSWORD, isActive: true, registrationToken: null, roles: [role.id] });
    editorId = editor.id;
    const login = await test.request.post('/admin/login').send({ email: 'redaktion@musterstadt.test', password: PASSWORD });
    expect(login.status).toBe(200);
    editorToken = login.body.data.token;

    citizens.anna = await seedSubscriber(test, ANNA);
    citizens.bernd = await seedSubscriber(test, BERND, { channel: 'email' });
    citizens.carla = await seedSubscriber(test, CARLA, { status: 'unsubscribed' });
    citizens.dora = await seedSubscriber(test, DORA, { status: 'unsubscribed' });
    // Carla withdrew 400 days ago (past the 365-day retention), Dora today.
    await test.strapi.db.query('plugin::town-crier.subscriber').update({ where: { id: citizens.carla }, data: { unsubscribedAt: new Date(Date.now() - 400 * DAY) } });
    await test.strapi.db.query('plugin::town-crier.subscriber').update({ where: { id: citizens.dora }, data: { unsubscribedAt: new Date() } });
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('records every admin action once, with the admin who did it and the broadcast or citizen it concerned', async () => {
    // Publish a news article in the content manager; the fake fails Anna's message, which stays failed (one attempt).
    fake.failNext(ANNA.replace('+', ''), { status: 500, code: 131000, message: 'Something went wrong' }, 1);
    const published = await admin().post('/content-manager/collection-types/api::article.article/actions/publish', {
      title: 'Baustelle Hauptstraße',
      summary: 'Ab Montag ist die Hauptstraße halbseitig gesperrt.',
      slug: 'baustelle-hauptstrasse',
    });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const announcement = await eventually(() => announcementFor(test, published.body.data.documentId));
    articleBroadcast = announcement.documentId;
    await eventually(async () => (await deliveryOf(articleBroadcast, citizens.anna))?.status === 'failed');

    // Retry failed: Anna's message goes again. A second click finds nothing to retry and is not recorded.
    const retried = await admin().post(`/town-crier/broadcasts/${articleBroadcast}/retry-failed`);
    expect(retried.body.data.reopened).toBe(1);
    await eventually(async () => (await deliveryOf(articleBroadcast, citizens.anna))?.status === 'sent');
    expect((await admin().post(`/town-crier/broadcasts/${articleBroadcast}/retry-failed`)).body.data.reopened).toBe(0);

    expect((await admin().post(`/town-crier/broadcasts/${articleBroadcast}/send-test`, { address: TEST_NUMBER })).status).toBe(200);
    const update = await admin().post(`/town-crier/broadcasts/${articleBroadcast}/send-update`, { text: 'Die Baustelle dauert eine Woche länger.' });
    expect(update.status, JSON.stringify(update.body)).toBe(200);
    followUp = update.body.data.documentId;

    // A hand-written announcement, published in the content manager for tomorrow: it waits, so it can be paused.
    const own = await admin().post('/content-manager/collection-types/plugin::town-crier.announcement/actions/publish', {
      title: 'Sperrmüllabfuhr',
      text: 'Die Sperrmüllabfuhr kommt morgen.',
      sendAt: new Date(Date.now() + DAY).toISOString(),
    });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    handWritten = own.body.data.documentId;
    await eventually(async () => (await test.strapi.db.query('plugin::town-crier.broadcast-run').count({ where: { announcementDocumentId: handWritten, state: 'scheduled' } })) > 0);

    // The editor pauses; a second pause is refused and records nothing. The admin resumes and cancels.
    expect((await as(editorToken).post(`/town-crier/broadcasts/${handWritten}/pause`)).status).toBe(200);
    expect((await as(editorToken).post(`/town-crier/broadcasts/${handWritten}/pause`)).status).toBe(400);
    expect((await admin().post(`/town-crier/broadcasts/${handWritten}/resume`)).status).toBe(200);
    expect((await admin().post(`/town-crier/broadcasts/${handWritten}/cancel`)).status).toBe(200);
    expect((await admin().post(`/town-crier/broadcasts/${handWritten}/cancel`)).status).toBe(400);

    const templates = await admin().post('/town-crier/channels/whatsapp/templates', {});
    expect(templates.body.data.submitted).toHaveLength(2);

    // Anna writes to the town; staff answer her.
    expect((await postWebhook(test, inboundTextWebhook(ANNA.replace('+', ''), 'Wie lange dauert die Baustelle?'))).status).toBe(200);
    const inbox = await eventually(async () => (await admin().get('/town-crier/inbox')).body.data?.[0]);
    expect((await admin().post(`/town-crier/inbox/${inbox.id}/reply`, { text: 'Etwa zwei Wochen.' })).status).toBe(200);

    // A citizen's data exported; another erased twice (the second changes nothing); the withdrawn past retention purged.
    expect((await admin().get(`/town-crier/subscribers/${citizens.anna}/export`)).status).toBe(200);
    expect((await admin().post(`/town-crier/subscribers/${citizens.bernd}/erase`)).status).toBe(200);
    expect((await admin().post(`/town-crier/subscribers/${citizens.bernd}/erase`)).status).toBe(200);
    expect((await admin().post('/town-crier/subscribers/purge-withdrawn')).body.data.subscribers).toBe(1);

    const all = await events();
    const byAdmin = { actorKind: 'admin', actorId: adminId, actorName: 'Ada Admin' };
    const once = (action: string, where: Partial<Event> = {}) => {
      const found = all.filter((event) => event.action === action && Object.entries(where).every(([key, value]) => event[key as keyof Event] === value));
      expect(found.map((event) => event.action), `${action} ${JSON.stringify(where)}`).toEqual([action]);
      return found[0];
    };
    expect(once('published', { broadcastId: articleBroadcast })).toMatchObject({ ...byAdmin, broadcastTitle: 'Baustelle Hauptstraße', details: { channels: ['whatsapp'] } });
    expect(once('published', { broadcastId: handWritten })).toMatchObject({ ...byAdmin, broadcastTitle: 'Sperrmüllabfuhr' });
    // The update is one event on the broadcast it follows up, not a second "published".
    expect(all.filter((event) => event.broadcastId === followUp)).toEqual([]);
    expect(once('update-sent')).toMatchObject({ ...byAdmin, broadcastId: articleBroadcast, details: { followUpDocumentId: followUp, kind: 'update', includeNew: false } });
    expect(once('retried')).toMatchObject({ ...byAdmin, broadcastId: articleBroadcast, details: { reopened: 1 } });
    expect(once('test-sent')).toMatchObject({ ...byAdmin, broadcastId: articleBroadcast, details: { channel: 'whatsapp' } });
    expect(once('paused')).toMatchObject({ actorKind: 'admin', actorId: editorId, actorName: 'Erika Redakteurin', broadcastId: handWritten, broadcastTitle: 'Sperrmüllabfuhr' });
    expect(once('resumed')).toMatchObject({ ...byAdmin, broadcastId: handWritten });
    expect(once('cancelled')).toMatchObject({ ...byAdmin, broadcastId: handWritten });
    expect(once('templates-submitted')).toMatchObject({ ...byAdmin, broadcastId: null, details: { templates: expect.arrayContaining(['town_news', 'town_news_optin']) } });
    expect(once('inbox-replied')).toMatchObject({ ...byAdmin, subscriberId: citizens.anna, details: { channel: 'whatsapp', inboundMessageId: inbox.id } });
    expect(once('subscriber-exported')).toMatchObject({ ...byAdmin, subscriberId: citizens.anna, broadcastId: null });
    expect(once('subscriber-erased')).toMatchObject({ ...byAdmin, subscriberId: citizens.bernd });
    expect(once('purged')).toMatchObject({ ...byAdmin, details: { subscribers: 1, messages: 0, outbox: 0 } });
    expect(all).toHaveLength(13);
  });

  it('filters by action, admin, broadcast, citizen and date range, pages, and names admins who were deleted since', async () => {
    expect((await events('action=paused')).map((event) => event.actorId)).toEqual([editorId]);
    expect((await events(`actorId=${editorId}`)).map((event) => event.action)).toEqual(['paused']);
    expect((await events(`broadcastId=${handWritten}`)).map((event) => event.action).sort()).toEqual(['cancelled', 'paused', 'published', 'resumed']);
    expect((await events(`subscriberId=${citizens.anna}`)).map((event) => event.action).sort()).toEqual(['inbox-replied', 'subscriber-exported']);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    expect(await events(`from=${today}&to=${today}`)).toHaveLength(13);
    expect(await events(`from=${tomorrow}`)).toHaveLength(0);
    expect(await events(`to=${yesterday}`)).toHaveLength(0);
    expect(await events(`action=published&from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`)).toHaveLength(2);

    const first = await admin().get('/town-crier/audit?page=1&pageSize=5');
    const third = await admin().get('/town-crier/audit?page=3&pageSize=5');
    expect(first.body.meta.pagination).toEqual({ page: 1, pageSize: 5, total: 13, pageCount: 3 });
    expect(first.body.data).toHaveLength(5);
    expect(third.body.data).toHaveLength(3);
    // Newest first.
    const times = first.body.data.map((event: Event) => event.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);

    const actors = (await admin().get('/town-crier/audit/actors')).body.data;
    expect(actors).toEqual(
      expect.arrayContaining([
        { actorKind: 'admin', actorId: adminId, actorName: 'Ada Admin' },
        { actorKind: 'admin', actorId: editorId, actorName: 'Erika Redakteurin' },
      ])
    );
  });

  it('answers 400 in Strapi’s error shape for bad filters, and changes nothing', async () => {
    const before = await test.strapi.db.query(AUDIT).count();
    for (const query of ['action=deleted', 'from=gestern', 'from=2026-13-45', 'to=2026-01-01&from=2026-02-01', 'actorId=abc', 'pageSize=1000', 'page=0', 'user=1']) {
      const response = await admin().get(`/town-crier/audit?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect(response.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError', message: expect.any(String) } });
      const csv = await admin().get(`/town-crier/audit/export.csv?${query.startsWith('page') ? 'foo=1' : query}`);
      expect({ query, csv: csv.status }).toEqual({ query, csv: 400 });
    }
    expect(await test.strapi.db.query(AUDIT).count()).toBe(before);
  });

  it('exports the trail as CSV with no citizen’s address or number in it', async () => {
    const response = await admin().get('/town-crier/audit/export.csv');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const csv = response.text;
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('occurredAt,action,actorKind,actorId,actorName,broadcastId,broadcastTitle,subscriberId,details');
    expect(lines).toHaveLength(14);
    expect(csv).toContain('Ada Admin');
    expect(csv).toContain('Baustelle Hauptstraße');
    // Every citizen's address in any spelling, the test number, and what Anna wrote or was answered.
    const digits = (phone: string) => phone.replace(/\D/g, '');
    for (const secret of [ANNA, digits(ANNA), `0${digits(ANNA).slice(2)}`, BERND, 'bernd.beispiel', CARLA, digits(CARLA), DORA, digits(DORA), '5555555', 'Wie lange dauert', 'Etwa zwei Wochen']) {
      expect(csv, secret).not.toContain(secret);
    }
    // No e-mail address of anyone, not even the admins'.
    expect(csv).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);

    const paused = (await admin().get('/town-crier/audit/export.csv?action=paused')).text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(paused).toHaveLength(2);
    expect(paused[1]).toContain('Erika Redakteurin');
  });

  it('is read with audit.read only: an editor without it gets 403, nobody without login', async () => {
    for (const path of ['/town-crier/audit', '/town-crier/audit/actors', '/town-crier/audit/export.csv']) {
      expect({ path, status: (await as(editorToken).get(path)).status }).toEqual({ path, status: 403 });
      expect({ path, status: (await test.request.get(path)).status }).toEqual({ path, status: 401 });
    }
    const permissions = (await as(editorToken).get('/town-crier/me/permissions')).body.data;
    expect(permissions).toMatchObject({ readAudit: false, manageBroadcasts: true });
    expect((await admin().get('/town-crier/me/permissions')).body.data).toMatchObject({ readAudit: true });
  });

  it('cannot be changed or deleted: no plugin route, and the content manager neither lists nor serves it', async () => {
    const before = await test.strapi.db.query(AUDIT).count();
    const [row] = (await test.strapi.db.query(AUDIT).findMany({ limit: 1 })) as Array<{ id: number; documentId?: string }>;
    // No such route: Strapi's router answers 405 (the path is known for GET) or 404.
    for (const method of ['delete', 'put'] as const) {
      const response = await admin()[method](`/town-crier/audit/${row.id}`);
      expect([404, 405], method).toContain(response.status);
    }
    expect([404, 405]).toContain((await admin().post(`/town-crier/audit/${row.id}/delete`)).status);

    const types = await admin().get('/content-manager/content-types');
    expect(types.status).toBe(200);
    const listed = (types.body.data as Array<{ uid: string; isDisplayed: boolean }>).find((type) => type.uid === AUDIT);
    expect(listed?.isDisplayed ?? false).toBe(false);
    const collection = `/content-manager/collection-types/${AUDIT}`;
    const id = row.documentId ?? String(row.id);
    const attempts = {
      list: await admin().get(collection),
      read: await admin().get(`${collection}/${id}`),
      delete: await admin().delete(`${collection}/${id}`),
      change: await admin().put(`${collection}/${id}`, { action: 'paused' }),
      bulkDelete: await admin().post(`${collection}/actions/bulkDelete`, { documentIds: [id] }),
    };
    // The document guard (audit/document-guard.ts) refuses each one; without it a Super Admin read the trail here (200).
    expect(Object.fromEntries(Object.entries(attempts).map(([name, response]) => [name, response.status]))).toEqual({ list: 403, read: 403, delete: 403, change: 403, bulkDelete: 403 });
    expect(await test.strapi.db.query(AUDIT).count()).toBe(before);
  });

  it('keeps an admin’s name after the admin is deleted', async () => {
    const users = test.strapi.service('admin::user') as { deleteById(id: number): Promise<unknown> };
    await users.deleteById(editorId);
    expect((await events('action=paused'))[0]).toMatchObject({ actorId: editorId, actorName: 'Erika Redakteurin' });
  });

  it('names the admin who published when the reconciler carries the publish out later, and only once', async () => {
    // Every announcement insert fails (a real database error, from a trigger): the editor's publish stands, its broadcast waits.
    const knex = test.strapi.db.connection;
    const table = test.strapi.db.metadata.get('plugin::town-crier.announcement').tableName;
    if (test.dialect === 'postgres') {
      await knex.raw(`CREATE OR REPLACE FUNCTION tc_test_refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected: insert refused'; END; $$ LANGUAGE plpgsql`);
      await knex.raw(`CREATE TRIGGER tc_test_refuse BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION tc_test_refuse()`);
    } else {
      await knex.raw(`CREATE TRIGGER tc_test_refuse BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'injected: insert refused'); END`);
    }
    let articleId: string;
    try {
      // The admin's publish, inside the request context Strapi's router gives every admin request (the document
      // service call the content manager makes, without the content manager's own outer transaction: through
      // that route PostgreSQL rolls the whole publish back on such an error, a defect reported separately).
      const request = { state: { user: { id: adminId }, auth: { strategy: { name: 'admin' } } } };
      const inRequest = test.strapi.requestContext as unknown as { run<T>(store: unknown, work: () => Promise<T>): Promise<T> };
      const published = (await inRequest.run(request, () =>
        test.strapi.documents('api::article.article' as never).create({ data: { title: 'Stromausfall Nordviertel', summary: 'Heute Abend kein Strom.', slug: 'stromausfall' }, status: 'published' } as never)
      )) as unknown as { documentId: string };
      articleId = published.documentId;
      expect(await announcementFor(test, articleId)).toBeNull();
    } finally {
      await knex.raw(test.dialect === 'postgres' ? `DROP TRIGGER IF EXISTS tc_test_refuse ON ${table}` : 'DROP TRIGGER IF EXISTS tc_test_refuse');
    }
    // No request behind the reconciler: the actor comes from the publish intent, written with the publish.
    const workers = test.strapi.plugin('town-crier').service('workers') as { reconcile(): Promise<void> };
    await workers.reconcile();
    const announcement = await eventually(() => announcementFor(test, articleId));
    await workers.reconcile();
    const found = await events(`action=published&broadcastId=${announcement.documentId}`);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ actorKind: 'admin', actorId: adminId, actorName: 'Ada Admin', broadcastTitle: 'Stromausfall Nordviertel' });
  });

  it('is deleted by retention only, after audit.retentionDays (730), with the system’s purge recorded', async () => {
    const workers = test.strapi.plugin('town-crier').service('workers') as { retention(now: Date): Promise<void> };
    const before = await test.strapi.db.query(AUDIT).count();
    // 400 days on: Dora's and erased Bernd's records are past the subscribers' 365 days; no event is past 730 yet.
    const later = new Date(Date.now() + 400 * DAY);
    await workers.retention(later);
    const purged = (await events('action=purged&actorKind=system'))[0];
    expect(purged).toMatchObject({ actorKind: 'system', actorId: null, details: { subscribers: 2 } });
    expect(new Date(purged.occurredAt).getTime()).toBe(later.getTime());
    expect(await test.strapi.db.query(AUDIT).count()).toBe(before + 1);
    // 731 days on: today's events are past retention and go; the system's purge of day 400 stays.
    await workers.retention(new Date(Date.now() + 731 * DAY));
    expect((await events()).map((event) => event.action)).toEqual(['purged']);
  });
});
