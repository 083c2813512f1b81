/**
 * The built admin panel in Debian's Chromium: logs in as the Super Admin, opens every Town
 * Crier view and checks that the figures on screen are the seeded ones; pauses and resumes a
 * broadcast; acts as a citizen on the sandbox phone; answers in the inbox. Screenshots go to
 * test-results/screenshots/ (the overview also to docs/images/admin-overview.png with UPDATE_DOCS_SCREENSHOTS=1).
 * WhatsApp runs in sandbox mode switched on explicitly, with a token and a business account at the
 * fake Cloud API, so the town's templates, tier and API version are read from "Meta" and the sandbox
 * phone shows the templates' German text as Meta has it.
 *
 * Needs Debian's Chromium (tests/support/chromium.ts says how when it is missing; `npm test`
 * installs it first). The admin build is cached in tests/app/build (see admin-build.ts).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { ensureAdminBuild } from '../support/admin-build';
import { seedTopics } from '../support/seed';
import { launchChromium } from '../support/chromium';
import { seriousViolations } from '../support/axe';
import { docScreenshot } from '../support/screenshots';
import { approvedTownTemplates, startFakeWhatsappCloudApi, type FakeCloudApi, type FakeTemplate } from '../support/fake-whatsapp-cloud-api';
import { WHATSAPP } from '../support/whatsapp';
import en from '../../admin/src/translations/en.json';
import de from '../../admin/src/translations/de.json';

const ROOT = path.resolve(__dirname, '../..');
const SCREENSHOTS = path.join(ROOT, 'test-results/screenshots');
const ADMIN = { email: 'admin@musterstadt.test', password: 'Test-Password-1234' };
const DAY = 86_400_000;


/**
 * The seeded town: 632 active, 2 pending, 3 unsubscribed subscribers on WhatsApp.
 * 620 of the active signed up from the website 88 to 31 days ago (150 in the launch days), so
 * they are in the 90-day chart but not in the 7- and 30-day net change. 12 more are described here:
 * Confirmations: 5 forty days ago, 4 ten days ago, 3 two days ago (the active ones) and 3 fifty
 * days ago (the ones who left: 2 yesterday, 1 twenty days ago).
 *   net change 7 days  = 3 confirmed - 2 withdrawn = +1
 *   net change 30 days = 7 confirmed - 3 withdrawn = +4
 * Sources of the active: website 620 + 8, flyer 3, none 1 → "<5" for flyer and unknown.
 * Topics of the active: verkehr 7, kultur 3 → "<5" for kultur (the rest chose no topic), and "*" for
 *   verkehr: with the exact total and "all news" 622, kultur would be 632 - 622 - 7 = 3 (docs/privacy.md).
 * One announcement to the 12 active: 3 read, 2 delivered, 2 sent, 2 failed (131026, 131049), 3 pending.
 */
const BULK = 620;
const EXPECTED = {
  active: BULK + 12,
  pending: 2,
  unsubscribed: 3,
  net7: '+1',
  net30: '+4',
  signups90: BULK + 15,
  withdrawals90: 3,
  progress: '7 sent · 5 delivered · 3 read · 2 failed of 12',
};

/**
 * Quiet hours from an hour ago to two hours ahead (Berlin time): the broadcast's open messages
 * wait instead of going out while the test looks at them, so what is on screen stays put.
 */
function quietHoursAroundNow() {
  const berlin = (offsetMs: number) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() + offsetMs));
  return { enabled: true, start: berlin(-3_600_000), end: berlin(7_200_000), timeZone: 'Europe/Berlin' };
}

const phone = (index: number) => `+49151000000${String(index).padStart(2, '0')}`;

/**
 * The town's templates at Meta: the opt-in approved with Meta's German wording, a footer and the
 * "Ja, anmelden" button; the news template paused by Meta (its German problem line must show).
 */
function townTemplatesAtMeta(): FakeTemplate[] {
  const [news, optin] = approvedTownTemplates();
  return [
    {
      ...news,
      status: 'PAUSED',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Aus dem Rathaus' },
        { type: 'BODY', text: 'Neues aus Musterstadt: {{1}}\n\n{{2}}\n\nMehr dazu auf unserer Website. Abmelden: STOP' },
        { type: 'FOOTER', text: 'Stadt Musterstadt' },
      ],
    },
    {
      ...optin,
      components: [
        { type: 'BODY', text: 'Sie haben sich für die Nachrichten der Stadt Musterstadt angemeldet. Bitte bestätigen Sie mit dem Knopf unten. Wenn Sie das nicht waren, ignorieren Sie diese Nachricht einfach.' },
        { type: 'FOOTER', text: 'Stadt Musterstadt · Rathausplatz 1' },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ja, anmelden' }] },
      ],
    },
  ];
}

