import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, testArticleMapping, type TestStrapi } from '../support/strapi';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { startFakeDwd, type FakeDwd } from '../support/fake-dwd';
import { startFakeNina, type FakeNina } from '../support/fake-nina';
import { announcementFor, deliveriesOf, seedSubscriber, seedTopics } from '../support/seed';

const ARTICLE = 'api::article.article';
const WARNING_TABLE = 'plugin::town-crier.official-warning';
const EDITORS = 'redaktion@musterstadt.test';
/** The town's DWD cell, Groß Süderau's own cell, and the neighbour's. */
const CELL = '801055012';
const VILLAGE_CELL = '801055099';
const NEIGHBOUR_CELL = '801055013';
const DISTRICT = '010550000000';
const TOWN_ARS = '010550012012';
const NEIGHBOUR_ARS = '010550013013';
const MINUTE = 60_000;

type Article = { documentId: string; title: string; summary: string; urgency: string | null; topic: string | null; ortsteile: string | null; publishedAt: string | null };

/**
 * Official warnings (#28) against fake DWD and NINA servers that serve the published payloads:
 * drafts with the mapped fields and one notice to editors, nothing twice, update and all-clear
 * drafts threaded to the warning's broadcast, a neighbour's warning ignored, an hour's outage
 * (polls with an accelerated clock) losing and duplicating nothing, auto-publish going out once.
 */
