import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, type TestStrapi } from '../support/strapi';
import { inboundTextWebhook } from '../support/fake-whatsapp-cloud-api';
import { seedSubscriber } from '../support/seed';

/**
 * Every admin route: 401 without a login, 403 for a role that lacks the route's action, and a
 * Super Admin gets 200. Roles and users are made with Strapi's own admin services and log in
 * through /admin/login like a person would.
 */

const ACTIONS = {
  readStats: 'plugin::town-crier.stats.read',
  manageBroadcasts: 'plugin::town-crier.broadcasts.manage',
  readSubscribers: 'plugin::town-crier.subscribers.read',
  managePersonalData: 'plugin::town-crier.subscribers.personal-data',
  manageInbox: 'plugin::town-crier.inbox.manage',
  readChannels: 'plugin::town-crier.channels.read',
  readAudit: 'plugin::town-crier.audit.read',
  approveBroadcasts: 'plugin::town-crier.broadcasts.approve',
} as const;
type ActionName = keyof typeof ACTIONS;

interface RouteCase {
  method: 'get' | 'post';
  path: () => string;
  needs: ActionName | null;
  body?: () => Record<string, unknown>;
}

describe('admin route permissions', () => {
  let test: TestStrapi;
  let superToken: string;
  const tokens = {} as Record<ActionName, string>;
  let announcementId = 'none';
  // Two broadcasts waiting for approval (more than one recipient, the rule below): one to approve, one to reject.
  const awaiting = { approve: 'none', reject: 'none' };
  let inboxId = 0;
  let subscriberId = 0;

  // Order matters for the Super Admin pass: state-changing calls run in an order that succeeds.
  const routes: RouteCase[] = [
    { method: 'get', path: () => '/stats/overview', needs: 'readStats' },
    { method: 'get', path: () => '/stats/growth?days=30', needs: 'readStats' },
    { method: 'get', path: () => '/stats/export.csv?days=30', needs: 'readStats' },
    { method: 'get', path: () => '/broadcasts', needs: 'manageBroadcasts' },
    { method: 'get', path: () => `/broadcasts/${announcementId}`, needs: 'manageBroadcasts' },
    { method: 'post', path: () => `/broadcasts/${announcementId}/pause`, needs: 'manageBroadcasts' },
    { method: 'post', path: () => `/broadcasts/${announcementId}/resume`, needs: 'manageBroadcasts' },
    { method: 'post', path: () => `/broadcasts/${announcementId}/retry-failed`, needs: 'manageBroadcasts' },
    { method: 'post', path: () => `/broadcasts/${announcementId}/send-test`, needs: 'manageBroadcasts', body: () => ({ address: '0171 5555555' }) },
    { method: 'post', path: () => `/broadcasts/${announcementId}/send-update`, needs: 'manageBroadcasts', body: () => ({ text: 'Korrektur' }) },
    { method: 'post', path: () => `/broadcasts/${announcementId}/cancel`, needs: 'manageBroadcasts' },
    { method: 'post', path: () => `/broadcasts/${awaiting.approve}/approve`, needs: 'approveBroadcasts', body: () => ({ note: 'Geprüft' }) },
    { method: 'post', path: () => `/broadcasts/${awaiting.reject}/reject`, needs: 'approveBroadcasts', body: () => ({ note: 'Nicht so' }) },
    { method: 'get', path: () => '/preview?uid=api::article.article', needs: 'manageBroadcasts' },
    { method: 'get', path: () => '/follow-ups?uid=api::article.article', needs: 'manageBroadcasts' },
    { method: 'post', path: () => '/follow-ups/unmark', needs: 'manageBroadcasts', body: () => ({ uid: 'api::article.article', documentId: 'kein-artikel' }) },
    { method: 'get', path: () => '/sandbox/outbox', needs: 'manageBroadcasts' },
    { method: 'post', path: () => '/sandbox/act', needs: 'manageBroadcasts', body: () => ({ channel: 'whatsapp', from: '+491701112223', action: 'text', text: 'Hallo Rathaus' }) },
    { method: 'get', path: () => '/channels', needs: 'readChannels' },
    { method: 'get', path: () => '/inbox', needs: 'manageInbox' },
    { method: 'post', path: () => `/inbox/${inboxId}/reply`, needs: 'manageInbox', body: () => ({ text: 'Danke!' }) },
    { method: 'post', path: () => `/inbox/${inboxId}/handled`, needs: 'manageInbox' },
    { method: 'get', path: () => `/subscribers/${subscriberId}/export`, needs: 'managePersonalData' },
    { method: 'post', path: () => `/subscribers/${subscriberId}/erase`, needs: 'managePersonalData' },
    { method: 'post', path: () => '/subscribers/purge-withdrawn', needs: 'managePersonalData' },
    { method: 'get', path: () => '/audit', needs: 'readAudit' },
    { method: 'get', path: () => '/audit/actors', needs: 'readAudit' },
    { method: 'get', path: () => '/audit/export.csv', needs: 'readAudit' },
    { method: 'get', path: () => '/me/permissions', needs: null },
  ];

  const call = (route: RouteCase, token?: string) => {
    let request = test.request[route.method](`/town-crier${route.path()}`);
    if (token) request = request.set('Authorization', `Bearer ${token}`);
    return route.body ? request.send(route.body()) : request;
  };

  beforeAll(async () => {
    // Sandbox mode: send-test and send-update go nowhere.
    test = await bootStrapi({ pluginConfig: { channels: { whatsapp: { accessToken: '' } }, broadcast: { approval: { enabled: true, aboveRecipients: 1 } } } });
    superToken = await createSuperAdmin(test);

    const roles = test.strapi.service('admin::role') as {
      create(data: Record<string, unknown>): Promise<{ id: number }>;
      assignPermissions(id: number, permissions: Array<Record<string, unknown>>): Promise<unknown>;
    };
    const users = test.strapi.service('admin::user') as { create(data: Record<string, unknown>): Promise<{ id: number }> };
    for (const lacking of Object.keys(ACTIONS) as ActionName[]) {
      const role = await roles.create({ name: `Without ${lacking}`, description: `Every Town Crier action except ${lacking}` });
      const granted = (Object.keys(ACTIONS) as ActionName[]).filter((name) => name !== lacking);
      await roles.assignPermissions(
        role.id,
        granted.map((name) => ({ action: ACTIONS[name], subject: null, conditions: [], properties: {} }))
      );
      const email = `without-${lacking.toLowerCase()}@musterstadt.test`;
      await users.create({ email, firstname: 'Role', lastname: lacking, password: 'Test-Password-1234', isActive: true, registrationToken: null, roles: [role.id] });
      const login = await test.request.post('/admin/login').send({ email, password: 'Test-Password-1234' });
      expect(login.status).toBe(200);
      tokens[lacking] = login.body.data.token;
    }

    subscriberId = await seedSubscriber(test, '+4915111122233');
    const created = (await test.strapi.documents('plugin::town-crier.announcement').create({
      data: { title: 'Rechte', text: 'Prüfung der Rechte', sendAt: new Date(Date.now() + 3_600_000) },
      status: 'published',
    } as never)) as { documentId: string };
    announcementId = created.documentId;
    await seedSubscriber(test, '+4915111122234');
    for (const key of ['approve', 'reject'] as const) {
      const held = (await test.strapi.documents('plugin::town-crier.announcement').create({
        data: { title: `Freigabe ${key}`, text: 'Wartet auf eine zweite Person', sendAt: new Date(Date.now() + 3_600_000) },
        status: 'published',
      } as never)) as { documentId: string };
      awaiting[key] = held.documentId;
    }
    const webhookEvents = test.strapi.plugin('town-crier').service('webhook-events') as { processPayload(channel: string, payload: unknown): Promise<void> };
    await webhookEvents.processPayload('whatsapp', inboundTextWebhook('4915199988877', 'Wann ist die Straße wieder frei?'));
    const inbox = await test.strapi.db.query('plugin::town-crier.inbound-message').findOne({ where: { handledAt: { $null: true } } });
    inboxId = inbox.id;
  });
  afterAll(async () => {
    await test?.close();
  });

  it('answers 401 on every admin route without a login', async () => {
    for (const route of routes) {
      const response = await call(route);
      expect({ route: route.path(), status: response.status }).toEqual({ route: route.path(), status: 401 });
    }
  });

  it('answers 403 on every route to a role lacking that route’s action', async () => {
    for (const route of routes.filter((candidate) => candidate.needs)) {
      const response = await call(route, tokens[route.needs!]);
      expect({ route: route.path(), lacking: route.needs, status: response.status }).toEqual({ route: route.path(), lacking: route.needs, status: 403 });
    }
  });

  it('export, erase and purge need the personal-data action beside the read action (#17: read alone used to erase)', async () => {
    for (const path of [`/subscribers/${subscriberId}/export`, `/subscribers/${subscriberId}/erase`, '/subscribers/purge-withdrawn']) {
      const method = path.endsWith('/export') ? 'get' : 'post';
      for (const lacking of ['readSubscribers', 'managePersonalData'] as const) {
        const response = await test.request[method](`/town-crier${path}`).set('Authorization', `Bearer ${tokens[lacking]}`);
        expect({ path, lacking, status: response.status }).toEqual({ path, lacking, status: 403 });
      }
    }
    expect(await test.strapi.db.query('plugin::town-crier.subscriber').findOne({ where: { id: subscriberId } })).toMatchObject({ address: '+4915111122233' });
  });

  it('lets a role use the read routes of the actions it holds', async () => {
    for (const route of routes.filter((candidate) => candidate.method === 'get' && candidate.needs)) {
      const other = (Object.keys(ACTIONS) as ActionName[]).find((name) => name !== route.needs)!;
      const response = await call(route, tokens[other]);
      expect({ route: route.path(), status: response.status }).toEqual({ route: route.path(), status: 200 });
    }
  });

  it('tells each role which parts of the plugin it may use', async () => {
    for (const lacking of Object.keys(ACTIONS) as ActionName[]) {
      const response = await test.request.get('/town-crier/me/permissions').set('Authorization', `Bearer ${tokens[lacking]}`);
      expect(response.status).toBe(200);
      const expected = Object.fromEntries((Object.keys(ACTIONS) as ActionName[]).map((name) => [name, name !== lacking]));
      expect(response.body.data).toEqual(expected);
    }
  });

  it('gives the Super Admin 200 on every admin route', async () => {
    for (const route of routes) {
      const response = await call(route, superToken);
      expect({ route: route.path(), status: response.status, error: response.status === 200 ? undefined : response.body?.error?.message }).toEqual({
        route: route.path(),
        status: 200,
        error: undefined,
      });
    }
    const me = await test.request.get('/town-crier/me/permissions').set('Authorization', `Bearer ${superToken}`);
    expect(me.body.data).toEqual({ readStats: true, manageBroadcasts: true, readSubscribers: true, managePersonalData: true, manageInbox: true, readChannels: true, readAudit: true, approveBroadcasts: true });
  });
});