async function seed(test: TestStrapi) {
  const topics = await seedTopics(test, [
    ['Verkehr', 'verkehr'],
    ['Kultur', 'kultur'],
  ]);
  const now = Date.now();
  const subscribers: number[] = [];
  const create = async (index: number, data: Record<string, unknown>, events: Array<[type: string, at: number]>) => {
    const row = (await test.strapi.db.query('plugin::town-crier.subscriber').create({
      data: { channel: 'whatsapp', address: phone(index), locale: 'de', consentVersion: '2026-01', ...data },
    })) as { id: number };
    for (const [type, at] of events) {
      await test.strapi.db.query('plugin::town-crier.consent-event').create({
        data: { subscriber: row.id, channel: 'whatsapp', type, method: 'seed', consentVersion: '2026-01', occurredAt: new Date(at) },
      });
    }
    return row.id;
  };

  const activeConfirmedDaysAgo = [40, 40, 40, 40, 40, 10, 10, 10, 10, 2, 2, 2];
  const sources = ['website', 'website', 'website', 'website', 'website', 'website', 'website', 'website', 'flyer', 'flyer', 'flyer', null];
  for (let index = 0; index < 12; index += 1) {
    const confirmedAt = now - activeConfirmedDaysAgo[index] * DAY;
    subscribers.push(
      await create(
        index,
        {
          status: 'active',
          source: sources[index],
          confirmedAt: new Date(confirmedAt),
          topics: index < 7 ? [topics.verkehr] : index < 10 ? [topics.kultur] : [],
        },
        [
          ['requested', confirmedAt - 60_000],
          ['confirmed', confirmedAt],
        ]
      )
    );
  }
  // The town's launch: one row per citizen, written in batches (no consent ledger needed for the counts).
  const bulk = Array.from({ length: BULK }, (_, index) => {
    const daysAgo = index < 150 ? 88 - (index % 3) : 85 - ((index - 150) % 55);
    return {
      channel: 'whatsapp',
      address: `+4917${String(index).padStart(8, '0')}`,
      status: 'active',
      source: 'website',
      locale: 'de',
      confirmedAt: new Date(now - daysAgo * DAY - (index % 7) * 3_600_000),
    };
  });
  for (let start = 0; start < bulk.length; start += 200) {
    await test.strapi.db.query('plugin::town-crier.subscriber').createMany({ data: bulk.slice(start, start + 200) });
  }

  for (let index = 12; index < 14; index += 1) {
    await create(index, { status: 'pending', source: 'website', expiresAt: new Date(now + DAY) }, [['requested', now - 3_600_000]]);
  }
  for (const [index, leftDaysAgo] of [
    [14, 1],
    [15, 1],
    [16, 20],
  ] as const) {
    const confirmedAt = now - 50 * DAY;
    await create(
      index,
      { status: 'unsubscribed', source: 'website', confirmedAt: new Date(confirmedAt), unsubscribedAt: new Date(now - leftDaysAgo * DAY) },
      [
        ['requested', confirmedAt - 60_000],
        ['confirmed', confirmedAt],
        ['withdrawn', now - leftDaysAgo * DAY],
      ]
    );
  }

  // Written straight to the tables as the product leaves a broadcast that is sending: its
  // deliveries, then its WhatsApp run, then the status derived from the run. In this order the
  // startup reconciler, which may run at any moment of the seed, never sees a sending broadcast
  // with half its deliveries (it would finish it) or one without its run.
  const announcement = (await test.strapi.db.query('plugin::town-crier.announcement').create({
    data: {
      title: 'Vollsperrung der Hauptstraße',
      text: 'Die Hauptstraße ist am Samstag von 8 bis 18 Uhr gesperrt.',
      url: 'https://musterstadt.de/news/vollsperrung',
      urgency: 'important',
      topics: [topics.verkehr],
      channels: ['whatsapp'],
      fanOutDoneAt: new Date(now - 3_600_000),
      publishedAt: new Date(now - 3_600_000),
    },
  })) as { documentId: string };
  const statuses = ['read', 'read', 'read', 'delivered', 'delivered', 'sent', 'sent', 'failed', 'failed', 'pending', 'pending', 'pending'];
  const errorCodes: Record<number, [string, string]> = { 7: ['131026', 'recipient'], 8: ['131049', 'rate-limit'] };
  for (let index = 0; index < 12; index += 1) {
    await test.strapi.db.query('plugin::town-crier.delivery').create({
      data: {
        announcementDocumentId: announcement.documentId,
        subscriberId: subscribers[index],
        channel: 'whatsapp',
        status: statuses[index],
        attempts: statuses[index] === 'pending' ? 0 : 1,
        providerMessageId: statuses[index] === 'pending' ? null : `wamid.seed.${index}`,
        lastErrorCode: errorCodes[index]?.[0] ?? null,
        lastErrorClass: errorCodes[index]?.[1] ?? null,
        sentAt: statuses[index] === 'pending' ? null : new Date(now - 3_000_000),
        statusAt: statuses[index] === 'pending' ? null : new Date(now - 2_000_000),
        // What Meta's status webhooks said it charges: the seven delivered, read or sent messages as marketing.
        ...(['read', 'delivered', 'sent'].includes(statuses[index]) ? { billable: true, pricingCategory: 'marketing', pricingModel: 'PMP' } : {}),
      },
    });
  }
  await test.strapi.db.query('plugin::town-crier.broadcast-run').create({ data: { announcementDocumentId: announcement.documentId, channel: 'whatsapp', state: 'sending' } });
  await test.strapi.db.query('plugin::town-crier.announcement').updateMany({ where: { documentId: announcement.documentId }, data: { broadcastStatus: 'sending' } });
  const announcements = test.strapi.plugin('town-crier').service('announcements') as { refreshCounters(documentId: string): Promise<unknown> };
  await announcements.refreshCounters(announcement.documentId);

  await test.strapi.db.query('plugin::town-crier.inbound-message').create({
    data: {
      channel: 'whatsapp',
      subscriber: subscribers[0],
      fromAddress: phone(0),
      providerMessageId: 'wamid.seed.inbound.1',
      text: 'Gilt die Sperrung auch für Radfahrer?',
      receivedAt: new Date(now - 3_600_000),
    },
  });

  // The citizen wrote an hour ago, so WhatsApp's 24-hour window for a free answer is open.
  await test.strapi.db.query('plugin::town-crier.subscriber').update({ where: { id: subscribers[0] }, data: { lastInboundAt: new Date(now - 3_600_000) } });

  return { announcementDocumentId: announcement.documentId, subscribers };
}

