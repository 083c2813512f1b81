import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { conformsToContract } from '../support/admin-contract';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp } from '../support/whatsapp';
import { drained } from '../support/drained';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';

const ARTICLE = 'api::article.article';
const ANNOUNCEMENT = 'plugin::town-crier.announcement';
const PASSWORD = 'Test-Password-1234';
const ARTICLE_FIELDS = ['title', 'summary', 'body', 'slug', 'topic', 'ortsteile', 'urgency', 'silent'];

/**
 * Four-eyes approval and send rights per village (#27), end to end through the admin's HTTP
 * routes: editors publish in the content manager as themselves, a second admin approves or
 * rejects, approvers are told through Strapi's email plugin (a real SMTP server), and the
 * citizens' WhatsApp messages are counted at the fake Cloud API.
 *
 * The town's rule: broadcasts to more than 3 recipients need approval; emergencies go at once
 * and are approved afterwards (the default). Citizens: two in Altstadt, two in Mühlenfeld, one
 * for the whole town. Otto, Mühlenfeld's Ortsvorsteher, holds the role condition "Nur Ortsteil Mühlenfeld".
 */
describe('four-eyes approval and send rights per village', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let smtp: TestSmtpServer;
  const tokens: Record<'ada' | 'erik' | 'paula' | 'otto', string> = { ada: '', erik: '', paula: '', otto: '' };
  const citizens = {
    altstadt1: { phone: '+4915120000001', villages: ['altstadt'] },
    altstadt2: { phone: '+4915120000002', villages: ['altstadt'] },
    muehlenfeld1: { phone: '+4915120000003', villages: ['muehlenfeld'] },
    muehlenfeld2: { phone: '+4915120000004', villages: ['muehlenfeld'] },
    wholeTown: { phone: '+4915120000005', villages: [] as string[] },
  };
  type Citizen = keyof typeof citizens;
  let slug = 0;

  const as = (who: keyof typeof tokens) => ({
    // The plugin's answers are held to their contract (tests/support/admin-contract.ts): no key beyond it.
    get: async (path: string) => conformsToContract('GET', path, await test.request.get(path).set('Authorization', `Bearer ${tokens[who]}`)),
    post: async (path: string, body: Record<string, unknown> = {}) => conformsToContract('POST', path, await test.request.post(path).set('Authorization', `Bearer ${tokens[who]}`).send(body)),
  });
  /** The editor's Publish in the content manager, as that admin. */
  const publish = async (who: keyof typeof tokens, fields: { title: string; ortsteile?: string; urgency?: string }) => {
    slug += 1;
    const response = await as(who).post(`/content-manager/collection-types/${ARTICLE}/actions/publish`, { summary: `Zusammenfassung: ${fields.title}`, slug: `freigabe-${slug}`, ...fields });
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    return eventually(async () =>
      (await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { title: fields.title, publishedAt: { $notNull: true }, broadcastStatus: { $notNull: true } } })) as {
        documentId: string;
        broadcastStatus: string;
        statusReason: string | null;
      } | null
    );
  };
  const announcement = async (documentId: string) =>
    (await test.strapi.db.query(ANNOUNCEMENT).findOne({ where: { documentId, publishedAt: { $notNull: true } } })) as { broadcastStatus: string; statusReason: string | null; publishedBy: number | null };
  /** Who got a WhatsApp message with this title, and how many each. */
  const reached = (title: string) => {
    const got: Partial<Record<Citizen, number>> = {};
    for (const [name, citizen] of Object.entries(citizens) as Array<[Citizen, (typeof citizens)[Citizen]]>) {
      const digits = citizen.phone.replace(/\D/g, '');
      const count = fake.requests.filter((request) => (request.body as { to?: string } | undefined)?.to === digits && JSON.stringify(request.body).includes(title)).length;
      if (count) got[name] = count;
    }
    return got;
  };
  const everyone = { altstadt1: 1, altstadt2: 1, muehlenfeld1: 1, muehlenfeld2: 1, wholeTown: 1 };
  const listEntry = async (documentId: string) => {
    const list = await as('ada').get('/town-crier/broadcasts?pageSize=100');
    expect(list.status).toBe(200);
    return (list.body.data as Array<{ documentId: string; broadcastStatus: string; statusReason: string | null; approval: Record<string, unknown> | null; followUps: Array<{ documentId: string; approval: Record<string, unknown> | null; statusReason: string | null }> }>)
      .flatMap((entry) => [entry, ...entry.followUps])
      .find((entry) => entry.documentId === documentId);
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({
      pluginConfig: {
        ...whatsapp.config,
        town: { villages: [{ name: 'Altstadt', slug: 'altstadt' }, { name: 'Mühlenfeld', slug: 'muehlenfeld' }] },
        contentTypes: { [ARTICLE]: { villages: 'ortsteile' } },
        broadcast: { approval: { enabled: true, aboveRecipients: 3 } },
      },
    });
    tokens.ada = await createSuperAdmin(test);

    const roles = test.strapi.service('admin::role') as {
      create(data: Record<string, unknown>): Promise<{ id: number }>;
      assignPermissions(id: number, permissions: Array<Record<string, unknown>>): Promise<unknown>;
    };
    const users = test.strapi.service('admin::user') as { create(data: Record<string, unknown>): Promise<{ id: number }> };
    const contentManager = (conditions: string[]) =>
      ['create', 'read', 'update', 'publish'].map((action) => ({
        action: `plugin::content-manager.explorer.${action}`,
        subject: ARTICLE,
        properties: action === 'publish' ? {} : { fields: ARTICLE_FIELDS },
        conditions,
      }));
    const plugin = (...actions: string[]) => actions.map((action) => ({ action: `plugin::town-crier.${action}`, subject: null, properties: {}, conditions: [] }));
    const person = async (key: 'erik' | 'paula' | 'otto', firstname: string, lastname: string, permissions: Array<Record<string, unknown>>) => {
      const role = await roles.create({ name: `${firstname}s Rolle`, description: `Rolle von ${firstname}` });
      await roles.assignPermissions(role.id, permissions);
      const email = `${key}@musterstadt.test`;
      await users.create({ email, firstname, lastname, password: PASSWORD, isActive: true, registrationToken: null, roles: [role.id] });
      const login = await test.request.post('/admin/login').send({ email, password: PASSWORD });
      expect(login.status).toBe(200);
      tokens[key] = login.body.data.token;
    };
    await person('erik', 'Erik', 'Editor', [...contentManager([]), ...plugin('broadcasts.manage', 'broadcasts.approve')]);
    await person('paula', 'Paula', 'Prüfer', plugin('broadcasts.manage', 'broadcasts.approve'));
    await person('otto', 'Otto', 'Ortsvorsteher', [...contentManager(['plugin::town-crier.village-muehlenfeld']), ...plugin('broadcasts.manage')]);

    for (const citizen of Object.values(citizens)) {
      await test.strapi.db.query('plugin::town-crier.subscriber').create({
        // Stored as `|a|b|` (subscriber schema); null: the whole town.
        data: { channel: 'whatsapp', address: citizen.phone, status: 'active', topics: [], villages: citizen.villages.length ? `|${citizen.villages.join('|')}|` : null, confirmedAt: new Date(), locale: 'de' },
      });
    }
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });

  let held = '';
  /** The audit trail's events of one action on one broadcast (server/src/audit). */
  const auditOf = async (action: string, broadcastId: string) =>
    (await test.strapi.db.query('plugin::town-crier.audit-event').findMany({ where: { action, announcementDocumentId: broadcastId } })) as Array<{ actorName: string | null }>;

  it('before Publish, the side panel says approval will be needed, why, and who can give it (names, no addresses)', async () => {
    const panel = await as('erik').get(`/town-crier/preview?uid=${ARTICLE}&villages=`);
    expect(panel.status).toBe(200);
    expect(panel.body.data.approval).toEqual({ mode: 'hold', reasons: ['rule'], heldChannels: ['whatsapp'], approvers: ['Ada Admin', 'Paula Prüfer'], villageRights: null });
    expect(JSON.stringify(panel.body.data.approval)).not.toContain('@');
    // Three recipients are not above the rule's three.
    const small = await as('erik').get(`/town-crier/preview?uid=${ARTICLE}&villages=muehlenfeld`);
    expect(small.body.data.recipients.total).toBe(3);
    expect(small.body.data.approval).toMatchObject({ mode: null, reasons: [] });
  });

  it('a rule-matching publish waits, says "awaiting approval", sends nothing, and the approvers are told by e-mail', async () => {
    const row = await publish('erik', { title: 'Neue Öffnungszeiten im Rathaus' });
    held = row.documentId;
    expect(row).toMatchObject({ broadcastStatus: 'paused', statusReason: 'awaiting-approval:rule' });
    expect((await announcement(held)).publishedBy).toBeGreaterThan(0);
    await drained(test);
    expect(reached('Neue Öffnungszeiten im Rathaus')).toEqual({});

    const entry = await listEntry(held);
    expect(entry).toMatchObject({ broadcastStatus: 'paused', statusReason: 'awaiting-approval:rule', approval: { state: 'awaiting', reasons: ['rule'], heldChannels: ['whatsapp'], publishedBy: 'Erik Editor', decidedBy: null } });
    const detail = await as('erik').get(`/town-crier/broadcasts/${held}`);
    expect(detail.body.data).toMatchObject({ statusReason: 'awaiting-approval:rule', approval: { state: 'awaiting', ownBroadcast: true } });
    // Resume is not a way around the approval.
    expect((await as('erik').post(`/town-crier/broadcasts/${held}/resume`)).status).toBe(400);

    const told = await eventually(async () => smtp.mailsTo('paula@musterstadt.test')[0]);
    expect(told.parsed.subject).toBe('Freigabe nötig: „Neue Öffnungszeiten im Rathaus“');
    expect(told.parsed.text).toContain('Erik Editor hat „Neue Öffnungszeiten im Rathaus“ veröffentlicht');
    expect(told.parsed.text).toContain(`/admin/plugins/town-crier/broadcasts/${held}`);
    await eventually(async () => smtp.mailsTo('admin@musterstadt.test')[0]);
    expect(smtp.mailsTo('erik@musterstadt.test')).toHaveLength(0);
    expect(smtp.mailsTo('otto@musterstadt.test')).toHaveLength(0);
  });

  it('the publisher’s own approval is refused with 403 in Strapi’s error shape, and changes nothing', async () => {
    const own = await as('erik').post(`/town-crier/broadcasts/${held}/approve`, { note: 'Passt schon' });
    expect(own.status).toBe(403);
    expect(own.body).toMatchObject({ data: null, error: { status: 403, name: 'ForbiddenError', details: { code: 'own-broadcast' } } });
    expect((await as('erik').post(`/town-crier/broadcasts/${held}/reject`, { note: 'Doch nicht' })).status).toBe(403);
    // Otto lacks the approve permission altogether.
    expect((await as('otto').post(`/town-crier/broadcasts/${held}/approve`)).status).toBe(403);
    await drained(test);
    expect(reached('Neue Öffnungszeiten im Rathaus')).toEqual({});
    expect((await announcement(held)).statusReason).toBe('awaiting-approval:rule');
  });

  it('another admin’s approval sends it exactly once; a second approval changes nothing', async () => {
    const approved = await as('paula').post(`/town-crier/broadcasts/${held}/approve`, { note: 'Geprüft' });
    expect(approved.status).toBe(200);
    await eventually(async () => (await announcement(held)).broadcastStatus === 'sent');
    expect((await as('ada').post(`/town-crier/broadcasts/${held}/approve`)).status).toBe(400);
    await drained(test);
    expect(reached('Neue Öffnungszeiten im Rathaus')).toEqual(everyone);
    expect((await listEntry(held))?.approval).toMatchObject({ state: 'approved', decidedBy: 'Paula Prüfer', note: 'Geprüft' });
    // The audit trail has the decision once, with the person who made it.
    expect(await auditOf('approved', held)).toEqual([expect.objectContaining({ actorName: 'Paula Prüfer' })]);
  });

  it('a follow-up of the approved broadcast to the same recipients follows the same rule', async () => {
    const update = await as('erik').post(`/town-crier/broadcasts/${held}/send-update`, { text: 'Samstags geschlossen' });
    expect(update.status).toBe(200);
    const followUp = update.body.data.documentId as string;
    await eventually(async () => (await announcement(followUp)).statusReason === 'awaiting-approval:rule');
    await drained(test);
    expect(reached('Samstags geschlossen')).toEqual({});
    expect((await as('erik').post(`/town-crier/broadcasts/${followUp}/approve`)).status).toBe(403);
    expect((await as('ada').post(`/town-crier/broadcasts/${followUp}/approve`)).status).toBe(200);
    await eventually(async () => (await announcement(followUp)).broadcastStatus === 'sent');
    await drained(test);
    expect(reached('Samstags geschlossen')).toEqual(everyone);
  });

  it('a rejection sends nothing, and the list says rejected, with the note', async () => {
    const row = await publish('erik', { title: 'Stadtfest abgesagt' });
    const missingNote = await as('paula').post(`/town-crier/broadcasts/${row.documentId}/reject`, {});
    expect(missingNote.status).toBe(400);
    expect(missingNote.body.error).toMatchObject({ status: 400, name: 'ValidationError' });
    const rejected = await as('paula').post(`/town-crier/broadcasts/${row.documentId}/reject`, { note: 'Bitte erst mit dem Bürgermeister abstimmen' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.data).toMatchObject({ broadcastStatus: 'cancelled', statusReason: 'approval-rejected' });
    await drained(test);
    expect(reached('Stadtfest abgesagt')).toEqual({});
    expect(await listEntry(row.documentId)).toMatchObject({
      broadcastStatus: 'cancelled',
      statusReason: 'approval-rejected',
      approval: { state: 'rejected', decidedBy: 'Paula Prüfer', note: 'Bitte erst mit dem Bürgermeister abstimmen' },
    });
    expect((await as('ada').post(`/town-crier/broadcasts/${row.documentId}/approve`)).status).toBe(400);
    await drained(test);
    expect(reached('Stadtfest abgesagt')).toEqual({});
    expect(await auditOf('rejected', row.documentId)).toEqual([expect.objectContaining({ actorName: 'Paula Prüfer' })]);
    expect(await auditOf('approved', row.documentId)).toEqual([]);
  });

  it('an emergency under send-then-approve goes out at once, shows "approval outstanding", and can be approved afterwards', async () => {
    const row = await publish('erik', { title: 'Sturmwarnung für die ganze Stadt', urgency: 'emergency' });
    expect(row.statusReason ?? '').not.toContain('awaiting-approval');
    await eventually(async () => (await announcement(row.documentId)).broadcastStatus === 'sent');
    expect(reached('Sturmwarnung für die ganze Stadt')).toEqual(everyone);
    expect((await listEntry(row.documentId))?.approval).toMatchObject({ state: 'outstanding', reasons: ['rule'], heldChannels: [] });
    const told = await eventually(async () => smtp.mails.find((mail) => mail.parsed.subject === 'Nachträgliche Freigabe: „Sturmwarnung für die ganze Stadt“'));
    expect(told.envelopeTo).not.toContain('erik@musterstadt.test');

    expect((await as('erik').post(`/town-crier/broadcasts/${row.documentId}/approve`)).status).toBe(403);
    expect((await as('paula').post(`/town-crier/broadcasts/${row.documentId}/approve`)).status).toBe(200);
    expect((await listEntry(row.documentId))?.approval).toMatchObject({ state: 'approved', decidedBy: 'Paula Prüfer' });
    await drained(test);
    expect(reached('Sturmwarnung für die ganze Stadt')).toEqual(everyone);
  });

  it('an editor limited to Mühlenfeld reaches Mühlenfeld; news for Altstadt waits, and nobody outside got anything before the approval', async () => {
    const panel = await as('otto').get(`/town-crier/preview?uid=${ARTICLE}&villages=altstadt`);
    expect(panel.body.data.approval).toEqual({ mode: 'hold', reasons: ['village-rights'], heldChannels: ['whatsapp'], approvers: ['Ada Admin', 'Erik Editor', 'Paula Prüfer'], villageRights: ['muehlenfeld'] });
    expect((await as('otto').get(`/town-crier/preview?uid=${ARTICLE}&villages=muehlenfeld`)).body.data.approval).toMatchObject({ mode: null, villageRights: ['muehlenfeld'] });

    const own = await publish('otto', { title: 'Mühlenweg gesperrt', ortsteile: 'muehlenfeld' });
    await eventually(async () => (await announcement(own.documentId)).broadcastStatus === 'sent');
    await drained(test);
    expect(reached('Mühlenweg gesperrt')).toEqual({ muehlenfeld1: 1, muehlenfeld2: 1, wholeTown: 1 });

    const beyond = await publish('otto', { title: 'Marktplatz Altstadt gesperrt', ortsteile: 'altstadt' });
    expect(beyond).toMatchObject({ broadcastStatus: 'paused', statusReason: 'awaiting-approval:village-rights' });
    const wholeTown = await publish('otto', { title: 'Wasserrohrbruch überall' });
    expect(wholeTown).toMatchObject({ broadcastStatus: 'paused', statusReason: 'awaiting-approval:village-rights' });
    await drained(test);
    expect(reached('Marktplatz Altstadt gesperrt')).toEqual({});
    expect(reached('Wasserrohrbruch überall')).toEqual({});
    expect((await listEntry(beyond.documentId))?.approval).toMatchObject({ state: 'awaiting', reasons: ['village-rights'], publishedBy: 'Otto Ortsvorsteher' });

    // Someone with the right approves: it reaches Altstadt and the whole town's citizens, not Mühlenfeld's.
    expect((await as('paula').post(`/town-crier/broadcasts/${beyond.documentId}/approve`)).status).toBe(200);
    await eventually(async () => (await announcement(beyond.documentId)).broadcastStatus === 'sent');
    await drained(test);
    expect(reached('Marktplatz Altstadt gesperrt')).toEqual({ altstadt1: 1, altstadt2: 1, wholeTown: 1 });
    expect(reached('Wasserrohrbruch überall')).toEqual({});
  });
});
