import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { inboundTextWebhook, statusWebhook, type FakeCloudApi, type StatusInput } from '../support/fake-whatsapp-cloud-api';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, publishArticle, seedSubscriber, seedTopics } from '../support/seed';
import budgetServiceFactory from '../../server/src/costs/budget.service';
import { recordBudgetChange } from '../../server/src/audit/config-changes';
import { parsePluginConfig } from '../../server/src/config';
import type { BudgetStatus, BudgetVerdict, KindCost } from '../../shared/contracts/costs';

const RATES: Record<string, number> = { marketing: 0.12, utility: 0.05, service: 0.01 };
const AMOUNT = 1;
const THRESHOLDS = [50, 80, 100];

interface BudgetService {
  status(now?: Date): Promise<BudgetStatus>;
  verdictFor(announcementId: number | string, now?: Date): Promise<BudgetVerdict>;
  checkThresholds(now?: Date): Promise<number[]>;
}

/** What the webhooks the fake sent say, priced at the town's rates, per kind: the test's own sum. */
function expectedFrom(statuses: StatusInput[]) {
  const byKind = new Map<string, { messages: number; billableMessages: number; cost: number }>();
  let spent = 0;
  for (const status of statuses) {
    const kind = status.deliveryRef?.startsWith('d:') ? 'news' : (status.deliveryRef?.slice(2) ?? 'other');
    const entry = byKind.get(kind) ?? { messages: 0, billableMessages: 0, cost: 0 };
    entry.messages += 1;
    if (status.pricing?.billable) {
      entry.billableMessages += 1;
      entry.cost += RATES[status.pricing.category!];
      spent += RATES[status.pricing.category!];
    }
    byKind.set(kind, entry);
  }
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return { spent: round(spent), byKind: new Map([...byKind].map(([kind, entry]) => [kind, { ...entry, cost: round(entry.cost) }])) };
}

/**
 * Every message the town's WhatsApp number sends is priced by what Meta's status webhooks say
 * (category and billable flag per message), by kind, against a monthly budget whose thresholds
 * mail the admins once each. One boot: the month's messages, the thresholds, the verdict before
 * an over-budget broadcast, and the next month by the injected clock.
 */