describe('admin panel in Chromium', () => {
  let test: TestStrapi;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let token: string;
  let seeded: Awaited<ReturnType<typeof seed>>;
  let meta: FakeCloudApi;

  const api = async (route: string) => {
    const response = await test.request.get(route).set('Authorization', `Bearer ${token}`);
    expect(response.status, `${route}: ${JSON.stringify(response.body)}`).toBe(200);
    return response.body;
  };
  /** The admin scrolls inside its own layout, so a full-page shot needs a viewport as tall as the content. */
  const shoot = async (name: string, height = 1000) => {
    const file = path.join(SCREENSHOTS, `${name}.png`);
    await page.setViewportSize({ width: 1440, height });
    await page.screenshot({ path: file });
    await page.setViewportSize({ width: 1440, height: 1000 });
    return file;
  };
  const text = async (testId: string) => (await page.getByTestId(testId).first().innerText()).trim();
  // textContent, not innerText: badges are upper-cased by CSS.
  const statusOf = async (row: ReturnType<Page['getByTestId']>) => (await row.getByTestId('broadcast-status').textContent())?.trim();
  const open = async (view: string) => {
    await page.goto(`${baseUrl}/admin/plugins/town-crier/${view}`);
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureAdminBuild();
    process.env.TOWN_CRIER_TEST_SERVE_ADMIN = 'true';
    meta = await startFakeWhatsappCloudApi({ accessToken: WHATSAPP.accessToken, phoneNumberId: WHATSAPP.phoneNumberId });
    meta.templates.splice(0, meta.templates.length, ...townTemplatesAtMeta());
    meta.setMessagingLimit('TIER_250', 'STANDARD');
    test = await bootStrapi({
      pluginConfig: {
        // Sandbox switched on: nothing is sent, the sandbox phone tab exists; the token and business
        // account only read the templates and limits from (fake) Meta.
        channels: {
          whatsapp: {
            sandbox: true,
            accessToken: WHATSAPP.accessToken,
            phoneNumberId: WHATSAPP.phoneNumberId,
            businessAccountId: meta.businessAccountId,
            baseUrl: meta.baseUrl,
            apiVersion: meta.apiVersion,
          },
        },
        inbox: { enabled: true },
        broadcast: { quietHours: quietHoursAroundNow() },
        stats: { subscriberTarget: 1557 },
      },
    });
    delete process.env.TOWN_CRIER_TEST_SERVE_ADMIN;
    await new Promise<void>((resolve) => test.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(test.strapi.server.httpServer.address() as AddressInfo).port}`;
    token = await createSuperAdmin(test);
    seeded = await seed(test);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    page.setDefaultTimeout(20_000);
    await page.goto(`${baseUrl}/admin/auth/login`);
    await page.locator('input[name="email"]').fill(ADMIN.email);
    await page.locator('input[name="password"]').fill(ADMIN.password);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => !url.pathname.includes('/auth/login'));
    // Strapi's own "what's new" banner would sit on top of every screenshot.
    await page
      .getByRole('button', { name: /close/i })
      .first()
      .click({ timeout: 5000 })
      .catch(() => undefined);
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
    await meta?.close();
  });

  it('shows the Town Crier link in the main menu and all tabs for the Super Admin', async () => {
    await page.goto(`${baseUrl}/admin`);
    await page.getByRole('link', { name: 'Town Crier' }).first().click();
    await page.waitForURL(/\/admin\/plugins\/town-crier\/overview$/);
    for (const tab of ['overview', 'broadcasts', 'inbox', 'sandbox', 'channels', 'audit']) await page.getByTestId(`tab-${tab}`).waitFor();
    // The tabs switch views inside the page.
    await page.getByTestId('tab-channels').click();
    await page.waitForURL(/\/admin\/plugins\/town-crier\/channels$/);
    await page.getByTestId('channel-whatsapp').waitFor();
    const permissions = await api('/town-crier/me/permissions');
    expect(permissions.data).toEqual({ readStats: true, manageBroadcasts: true, readSubscribers: true, managePersonalData: true, manageInbox: true, readChannels: true, readAudit: true, approveBroadcasts: true });
  });

  it('overview: the cards, breakdowns and chart show the seeded figures', async () => {
    await open('overview');
    await page.getByTestId('growth-chart').waitFor();
    expect(await text('card-active-value')).toBe(String(EXPECTED.active));
    expect(await text('card-pending-value')).toBe(String(EXPECTED.pending));
    expect(await text('card-unsubscribed-value')).toBe(String(EXPECTED.unsubscribed));
    expect(await text('card-net7-value')).toBe(EXPECTED.net7);
    expect(await text('card-net30-value')).toBe(EXPECTED.net30);
    expect(await text('card-target')).toContain(`${EXPECTED.active} of 1,557`);
    expect(await text('card-target-value')).toBe(`${Math.round((EXPECTED.active / 1557) * 100)} %`);

    const cell = (breakdown: string, key: string) => page.getByTestId(`breakdown-${breakdown}-${key}`).getByTestId('count').innerText();
    expect(await cell('channel', 'whatsapp')).toBe(String(EXPECTED.active));
    expect(await cell('topic', 'verkehr')).toBe('*');
    expect(await cell('topic', 'kultur')).toBe('<5');
    expect(await cell('source', 'website')).toBe(String(BULK + 8));
    expect(await cell('source', 'flyer')).toBe('<5');
    expect(await cell('source', 'unknown')).toBe('<5');

    const chart = page.getByTestId('growth-chart');
    expect(await chart.getAttribute('data-last-active')).toBe(String(EXPECTED.active));
    expect(await chart.getAttribute('data-signups')).toBe(String(EXPECTED.signups90));
    expect(await chart.getAttribute('data-withdrawals')).toBe(String(EXPECTED.withdrawals90));
    await expect(page.getByTestId('growth-chart-target').isVisible()).resolves.toBe(true);

    // What the page shows is what the API answers.
    const overview = (await api('/town-crier/stats/overview')).data;
    expect(overview.subscribers).toEqual({ active: EXPECTED.active, pending: EXPECTED.pending, unsubscribed: EXPECTED.unsubscribed });
    expect(await text('deliveries-sent')).toContain(String(overview.deliveries.last30Days.sent));
    const thisMonth = overview.costPerMonth.at(-1);
    expect(thisMonth.billableMessages).toBe(7);
    expect(await text(`cost-month-${thisMonth.month}`)).toMatch(/7 billable/);
    await docScreenshot(page, 'admin-cost-per-month', { element: page.getByTestId('cost-per-month').first() });

    const file = await shoot('overview', 1380);
    // The README's picture is refreshed on request only, so a test run leaves the checkout clean.
    if (process.env.UPDATE_DOCS_SCREENSHOTS) {
      mkdirSync(path.join(ROOT, 'docs/images'), { recursive: true });
      copyFileSync(file, path.join(ROOT, 'docs/images/admin-overview.png'));
    }
  });

  it('overview: far below its target the chart keeps its own scale and names the target; the period is remembered; a table holds the figures', async () => {
    // A town that aims at 100,000: with the axis up to the target its 632 would hug zero.
    const stats = (test.strapi.plugin('town-crier').service('runtime') as { config(): { stats: { subscriberTarget: number } } }).config().stats;
    const target = stats.subscriberTarget;
    stats.subscriberTarget = 100_000;
    try {
      await open('overview');
      const chart = page.getByTestId('growth-chart');
      await chart.waitFor();
      await page.getByTestId('range-30').click();
      await eventually(async () => (await page.getByTestId('growth-chart-target-label').count()) === 1);
      expect(await chart.getAttribute('data-target-on-scale')).toBe('false');
      // The axis ends just above the town's own figure, not at 100,000.
      expect(Number(await chart.getAttribute('data-axis-max'))).toBeLessThanOrEqual(1000);
      expect(await page.getByTestId('growth-chart-target-label').textContent()).toBe('Target 100,000: above this scale ↑');
      await page.getByTestId('growth-table').locator('summary').click();
      const rows = page.getByTestId('growth-table').locator('tbody tr');
      expect(await rows.count()).toBe(30);
      expect(await rows.first().locator('td').first().innerText()).toBe(String(EXPECTED.active));
      await docScreenshot(page, 'overview-far-below-target');

      // The chosen period survives a reload.
      await page.reload();
      await page.getByTestId('growth-chart').waitFor();
      expect(await page.getByTestId('range-30').getAttribute('aria-pressed')).toBe('true');
      await page.getByTestId('range-90').click();
    } finally {
      stats.subscriberTarget = target;
    }
  });

  it('overview: the CSV export downloads the aggregate figures', async () => {
    await open('overview');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-export').click()]);
    const target = path.join(ROOT, 'test-results/admin-export.csv');
    await download.saveAs(target);
    const csv = (await import('node:fs')).readFileSync(target, 'utf8');
    expect(csv).not.toContain('+49151');
    expect(csv).toContain('<5');
  });

  it('broadcasts: the list shows status, progress and why it waits; pause and resume work', async () => {
    await open('broadcasts');
    const row = page.getByTestId(`broadcast-row-${seeded.announcementDocumentId}`);
    await row.waitFor();
    expect(await statusOf(row)).toBe('Sending');
    expect(await row.getByTestId('broadcast-progress').innerText()).toBe(EXPECTED.progress);

    await row.getByTestId('action-pause').click();
    await row.getByTestId('action-resume').waitFor();
    expect(await statusOf(row)).toBe('Paused');
    expect(await row.getByTestId('broadcast-reason').innerText()).toBe('Paused by an editor');
    expect((await api(`/town-crier/broadcasts/${seeded.announcementDocumentId}`)).data.broadcastStatus).toBe('paused');
    await shoot('broadcasts-paused');

    await row.getByTestId('action-resume').click();
    await row.getByTestId('action-pause').waitFor();
    expect(await statusOf(row)).toBe('Sending');
    // Resuming hands the 3 open messages back to the workers, who find it is quiet time.
    await eventually(async () => (await row.getByTestId('broadcast-reason').innerText()).startsWith('Waiting for the end of quiet hours'), { timeoutMs: 20_000 });
    expect(await row.getByTestId('broadcast-progress').innerText()).toBe(EXPECTED.progress);
    const detail = (await api(`/town-crier/broadcasts/${seeded.announcementDocumentId}`)).data;
    expect(detail.broadcastStatus).toBe('sending');
    // The time it continues, in the plugin's one date format: two-digit day and month, four-digit year.
    expect(await row.getByTestId('broadcast-reason').innerText()).toMatch(/^Waiting for the end of quiet hours · until \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}/);
    await shoot('broadcasts');
  }, 90_000);

  it('broadcasts at 1280 px and 390 px: title, status, progress, why it waits and pause in view, no sideways scrolling', async () => {
    // A second broadcast with a long title and a long reason: the worst case for the columns.
    const long = (await test.strapi.db.query('plugin::town-crier.announcement').create({
      data: {
        title: 'Trinkwasser: Abkochgebot für die Ortsteile Ahrensbök, Dunkelsdorf, Gnissau, Holstendorf und Siblin bis auf Weiteres',
        text: 'Bitte kochen Sie Leitungswasser vor dem Trinken ab.',
        urgency: 'important',
        channels: ['whatsapp'],
        broadcastStatus: 'sending',
        statusReason: 'daily-limit',
        resumesAt: new Date(Date.now() + 5 * 3_600_000),
        recipientsCount: 632,
        sentCount: 250,
        fanOutDoneAt: new Date(),
        publishedAt: new Date(),
      },
    })) as { documentId: string };
    try {
      for (const [width, height] of [
        [1280, 900],
        [390, 844],
      ] as const) {
        await page.setViewportSize({ width, height });
        await open('broadcasts');
        const row = page.getByTestId(`broadcast-row-${long.documentId}`);
        await row.waitFor();
        // Nothing wider than the window: no sideways scrolling, in the page or in the table's box.
        const overflow = await page.evaluate(() => {
          const wide = [...document.querySelectorAll('[data-testid="broadcasts-panel"] *')].filter(
            (element) => element.scrollWidth > element.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(element).overflowX)
          );
          return { page: document.documentElement.scrollWidth, scrollers: wide.length };
        });
        expect(overflow.page, `${width} px`).toBeLessThanOrEqual(width);
        expect(overflow.scrollers, `${width} px`).toBe(0);
        for (const testId of ['broadcast-status', 'broadcast-progress', 'broadcast-reason', 'action-pause']) {
          const box = await row.getByTestId(testId).boundingBox();
          expect(box, `${testId} at ${width} px`).not.toBeNull();
          expect(box!.x + box!.width, `${testId} at ${width} px`).toBeLessThanOrEqual(width);
        }
        expect(await row.getByRole('link').first().innerText()).toContain('Trinkwasser: Abkochgebot');
        expect(await row.getByTestId('broadcast-reason').innerText()).toContain('Waiting for the daily reach limit · until');
        await docScreenshot(page, `broadcasts-${width}`);
      }
      expect(await seriousViolations(page, 'main')).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1440, height: 1000 });
      await test.strapi.db.query('plugin::town-crier.announcement').delete({ where: { documentId: long.documentId } });
    }
  }, 90_000);

  it('every Town Crier view passes axe-core without a serious or critical violation', async () => {
    const views = ['overview', 'broadcasts', `broadcasts/${seeded.announcementDocumentId}`, 'inbox', 'sandbox', 'channels'];
    const found: Record<string, unknown> = {};
    for (const view of views) {
      await open(view);
      await page.getByTestId(view === 'overview' ? 'growth-chart' : view === 'broadcasts' ? 'broadcasts-panel' : view === 'inbox' ? 'inbox-panel' : view === 'sandbox' ? 'sandbox-banner' : view === 'channels' ? 'channel-whatsapp' : 'broadcast-detail').first().waitFor();
      const violations = await seriousViolations(page, 'main');
      if (violations.length) found[view] = violations;
    }
    expect(found).toEqual({});
  }, 90_000);

  it('broadcast detail: failures grouped by code with explanations', async () => {
    await open(`broadcasts/${seeded.announcementDocumentId}`);
    await page.getByTestId('broadcast-detail').waitFor();
    expect(await text('detail-title')).toBe('Vollsperrung der Hauptstraße');
    expect(await text('detail-recipients-value')).toBe('12');
    expect(await text('detail-failed-value')).toBe('2');
    expect(await text('detail-waiting')).toMatch(/^Waiting for the end of quiet hours · until /);
    const detail = (await api(`/town-crier/broadcasts/${seeded.announcementDocumentId}`)).data;
    for (const code of ['131026', '131049']) {
      const row = page.getByTestId(`failure-${code}`);
      await row.waitFor();
      const group = detail.failuresByCode.find((entry: { code: string }) => entry.code === code);
      expect(group.count).toBe(1);
      expect(await row.innerText()).toContain(group.explanations.en);
    }
    expect(detail.cost).toMatchObject({ billableMessages: 7, byCategory: [{ category: 'marketing', messages: 7 }] });
    expect(await text('detail-cost-total')).toMatch(/^7 billable messages, about €0\.79/);
    await shoot('broadcast-detail', 1250);
  });

  it('sandbox phone: shows the confirmation with its button; tapping it and typing STOP act as the citizen', async () => {
    const citizen = '+4916099887766';
    const signup = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'whatsapp', address: citizen, consent: { accepted: true, version: '2026-01' } });
    expect(signup.status).toBe(202);
    const subscriber = () => test.strapi.db.query('plugin::town-crier.subscriber').findOne({ where: { address: citizen } }) as Promise<{ status: string } | null>;

    await open('sandbox');
    await page.getByTestId('sandbox-banner').waitFor();
    await page.getByLabel('Phone number').fill(citizen);
    await page.getByTestId('sandbox-open').click();
    const button = page.getByTestId('sandbox-button').first();
    await button.waitFor();
    // The opt-in as citizens read it: Meta's German text, footer and button label, not "[town_news_optin]".
    const bubble = page.getByTestId('sandbox-bubble').first();
    expect(await bubble.getByTestId('whatsapp-text').innerText()).toBe(
      'Sie haben sich für die Nachrichten der Stadt Musterstadt angemeldet. Bitte bestätigen Sie mit dem Knopf unten. Wenn Sie das nicht waren, ignorieren Sie diese Nachricht einfach.'
    );
    expect(await bubble.getByTestId('whatsapp-footer').innerText()).toBe('Stadt Musterstadt · Rathausplatz 1');
    expect(await button.innerText()).toBe('Ja, anmelden');
    // Meta's own wording: no "not confirmed by Meta" note.
    expect(await bubble.getByTestId('whatsapp-unconfirmed').count()).toBe(0);
    await shoot('sandbox-phone');
    await docScreenshot(page, 'sandbox-phone-template');

    await button.click();
    await eventually(async () => (await subscriber())?.status === 'active');
    await page.getByTestId('sandbox-input').fill('STOP');
    await page.getByTestId('sandbox-input').press('Enter');
    await eventually(async () => (await subscriber())?.status === 'unsubscribed');
    // The STOP receipt arrives on the phone like any other message.
    await eventually(async () => (await page.getByTestId('sandbox-bubble').count()) >= 3);
    await shoot('sandbox-phone-stop');
  }, 60_000);

  it('inbox: lists the citizen’s message, answers with a canned reply and marks it handled', async () => {
    await open('inbox');
    const message = page.getByText('Gilt die Sperrung auch für Radfahrer?');
    await message.waitFor();
    // The sender's number is masked.
    expect(await page.getByTestId('inbox-panel').innerText()).not.toContain(phone(0));
    await shoot('inbox');
    const item = page.locator('[data-testid^="inbox-message-"]').filter({ hasText: 'Gilt die Sperrung' });
    await item.getByTestId('inbox-reply').click();
    const inbox = await api('/town-crier/inbox?status=open');
    const canned = inbox.meta.cannedReplies[0];
    await item.getByRole('button', { name: canned.label }).click();
    await item.getByRole('button', { name: 'Send answer' }).click();
    await eventually(async () => (await api('/town-crier/inbox?status=open')).data.length === 0);
    const outbox = await test.strapi.db.query('plugin::town-crier.outbox-message').findMany({ where: { toAddress: phone(0) } });
    expect(JSON.stringify(outbox.map((row: { body: unknown }) => row.body))).toContain(canned.text.slice(0, 20));
  }, 60_000);

  it('channel status: sandbox warning, configuration and problems in red', async () => {
    await open('channels');
    const card = page.getByTestId('channel-whatsapp');
    await card.waitFor();
    await expect(card.getByTestId('channel-sandbox-warning').isVisible()).resolves.toBe(true);
    const channels = (await api('/town-crier/channels')).data;
    const whatsapp = channels.find((channel: { id: string }) => channel.id === 'whatsapp');
    expect(await card.getByTestId('channel-mode').innerText()).toBe('Sandbox');
    // The server names the problem by code; the admin words it.
    expect(whatsapp.issues).toEqual([{ code: 'sandbox-switched-on' }]);
    expect(await card.getByTestId('channel-problems').innerText()).toBe('⚠ Sandbox mode is switched on: nothing is sent.');
    // Switched-off channels carry no sandbox alarm.
    for (const off of ['email', 'telegram']) {
      const offCard = page.getByTestId(`channel-${off}`);
      await offCard.getByTestId('channel-off').waitFor();
      expect(await offCard.getByTestId('channel-sandbox-warning').count()).toBe(0);
      expect(await offCard.getByTestId('channel-mode').count()).toBe(0);
    }
    expect(await card.getByTestId('channel-daily-limit').innerText()).toContain(`${whatsapp.usedLast24h}`);
    await shoot('channels');
  });

  it('channel status: what Meta has — templates with status and category, the paused one as a problem, tier and Graph API version', async () => {
    // Read from (fake) Meta at startup.
    const account = await eventually(async () => {
      const whatsapp = ((await api('/town-crier/channels')).data as Array<{ id: string; whatsapp?: { fetchedAt: string | null } }>).find((channel) => channel.id === 'whatsapp');
      return whatsapp?.whatsapp?.fetchedAt ? whatsapp.whatsapp : undefined;
    });
    expect(account).toMatchObject({ messagingLimit: { tier: 'TIER_250', dailyLimit: 250, throughputLevel: 'STANDARD' } });
    await open('channels');
    const panel = page.getByTestId('whatsapp-account');
    await panel.waitFor();
    expect(await panel.getByTestId('whatsapp-template-town_news').innerText()).toMatch(/town_news\s+de\s+PAUSED\s+MARKETING/);
    expect(await panel.getByTestId('whatsapp-template-town_news_optin').innerText()).toMatch(/town_news_optin\s+de\s+APPROVED\s+UTILITY/);
    expect(await panel.getByTestId('whatsapp-account-problems').innerText()).toContain('Meta paused the template “town_news” for low quality');
    expect(await panel.getByTestId('whatsapp-tier').innerText()).toContain('TIER_250: 250 citizens per 24 h');
    expect(await panel.getByTestId('whatsapp-api-version').innerText()).toMatch(/v\d+\.0/);
    await docScreenshot(page, 'channel-whatsapp-meta', { element: page.getByTestId('channel-whatsapp') });
  });

  it('a role with only stats.read sees the menu link and the overview tab, and no other tab', async () => {
    const admin = (method: 'post' | 'put', route: string, body: object) => test.request[method](route).set('Authorization', `Bearer ${token}`).send(body);
    const role = await admin('post', '/admin/roles', { name: 'Statistik', description: 'Reads the statistics only' });
    expect(role.status).toBe(201);
    const permissions = await admin('put', `/admin/roles/${role.body.data.id}/permissions`, {
      permissions: [{ action: 'plugin::town-crier.stats.read', subject: null, conditions: [], properties: {} }],
    });
    expect(permissions.status).toBe(200);
    const user = await admin('post', '/admin/users', { firstname: 'Stella', lastname: 'Statistik', email: 'stats@musterstadt.test', roles: [role.body.data.id] });
    expect(user.status).toBe(201);
    const registered = await test.request
      .post('/admin/register')
      .send({ registrationToken: user.body.data.registrationToken, userInfo: { firstname: 'Stella', lastname: 'Statistik', password: 'Stats-Password-1234' } });
    expect(registered.status).toBe(200);
    const statsToken = registered.body.data.token as string;
    const mine = await test.request.get('/town-crier/me/permissions').set('Authorization', `Bearer ${statsToken}`);
    expect(mine.body.data).toEqual({ readStats: true, manageBroadcasts: false, readSubscribers: false, managePersonalData: false, manageInbox: false, readChannels: false, readAudit: false, approveBroadcasts: false });
    const forbidden = await test.request.get('/town-crier/broadcasts').set('Authorization', `Bearer ${statsToken}`);
    expect(forbidden.status).toBe(403);

    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    try {
      const statsPage = await context.newPage();
      statsPage.setDefaultTimeout(20_000);
      await statsPage.goto(`${baseUrl}/admin/auth/login`);
      await statsPage.locator('input[name="email"]').fill('stats@musterstadt.test');
      await statsPage.locator('input[name="password"]').fill('Stats-Password-1234');
      await statsPage.locator('button[type="submit"]').click();
      await statsPage.waitForURL((url) => !url.pathname.includes('/auth/login'));
      await statsPage.getByRole('link', { name: 'Town Crier' }).first().click();
      await statsPage.waitForURL(/\/admin\/plugins\/town-crier\/overview$/);
      await statsPage.getByTestId('card-active').waitFor();
      await statsPage.getByTestId('tab-overview').waitFor();
      for (const tab of ['broadcasts', 'inbox', 'sandbox', 'channels', 'audit']) expect(await statsPage.getByTestId(`tab-${tab}`).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('speaks German when the admin is set to German', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    try {
      await context.addInitScript(() => window.localStorage.setItem('strapi-admin-language', 'de'));
      const german = await context.newPage();
      german.setDefaultTimeout(20_000);
      await german.goto(`${baseUrl}/admin/auth/login`);
      await german.locator('input[name="email"]').fill(ADMIN.email);
      await german.locator('input[name="password"]').fill(ADMIN.password);
      await german.locator('button[type="submit"]').click();
      await german.waitForURL((url) => !url.pathname.includes('/auth/login'));
      await german
        .getByRole('button', { name: /close|schließen/i })
        .first()
        .click({ timeout: 5000 })
        .catch(() => undefined);
      await german.goto(`${baseUrl}/admin/plugins/town-crier/overview`);
      await german.getByTestId('growth-chart').waitFor();
      expect(await german.getByTestId('tab-overview').textContent()).toBe('Übersicht');
      expect(await german.getByTestId('tab-channels').textContent()).toBe('Kanalstatus');
      expect((await german.getByTestId('card-unsubscribed').textContent())?.startsWith('Abgemeldet')).toBe(true);
      expect(await german.getByTestId('card-target').innerText()).toContain('von 1.557');
      expect(await german.getByTestId('breakdown-topic-*').innerText()).toContain('Alle Meldungen (kein Thema gewählt)');
      await german.setViewportSize({ width: 1440, height: 1380 });
      await german.screenshot({ path: path.join(SCREENSHOTS, 'overview-de.png') });
      await german.setViewportSize({ width: 1440, height: 1000 });

      // No English on any Town Crier view: no English message of en.json (other than words German
      // shares) and none of the API's English channel problems.
      const english = (Object.entries(en) as Array<[keyof typeof de, string]>)
        .filter(([id, text]) => de[id] !== text && text.length >= 8)
        // A message with placeholders is checked by its longest fixed part.
        .map(([, text]) => text.split(/\{[^}]*\}/).sort((a, b) => b.length - a.length)[0].trim())
        .filter((fragment) => fragment.length >= 8);
      expect(english.length).toBeGreaterThan(100);
      const problems = ((await api('/town-crier/channels')).data as Array<{ problems: string[] }>).flatMap((channel) => channel.problems);
      expect(problems.length).toBeGreaterThan(0);
      const found: Record<string, string[]> = {};
      for (const view of ['overview', 'broadcasts', `broadcasts/${seeded.announcementDocumentId}`, 'inbox', 'sandbox', 'channels']) {
        await german.goto(`${baseUrl}/admin/plugins/town-crier/${view}`);
        await german.getByTestId('tab-overview').waitFor();
        await german.waitForLoadState('networkidle').catch(() => undefined);
        const shown = await german.locator('main').innerText();
        const hits = [...english, ...problems].filter((phrase) => shown.includes(phrase));
        if (hits.length) found[view] = hits;
      }
      expect(found).toEqual({});
      await german.goto(`${baseUrl}/admin/plugins/town-crier/broadcasts/${seeded.announcementDocumentId}`);
      expect(await german.getByTestId('failure-131026').innerText()).toContain('Die Nummer kann keine WhatsApp-Nachrichten empfangen');
      await german.goto(`${baseUrl}/admin/plugins/town-crier/channels`);
      expect(await german.getByTestId('channel-whatsapp').getByTestId('channel-problems').innerText()).toBe('⚠ Der Sandbox-Modus ist eingeschaltet: Es wird nichts gesendet.');
      // Meta's problems in German: the paused news template.
      expect(await german.getByTestId('whatsapp-account-problems').innerText()).toContain('Meta hat die Vorlage „town_news“ wegen schlechter Bewertungen pausiert');
      await docScreenshot(german, 'channel-whatsapp-meta-de', { element: german.getByTestId('channel-whatsapp') });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('content manager: the side panel says what Publish will do, then follows the broadcast', async () => {
    const article = (await test.strapi.documents('api::article.article' as never).create({
      data: { title: 'Baustelle am Schulweg', summary: 'Ab Montag ist der Schulweg halbseitig gesperrt.', slug: 'baustelle-schulweg', topic: 'Verkehr' },
    } as never)) as { documentId: string };
    const preview = (await api(`/town-crier/preview?uid=api::article.article&documentId=${article.documentId}`)).data;
    expect(preview.broadcasts).toBe(true);
    expect(preview.topic.name).toBe('Verkehr');

    await page.goto(`${baseUrl}/admin/content-manager/collection-types/api::article.article/${article.documentId}`);
    const summary = page.getByTestId('town-crier-panel-summary');
    await summary.waitFor();
    expect(await summary.innerText()).toBe(`Publishing sends this to ${preview.recipients.total} subscribers on WhatsApp, topic Verkehr.`);
    const whatsappLimit = preview.dailyLimit.whatsapp;
    // 250 a day by default, and the town has more subscribers than that.
    expect(whatsappLimit.later).toBeGreaterThan(0);
    expect(await page.getByTestId('town-crier-panel-limit').innerText()).toBe(
      `WhatsApp: ${whatsappLimit.sendableNow} today, the other ${whatsappLimit.later} tomorrow because of the daily limit.`
    );
    expect(await page.getByTestId('town-crier-panel-form').innerText()).toBe('Counted from the form as it is now, unsaved changes included.');
    // The WhatsApp message as citizens will read it: the news template's header, text and footer as Meta has them.
    const message = page.getByTestId('town-crier-panel-whatsapp');
    expect(await message.getByTestId('whatsapp-header').innerText()).toBe('Aus dem Rathaus');
    expect(await message.getByTestId('whatsapp-text').innerText()).toBe(
      'Neues aus Musterstadt: Baustelle am Schulweg\n\nAb Montag ist der Schulweg halbseitig gesperrt.\n\nMehr dazu auf unserer Website. Abmelden: STOP'
    );
    expect(await message.getByTestId('whatsapp-footer').innerText()).toBe('Stadt Musterstadt');
    await shoot('content-manager-panel');

    // The editor changes the topic and the urgency without saving: the panel follows the form.
    const kultur = (await api(`/town-crier/preview?uid=api::article.article&documentId=${article.documentId}&topic=Kultur`)).data;
    expect(kultur.recipients.total).not.toBe(preview.recipients.total);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('input[name="topic"]').fill('Kultur');
    await eventually(async () => (await summary.innerText()) === `Publishing sends this to ${kultur.recipients.total} subscribers on WhatsApp, topic Kultur.`);
    await page.getByRole('combobox', { name: 'urgency' }).click();
    await page.getByRole('option', { name: 'emergency' }).click();
    await page.getByTestId('town-crier-panel-urgency').waitFor();
    expect(await page.getByTestId('town-crier-panel-urgency').innerText()).toBe('Emergency: it goes out at once, also during quiet hours.');
    await page.getByRole('heading', { level: 1 }).first().scrollIntoViewIfNeeded();
    await docScreenshot(page, 'side-panel-1280');
    expect(await seriousViolations(page, '[data-testid="town-crier-panel"]')).toEqual([]);
    // On a phone the content manager keeps its side panels in a drawer under the form.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Open more actions' }).click();
    await summary.scrollIntoViewIfNeeded();
    await eventually(async () => (await summary.innerText()) === `Publishing sends this to ${kultur.recipients.total} subscribers on WhatsApp, topic Kultur.`);
    await docScreenshot(page, 'side-panel-390');
    await page.getByRole('button', { name: 'Close more actions' }).click();
    await page.setViewportSize({ width: 1440, height: 1000 });
    // Back to the saved topic and to plain news before publishing, so the broadcast below is the one previewed first.
    await page.getByRole('combobox', { name: 'urgency' }).click();
    await page.getByRole('option', { name: 'info' }).click();
    await page.locator('input[name="topic"]').fill('Verkehr');
    await eventually(async () => (await summary.innerText()) === `Publishing sends this to ${preview.recipients.total} subscribers on WhatsApp, topic Verkehr.`);

    await page.getByRole('button', { name: 'Publish' }).first().click();
    const follow = page.getByRole('link', { name: 'Follow the broadcast' });
    await follow.waitFor({ timeout: 30_000 });
    await shoot('content-manager-panel-published');
    await follow.click();
    await page.getByTestId('broadcast-detail').waitFor();
    expect(await text('detail-title')).toBe('Baustelle am Schulweg');
  }, 90_000);
  it('broadcasts: a warning with its update and all-clear is one story, in the list and in the detail (#13)', async () => {
    const create = (data: Record<string, unknown>) =>
      test.strapi.db.query('plugin::town-crier.announcement').create({
        data: { channels: ['whatsapp'], fanOutDoneAt: new Date(), publishedAt: new Date(), text: '-', ...data },
      }) as Promise<{ documentId: string }>;
    const counters = (recipients: number, sent: number, delivered: number, read: number) => ({ recipientsCount: recipients, sentCount: sent, deliveredCount: delivered, readCount: read });
    const warning = await create({ title: 'Sturmwarnung: Orkanböen bis 120 km/h', urgency: 'emergency', broadcastStatus: 'sent', ...counters(212, 212, 205, 188) });
    const update = await create({ title: 'B 432 bleibt bis 18 Uhr gesperrt', urgency: 'emergency', broadcastStatus: 'sent', updateOf: warning.documentId, followUpKind: 'update', ...counters(209, 209, 201, 160) });
    const allClear = await create({ title: 'Sturm vorüber, alle Straßen frei', urgency: 'emergency', broadcastStatus: 'sent', updateOf: warning.documentId, followUpKind: 'all-clear', ...counters(208, 208, 190, 97) });

    await open('broadcasts');
    const story = page.getByTestId(`broadcast-row-${warning.documentId}`);
    await story.waitFor();
    // The follow-ups are rows under the warning, not stories of their own.
    expect(await page.getByTestId(`broadcast-row-${allClear.documentId}`).count()).toBe(0);
    const allClearRow = page.getByTestId(`broadcast-follow-up-${allClear.documentId}`);
    expect((await allClearRow.getByTestId('follow-up-label').textContent())?.trim()).toBe('All-clear');
    expect((await page.getByTestId(`broadcast-follow-up-${update.documentId}`).getByTestId('follow-up-label').textContent())?.trim()).toBe('Update');
    const top = await story.boundingBox();
    const below = await allClearRow.boundingBox();
    expect(below!.y).toBeGreaterThan(top!.y);
    await docScreenshot(page, 'broadcasts-thread');

    await allClearRow.getByRole('link', { name: 'Sturm vorüber, alle Straßen frei' }).click();
    await page.getByTestId('detail-thread').waitFor();
    const parts = await page.getByTestId('detail-thread').locator('li').allInnerTexts();
    expect(parts.map((part) => part.split('\n').filter(Boolean).slice(0, 2).join(' | '))).toEqual([
      'ORIGINAL | Sturmwarnung: Orkanböen bis 120 km/h',
      'UPDATE | B 432 bleibt bis 18 Uhr gesperrt',
      'ALL-CLEAR | Sturm vorüber, alle Straßen frei',
    ]);
    expect(await seriousViolations(page, '[data-testid="detail-thread"]')).toEqual([]);
    // Not for the docs: the detail recounts the seeded rows from their (absent) deliveries.
    await page.getByTestId('detail-thread').scrollIntoViewIfNeeded();
    await shoot('broadcast-thread-detail');
  }, 90_000);
});