describe('official warnings as drafts', () => {
  let test: TestStrapi;
  let smtp: TestSmtpServer;
  let dwd: FakeDwd;
  let nina: FakeNina;
  let auth: { Authorization: string };
  const subscribers: Record<string, number> = {};
  const stormStart = Date.now() - 30 * MINUTE;

  const warnings = () => test.strapi.plugin('town-crier').service('official-warnings') as { poll(now?: Date): Promise<void> };
  const poll = (now = new Date()) => warnings().poll(now);
  const articles = async () => (await test.strapi.documents(ARTICLE as never).findMany({ status: 'draft', sort: 'id:asc' } as never)) as unknown as Article[];
  const rows = () => test.strapi.db.query(WARNING_TABLE).findMany({ orderBy: { id: 'asc' } }) as Promise<Array<Record<string, unknown>>>;
  const editorMails = () => smtp.mailsTo(EDITORS);
  const publish = (documentId: string) => test.strapi.documents(ARTICLE as never).publish({ documentId } as never);
  const finished = (documentId: string) =>
    eventually(async () => {
      const row = await announcementFor(test, documentId);
      return row && row.broadcastStatus === 'sent' && Number(row.recipientsCount) === Number(row.sentCount) && row;
    }, { timeoutMs: 30_000 });
  const mark = async (documentId: string) => (await test.request.get(`/town-crier/follow-ups?uid=${ARTICLE}&documentId=${documentId}`).set(auth)).body.data.mark;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    dwd = await startFakeDwd();
    nina = await startFakeNina();
    // Before the boot: the worker's first poll at startup finds it.
    dwd.warn(CELL, { event: 'ORKANBÖEN', level: 3, start: stormStart, regionName: 'Gemeinde Musterstadt', headline: 'Amtliche UNWETTERWARNUNG vor ORKANBÖEN', description: 'Es treten Orkanböen mit Geschwindigkeiten um 120 km/h auf.', instruction: 'Halten Sie sich von Bäumen fern.' });
    dwd.warn(NEIGHBOUR_CELL, { event: 'GLÄTTE', level: 1, start: stormStart, regionName: 'Gemeinde Nachbarort' });
    test = await bootStrapi({
      pluginConfig: {
        town: { villages: [{ name: 'Altstadt', slug: 'altstadt' }, { name: 'Groß Süderau', slug: 'gross-suederau' }] },
        contentTypes: { [ARTICLE]: { ...testArticleMapping[ARTICLE], villages: 'ortsteile' } },
        channels: { email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>' } },
        broadcast: { approval: { enabled: true, emergency: 'send-then-approve' } },
        warnings: {
          pollEverySeconds: 3600,
          dwd: { warnCellIds: { municipality: CELL, villages: { 'gross-suederau': VILLAGE_CELL } }, url: dwd.url },
          nina: { ars: DISTRICT, areaCodes: { municipality: TOWN_ARS }, url: nina.baseUrl },
          topic: 'notfaelle',
          notifyEmails: [EDITORS],
          autoPublish: [{ source: 'dwd', minSeverity: 'extreme' }],
        },
      },
    });
    const topics = await seedTopics(test, [['Notfälle', 'notfaelle']]);
    subscribers.anna = await seedSubscriber(test, 'anna@example.org', { channel: 'email', topics: [topics.notfaelle] });
    subscribers.ben = await seedSubscriber(test, 'ben@example.org', { channel: 'email' });
    auth = { Authorization: `Bearer ${await createSuperAdmin(test)}` };
  }, 120_000);

  afterAll(async () => {
    await test?.close();
    await dwd?.close();
    await nina?.close();
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });

  let stormDraft = '';
  let stormBroadcast = '';

  it('a warning for the town’s cell becomes one draft with the mapped fields, and the editors get one notice', async () => {
    // The worker's startup poll, not a call of ours.
    const [draft] = await eventually(async () => {
      const found = await articles();
      return found.length > 0 && found;
    });
    expect(await articles()).toHaveLength(1);
    stormDraft = draft.documentId;
    expect(draft).toMatchObject({ title: 'Amtliche UNWETTERWARNUNG vor ORKANBÖEN', urgency: 'emergency', topic: 'notfaelle', publishedAt: null });
    expect(draft.ortsteile ?? null).toBeNull();
    expect(draft.summary).toContain('Es treten Orkanböen mit Geschwindigkeiten um 120 km/h auf.');
    expect(draft.summary).toContain('Die amtliche Meldung: https://www.dwd.de/');
    expect(draft.summary).toContain('Quelle: Deutscher Wetterdienst');
    await eventually(async () => editorMails().length === 1);
    expect(editorMails()[0].parsed.subject).toBe('Neue amtliche Warnung als Entwurf: Amtliche UNWETTERWARNUNG vor ORKANBÖEN');
    expect(editorMails()[0].parsed.text).toContain(`/admin/content-manager/collection-types/${ARTICLE}/${draft.documentId}`);
    // The neighbour's frost warning concerns another municipality: no row, no draft.
    expect((await rows()).map((row) => [row.source, row.event, row.severity, row.state])).toEqual([['dwd', 'ORKANBÖEN', 'severe', 'active']]);

    // The admin's banner and the side panel.
    const overview = await test.request.get('/town-crier/warnings').set(auth);
    expect(overview.status).toBe(200);
    expect(overview.body.data.drafts).toEqual([expect.objectContaining({ source: 'dwd', kind: 'warning', headline: 'Amtliche UNWETTERWARNUNG vor ORKANBÖEN', documentId: draft.documentId, autoPublished: false })]);
    const preview = await test.request.get(`/town-crier/preview?uid=${ARTICLE}&documentId=${draft.documentId}`).set(auth);
    expect(preview.body.data.officialWarning).toMatchObject({ source: 'dwd', kind: 'warning', severity: 'severe', areaName: 'Gemeinde Musterstadt', state: 'active' });
    expect(preview.body.data.officialWarning.sourceChangedAt).toEqual(expect.any(String));
  });

  it('the same warning polled again creates nothing, asking the source with its ETag (304)', async () => {
    await poll();
    expect(dwd.requests.at(-1)).toMatchObject({ status: 304, ifNoneMatch: expect.stringMatching(/^"/) });
    expect(await articles()).toHaveLength(1);
    expect(editorMails()).toHaveLength(1);
    expect(await rows()).toHaveLength(1);
  });

  it('an update of the published warning becomes a draft update of its broadcast, which reaches exactly the warning’s recipients', async () => {
    await publish(stormDraft);
    stormBroadcast = (await finished(stormDraft)).documentId;
    expect((await deliveriesOf(test, stormBroadcast)).map((row) => row.subscriberId)).toEqual([subscribers.anna, subscribers.ben]);
    subscribers.late = await seedSubscriber(test, 'spaet@example.org', { channel: 'email' });

    dwd.warn(CELL, { event: 'ORKANBÖEN', level: 3, start: stormStart, end: Date.now() + 6 * 60 * MINUTE, regionName: 'Gemeinde Musterstadt', headline: 'Amtliche UNWETTERWARNUNG vor ORKANBÖEN', description: 'Orkanböen bis 130 km/h, verlängert bis zum Abend.' });
    await poll();
    const update = (await articles()).find((article) => article.title.startsWith('Aktualisiert: '))!;
    expect(update).toMatchObject({ title: 'Aktualisiert: Amtliche UNWETTERWARNUNG vor ORKANBÖEN', urgency: 'emergency', publishedAt: null });
    expect(update.summary).toContain('verlängert bis zum Abend');
    expect(await mark(update.documentId)).toEqual({ originalDocumentId: stormBroadcast, kind: 'update', includeNew: false });
    expect(editorMails()).toHaveLength(2);

    await publish(update.documentId);
    const sent = await finished(update.documentId);
    expect(sent).toMatchObject({ updateOf: stormBroadcast, followUpKind: 'update' });
    expect((await deliveriesOf(test, sent.documentId)).map((row) => row.subscriberId)).toEqual([subscribers.anna, subscribers.ben]);
  });

  it('a cancel (the DWD drops the warning early) becomes a draft all-clear of the broadcast, reaching exactly the warning’s recipients', async () => {
    dwd.remove('ORKANBÖEN', stormStart);
    await poll();
    const allClear = (await articles()).find((article) => article.title.startsWith('Entwarnung: '))!;
    expect(allClear.summary).toContain('Die amtliche Warnung wurde aufgehoben.');
    expect(await mark(allClear.documentId)).toEqual({ originalDocumentId: stormBroadcast, kind: 'all-clear', includeNew: false });
    expect((await rows())[0]).toMatchObject({ state: 'cancelled' });
    expect(editorMails().at(-1)!.parsed.subject).toContain('Entwarnung');

    await publish(allClear.documentId);
    const sent = await finished(allClear.documentId);
    expect(sent).toMatchObject({ updateOf: stormBroadcast, followUpKind: 'all-clear' });
    expect((await deliveriesOf(test, sent.documentId)).map((row) => row.subscriberId)).toEqual([subscribers.anna, subscribers.ben]);
    const polledAgain = (await articles()).length;
    await poll();
    expect(await articles()).toHaveLength(polledAgain);
  });

  it('NINA: a district warning for the town becomes a draft with headline, severity, area and link only; a neighbouring municipality’s creates nothing', async () => {
    nina.alert({ id: 'mow.DE-SH-OH-W001-20261207-001', headline: 'Großbrand in Musterstadt: Fenster und Türen geschlossen halten', severity: 'Severe', areaCodes: [TOWN_ARS], areaDesc: 'Gemeinde Musterstadt', description: 'Über dem Gewerbegebiet zieht eine Rauchwolke auf.' });
    nina.alert({ id: 'mow.DE-SH-OH-W001-20261207-002', headline: 'Gasaustritt in Nachbarort', severity: 'Moderate', areaCodes: [NEIGHBOUR_ARS], areaDesc: 'Gemeinde Nachbarort' });
    const before = (await articles()).length;
    await poll();
    const created = (await articles()).slice(before);
    expect(created.map((article) => article.title)).toEqual(['Großbrand in Musterstadt: Fenster und Türen geschlossen halten']);
    expect(created[0].summary).toContain('https://warnung.bund.de/meldungen/mow.DE-SH-OH-W001-20261207-001/');
    expect(created[0].summary).not.toContain('Rauchwolke');
    expect(created[0].urgency).toBe('emergency');
    expect((await rows()).filter((row) => row.source === 'nina').map((row) => row.warningId)).toEqual(['mow.DE-SH-OH-W001-20261207-001']);
  });

  it('both sources failing for an hour keep their state and show the problem; on recovery nothing is lost and nothing duplicated', async () => {
    const fire = (await articles()).find((article) => article.title.startsWith('Großbrand'))!;
    await publish(fire.documentId);
    const fireBroadcast = (await finished(fire.documentId)).documentId;
    const articlesBefore = (await articles()).length;
    const rowsBefore = await rows();

    dwd.failWith(500);
    nina.failWith(500);
    const start = Date.now();
    // While the sources are down, the district changes the warning and the DWD issues a new one.
    nina.update('mow.DE-SH-OH-W001-20261207-001', { headline: 'Großbrand in Musterstadt: Rauch zieht nach Altstadt' });
    dwd.warn(VILLAGE_CELL, { event: 'STARKREGEN', level: 2, start: Date.now(), regionName: 'Groß Süderau', headline: 'Amtliche WARNUNG vor STARKREGEN' });
    for (let minute = 0; minute <= 60; minute += 5) await poll(new Date(start + minute * MINUTE));
    expect(await articles()).toHaveLength(articlesBefore);
    expect(await rows()).toEqual(rowsBefore);
    const down = (await test.request.get('/town-crier/warnings').set(auth)).body.data.sources;
    expect(down).toEqual([
      expect.objectContaining({ source: 'dwd', failingSince: new Date(start).toISOString(), lastError: 'HTTP 500', activeWarnings: 0 }),
      expect.objectContaining({ source: 'nina', failingSince: new Date(start).toISOString(), lastError: 'HTTP 500', activeWarnings: 1 }),
    ]);

    dwd.failWith(null);
    nina.failWith(null);
    await poll(new Date(start + 65 * MINUTE));
    await poll(new Date(start + 70 * MINUTE));
    const created = (await articles()).slice(articlesBefore);
    expect(created.map((article) => [article.title, article.ortsteile ?? null])).toEqual([
      ['Amtliche WARNUNG vor STARKREGEN', 'Groß Süderau'],
      ['Aktualisiert: Großbrand in Musterstadt: Rauch zieht nach Altstadt', null],
    ]);
    expect(created[0].urgency).toBe('important');
    expect(await mark(created[1].documentId)).toEqual({ originalDocumentId: fireBroadcast, kind: 'update', includeNew: false });
    const up = (await test.request.get('/town-crier/warnings').set(auth)).body.data.sources;
    expect(up.map((source: { failingSince: string | null; lastError: string | null }) => [source.failingSince, source.lastError])).toEqual([
      [null, null],
      [null, null],
    ]);

    // NINA's cancel: an all-clear draft of the fire's broadcast.
    nina.cancel('mow.DE-SH-OH-W001-20261207-001');
    await poll(new Date(start + 75 * MINUTE));
    const allClear = (await articles()).at(-1)!;
    expect(allClear.title).toBe('Entwarnung: Großbrand in Musterstadt: Rauch zieht nach Altstadt');
    expect(await mark(allClear.documentId)).toEqual({ originalDocumentId: fireBroadcast, kind: 'all-clear', includeNew: false });
  });

  it('auto-publish: an extreme DWD warning goes out at once, once, and stays on the banner as approval outstanding', async () => {
    const before = (await articles()).length;
    const hurricaneStart = Date.now();
    dwd.warn(CELL, { event: 'EXTREME ORKANBÖEN', level: 4, start: hurricaneStart, end: Date.now() + 2 * 60 * MINUTE, regionName: 'Gemeinde Musterstadt', headline: 'Amtliche WARNUNG vor EXTREMEN ORKANBÖEN' });
    await poll();
    await poll();
    const created = (await articles()).slice(before);
    expect(created).toHaveLength(1);
    const sent = await finished(created[0].documentId);
    expect(sent).toMatchObject({ urgency: 'emergency', title: 'Amtliche WARNUNG vor EXTREMEN ORKANBÖEN' });
    const announcements = await test.strapi.db.query('plugin::town-crier.announcement').findMany({ where: { sourceDocumentId: created[0].documentId, publishedAt: { $notNull: true } } });
    expect(announcements).toHaveLength(1);
    // Nobody published it in person: it went at once, and a person's approval is outstanding (#27's flow).
    const approval = (await test.strapi.db.query('plugin::town-crier.approval').findOne({ where: { announcementDocumentId: sent.documentId } })) as { state: string; holds: Array<{ reason: string }> } | null;
    expect(approval).toMatchObject({ state: 'outstanding', holds: [{ reason: 'unattended', channels: null }] });
    const mails = (await deliveriesOf(test, sent.documentId)).map((row) => row.subscriberId);
    expect(mails).toEqual([subscribers.anna, subscribers.ben, subscribers.late]);
    expect(editorMails().at(-1)!.parsed.subject).toBe('Amtliche Warnung automatisch veröffentlicht – Freigabe ausstehend: Amtliche WARNUNG vor EXTREMEN ORKANBÖEN');
    const banner = (await test.request.get('/town-crier/warnings').set(auth)).body.data.drafts;
    expect(banner.find((notice: { documentId: string }) => notice.documentId === created[0].documentId)).toMatchObject({ kind: 'warning', autoPublished: true, severity: 'extreme' });

    // It runs out without a cancel: the all-clear is offered as a draft.
    await poll(new Date(hurricaneStart + 3 * 60 * MINUTE));
    const allClear = (await articles()).at(-1)!;
    expect(allClear.title).toBe('Entwarnung: Amtliche WARNUNG vor EXTREMEN ORKANBÖEN');
    expect(allClear.summary).toContain('abgelaufen');
    expect(allClear.publishedAt).toBeNull();
    expect(await mark(allClear.documentId)).toEqual({ originalDocumentId: sent.documentId, kind: 'all-clear', includeNew: false });
  });
});