describe('WhatsApp budget: every message priced by Meta, thresholds mailed once', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let smtp: TestSmtpServer;
  let token: string;
  let topicId: number;
  let consentVersion: string;
  const news = ['+4915100000011', '+4915100000012', '+4915100000013', '+4915100000014', '+4915100000015', '+4915100000016'];
  const [helpAsker, inboxWriter, stopper] = news;
  const budget = () => test.strapi.plugin('town-crier').service('budget') as BudgetService;
  const admin = (method: 'get' | 'post', path: string) => test.request[method](`/town-crier${path}`).set('Authorization', `Bearer ${token}`);
  const accepted = () => fake.requests.filter((request) => request.response?.status === 200 && request.path.endsWith('/messages')).length;
  const budgetMails = () => smtp.mails.filter((mail) => /WhatsApp-Budget/.test(mail.parsed.subject ?? ''));
  const mailedThresholds = () => budgetMails().map((mail) => Number(/: (\d+) % erreicht/.exec(mail.parsed.subject ?? '')?.[1])).sort((a, b) => a - b);
  const write = async (digits: string, text: string) => {
    fake.customerWrote(digits);
    expect((await postWebhook(test, inboundTextWebhook(digits.replace('+', ''), text))).status).toBe(200);
  };
  const signUp = (address: string) =>
    test.request.post('/api/town-crier/subscriptions').send({ channel: 'whatsapp', address, topics: ['verkehr'], consent: { accepted: true, version: consentVersion } });
  /** Posts Meta's priced `sent` statuses and waits until the month's count has taken them in. */
  const postPricing = async (statuses: StatusInput[], timestamp?: number) => {
    expect((await postWebhook(test, statusWebhook(statuses, timestamp ? { timestamp } : {}))).status).toBe(200);
  };

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const config = whatsapp.config as { channels: { whatsapp: Record<string, unknown> } };
    config.channels.whatsapp.costs = { ratePerMessage: RATES, ratesAsOf: '2026-10-01', ratesSource: 'test rate card' };
    config.channels.whatsapp.budget = { amountPerMonth: AMOUNT, currency: 'EUR', thresholds: THRESHOLDS };
    // E-mail on as well: a WhatsApp part over budget waits for approval, the e-mail citizens of the same news do not.
    test = await bootStrapi({
      pluginConfig: { ...config, channels: { ...config.channels, email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>', unsubscribeMailto: 'abmelden@musterstadt.test' } } },
    });
    topicId = (await seedTopics(test, [['Verkehr', 'verkehr']])).verkehr;
    for (const number of news) await seedSubscriber(test, number, { topics: [topicId] });
    token = await createSuperAdmin(test);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });

  let firstMonth: { spent: number };

  it('counts confirmations, keyword answers, interim and staff replies, STOP receipts and news as Meta priced them, by kind', async () => {
    // One citizen came through a Click-to-WhatsApp ad: Meta bills nothing to them for 72 hours, news included.
    fake.customerWrote(news[4], Date.now(), { entryPoint: true });
    // A sign-up: the confirmation template (utility, outside any window: charged).
    expect((await signUp('0151 00000099')).status).toBeLessThan(300);
    // Keyword answer, interim reply, STOP receipt: free-form answers inside the window.
    await write(helpAsker, 'HILFE');
    await write(inboxWriter, 'Wann wird die Straße repariert?');
    await write(stopper, 'STOP');
    await eventually(async () => sentTo(fake, inboxWriter).length === 1 && sentTo(fake, stopper).length === 1 && sentTo(fake, helpAsker).length === 1);
    // The staff reply goes out while Meta bills service messages (its 2026 change): Meta's word is taken.
    const inbox = await eventually(async () => (await admin('get', '/inbox')).body.data?.[0]);
    fake.billServiceMessages(true);
    expect((await admin('post', `/inbox/${inbox.id}/reply`).send({ text: 'Nächste Woche.' })).status).toBe(200);
    await eventually(async () => sentTo(fake, inboxWriter).length === 2);
    fake.billServiceMessages(false);
    // News to the five still subscribed (a marketing template: charged inside the window too).
    const articleId = await publishArticle(test, { title: 'Baustelle am Markt', topic: 'verkehr' });
    await eventually(async () => (await announcementFor(test, articleId))?.broadcastStatus === 'sent');
    await eventually(async () => accepted() === 10);

    const statuses = fake.pricedStatuses();
    expect(statuses).toHaveLength(10);
    await postPricing(statuses);
    const expected = expectedFrom(statuses);
    expect([...expected.byKind.keys()].sort()).toEqual(['confirmation', 'interim-reply', 'keyword-answer', 'news', 'staff-reply', 'stop-receipt']);
    // What the fake said, as Meta's docs have it: the entry-point citizen's news and the free-form answers are free.
    expect(expected.byKind.get('news')).toMatchObject({ messages: 5, billableMessages: 4 });
    expect(expected.byKind.get('keyword-answer')).toMatchObject({ messages: 1, billableMessages: 0 });
    expect(expected.byKind.get('staff-reply')).toMatchObject({ messages: 1, billableMessages: 1 });

    const status = await eventually(async () => {
      const current = await budget().status();
      return current.byKind.reduce((sum, entry) => sum + entry.messages, 0) === 10 && current;
    });
    expect(status.spent).toBe(expected.spent);
    for (const entry of status.byKind as KindCost[]) {
      expect({ kind: entry.kind, messages: entry.messages, billableMessages: entry.billableMessages, cost: entry.cost }).toEqual({
        kind: entry.kind,
        ...(expected.byKind.get(entry.kind) ?? { messages: 0, billableMessages: 0, cost: 0 }),
      });
    }
    expect(status).toMatchObject({ currency: 'EUR', amount: AMOUNT, remaining: Math.round((AMOUNT - expected.spent) * 10_000) / 10_000, thresholds: THRESHOLDS });
    expect(status.forecast).toBeGreaterThanOrEqual(status.spent);

    // The overview shows the same month, its forecast and budget; the month's cost counts every kind.
    const overview = (await admin('get', '/stats/overview')).body.data;
    expect(overview.whatsappBudget).toMatchObject({ month: status.month, spent: expected.spent, amount: AMOUNT });
    expect(overview.costPerMonth.at(-1).byKind).toEqual(status.byKind);
    firstMonth = { spent: expected.spent };
  });

  it('mails each threshold reached once, whatever checks again, concurrently or after a restart', async () => {
    const due = THRESHOLDS.filter((threshold) => firstMonth.spent * 100 >= AMOUNT * threshold);
    expect(due.length).toBeGreaterThan(0);
    // The webhook's pricing started a check of its own; any further check finds the thresholds claimed.
    await Promise.all([budget().checkThresholds(), budget().checkThresholds()]);
    await eventually(async () => mailedThresholds().length === due.length);
    expect(mailedThresholds()).toEqual(due);
    const mail = budgetMails()[0];
    expect(mail.envelopeTo).toEqual(['admin@musterstadt.test']);
    expect(mail.parsed.text).toContain('des Monatsbudgets');
    expect(mail.parsed.text).not.toMatch(/4915100/);
    // A restarted process starts with nothing in memory: the database says what was mailed.
    const restarted = budgetServiceFactory({ strapi: test.strapi }) as unknown as BudgetService;
    expect(await restarted.checkThresholds()).toEqual([]);
    expect((await budget().status()).mailedThresholds).toEqual(due);
    expect(mailedThresholds()).toEqual(due);
  });

  it('says before Publish that a broadcast would go over what is left, holds its WhatsApp part for approval while e-mail goes, and mails the next thresholds once it went', async () => {
    const before = await budget().status();
    // A draft announcement to the same citizens: what the approval flow will ask about.
    const draft = (await test.strapi.db.query('plugin::town-crier.announcement').create({
      data: { title: 'Straßenfest', text: 'Am Samstag', topics: [topicId], urgency: 'info' },
    })) as { id: number; documentId: string };
    const verdict = await budget().verdictFor(draft.id);
    expect(verdict).toEqual({ wouldExceed: true, estimate: Math.round(5 * RATES.marketing * 10_000) / 10_000, remaining: before.remaining, currency: 'EUR' });
    expect(await budget().verdictFor(draft.documentId)).toEqual(verdict);
    // The side panel shows the same before Publish.
    const preview = (await admin('get', '/preview?uid=api::article.article&topic=verkehr')).body.data;
    expect(preview.whatsappBudget).toEqual(verdict);

    // The side panel says before Publish that it will wait for an approval, for WhatsApp only.
    expect(preview.approval).toMatchObject({ mode: 'hold', reasons: ['over-budget'], heldChannels: ['whatsapp'] });
    const reader = await seedSubscriber(test, 'leserin@example.org', { topics: [topicId], channel: 'email' });

    const from = fake.requests.length;
    // Published in the content manager, as an editor does: the whole publish, and the budget's verdict in it, runs in
    // one transaction (on SQLite a read outside it would wait for a second connection that never comes).
    const published = await test.request
      .post('/content-manager/collection-types/api::article.article/actions/publish')
      .set('Authorization', `Bearer ${token}`)
      .send({ title: 'Straßenfest am Samstag', topic: 'verkehr', summary: 'Am Samstag ist Straßenfest.', slug: 'strassenfest-am-samstag' });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const articleId = published.body.data.documentId as string;
    const runs = async () =>
      (await test.strapi.db.query('plugin::town-crier.broadcast-run').findMany({ where: { announcementDocumentId: (await announcementFor(test, articleId))?.documentId } })) as Array<{
        channel: string;
        state: string;
        reason: string | null;
      }>;
    // The WhatsApp run waits with its reason; the e-mail reader gets the news meanwhile.
    await eventually(async () => {
      const byChannel = Object.fromEntries((await runs()).map((run) => [run.channel, run]));
      return byChannel.whatsapp?.state === 'paused' && byChannel.email?.state === 'sent' ? byChannel : null;
    });
    expect((await runs()).find((run) => run.channel === 'whatsapp')?.reason).toBe('awaiting-approval:over-budget');
    const delivered = (await test.strapi.db.query('plugin::town-crier.delivery').findMany({ where: { announcementDocumentId: (await announcementFor(test, articleId))?.documentId } })) as Array<{ subscriberId?: number; channel: string; status: string }>;
    expect(delivered.filter((row) => row.channel === 'email').map((row) => row.status)).toEqual(['sent']);
    expect(fake.requests.slice(from).filter((request) => request.path.endsWith('/messages'))).toHaveLength(0);
    expect(reader).toBeGreaterThan(0);

    // A second person approves: the WhatsApp part goes, once.
    const documentId = (await announcementFor(test, articleId))!.documentId;
    // The publisher may not approve their own broadcast; a second administrator does.
    expect((await admin('post', `/broadcasts/${documentId}/approve`).send({})).status).toBe(403);
    const superAdminRole = await (test.strapi.service('admin::role') as { getSuperAdmin(): Promise<{ id: number }> }).getSuperAdmin();
    await (test.strapi.service('admin::user') as { create(data: Record<string, unknown>): Promise<unknown> }).create({
      email: 'kaemmerei@musterstadt.test', firstname: 'Karl', lastname: 'Kämmerer', password: 'Test-Password-1234', isActive: true, registrationToken: null, roles: [superAdminRole.id],
    });
    const second = (await test.request.post('/admin/login').send({ email: 'kaemmerei@musterstadt.test', password: 'Test-Password-1234' })).body.data.token as string;
    const approved = await test.request.post(`/town-crier/broadcasts/${documentId}/approve`).set('Authorization', `Bearer ${second}`).send({ note: 'Budget für das Straßenfest freigegeben' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await eventually(async () => (await announcementFor(test, articleId))?.broadcastStatus === 'sent');
    const statuses = fake.pricedStatuses(from);
    expect(statuses).toHaveLength(5);
    await postPricing(statuses);
    const spent = Math.round((before.spent + expectedFrom(statuses).spent) * 10_000) / 10_000;
    await eventually(async () => (await budget().status()).spent === spent);
    const due = THRESHOLDS.filter((threshold) => spent * 100 >= AMOUNT * threshold);
    // Two processes checking at the same moment (the webhook's own check may be a third): each threshold once.
    const other = budgetServiceFactory({ strapi: test.strapi }) as unknown as BudgetService;
    const mailedNow = (await Promise.all([budget().checkThresholds(), other.checkThresholds(), budget().checkThresholds()])).flat();
    expect(new Set(mailedNow).size).toBe(mailedNow.length);
    await eventually(async () => mailedThresholds().length === due.length);
    expect(mailedThresholds()).toEqual(due);
    expect(await budget().checkThresholds()).toEqual([]);
    expect((await budget().status()).remaining).toBe(0);
    firstMonth = { spent };
  });

  it('records a changed budget in the audit trail once, at startup, as the system', async () => {
    const events = async () =>
      (await test.strapi.db.query('plugin::town-crier.audit-event').findMany({ where: { action: 'budget-changed' }, orderBy: { id: 'asc' } })) as Array<{ actorKind: string; details: unknown }>;
    // The boot with a budget of 1 recorded it, as set from nothing.
    expect(await events()).toEqual([expect.objectContaining({ actorKind: 'system', details: { previous: null, next: AMOUNT, currency: 'EUR' } })]);
    const running = test.strapi.config.get('plugin::town-crier');
    expect(await recordBudgetChange(test.strapi, parsePluginConfig(running))).toBe(false);
    // The town raises it to 40 and restarts two processes at once: one event.
    const raised = parsePluginConfig({ ...(running as object), channels: { ...(running as { channels: object }).channels, whatsapp: { ...(running as { channels: { whatsapp: object } }).channels.whatsapp, budget: { amountPerMonth: 40, currency: 'EUR', thresholds: THRESHOLDS } } } });
    expect((await Promise.all([recordBudgetChange(test.strapi, raised), recordBudgetChange(test.strapi, raised)])).filter(Boolean)).toHaveLength(1);
    expect((await events()).map((event) => event.details)).toEqual([
      { previous: null, next: AMOUNT, currency: 'EUR' },
      { previous: AMOUNT, next: 40, currency: 'EUR' },
    ]);
  });

  it('starts the next month empty by the injected clock, mails nothing for it, and keeps the last month in the history', async () => {
    const current = await budget().status();
    const [year, month] = current.month.split('-').map(Number);
    const nextMonth = new Date(Date.UTC(month === 12 ? year + 1 : year, month === 12 ? 0 : month, 3, 12));
    const next = await budget().status(nextMonth);
    expect(next).toMatchObject({ spent: 0, forecast: 0, remaining: AMOUNT, mailedThresholds: [] });
    expect(next.month).not.toBe(current.month);
    expect(await budget().checkThresholds(nextMonth)).toEqual([]);

    // A confirmation Meta priced in the next month counts there, not in this one.
    const from = fake.requests.length;
    expect((await signUp('0151 00000098')).status).toBeLessThan(300);
    await eventually(async () => fake.requests.length > from && accepted() > 0);
    const statuses = fake.pricedStatuses(from);
    expect(statuses.map((status) => status.deliveryRef)).toEqual(['m:confirmation']);
    await postPricing(statuses, Math.floor(nextMonth.getTime() / 1000));
    const expected = expectedFrom(statuses);
    await eventually(async () => (await budget().status(nextMonth)).spent === expected.spent);
    expect((await budget().status()).spent).toBe(firstMonth.spent);
    const overview = (await admin('get', '/stats/overview')).body.data;
    expect(overview.whatsappBudget.spent).toBe(firstMonth.spent);
  });
});
