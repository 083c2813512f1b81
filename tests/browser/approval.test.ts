/**
 * Four-eyes approval in the built admin, in German, in Debian's Chromium (#27): the content
 * manager's side panel says before Publish that the news needs a second person's approval, why,
 * and who can give it; the broadcast list shows it waiting with Approve and Reject for another
 * admin, at 1280 px and 390 px, axe clean; the approval sends it. Screenshots for docs/admin-ui.md
 * (docs/images/ with UPDATE_DOCS_SCREENSHOTS=1). WhatsApp runs in sandbox mode: nothing leaves.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { ensureAdminBuild } from '../support/admin-build';
import { germanAdminPage, launchChromium } from '../support/chromium';
import { seriousViolations } from '../support/axe';
import { docScreenshot } from '../support/screenshots';

const ARTICLE = 'api::article.article';
const PASSWORD = 'Test-Password-1234';
const ARTICLE_FIELDS = ['title', 'summary', 'body', 'slug', 'topic', 'ortsteile', 'urgency', 'silent'];

describe('four-eyes approval in the admin, in German', () => {
  let test: TestStrapi;
  let browser: Browser;
  let baseUrl = '';
  const contexts: BrowserContext[] = [];
  let erikToken = '';

  /** A German admin session in its own browser context. */
  const germanPage = async (email: string): Promise<Page> => {
    const page = await germanAdminPage(browser, baseUrl, { email, password: PASSWORD });
    contexts.push(page.context());
    return page;
  };

  beforeAll(async () => {
    await ensureAdminBuild();
    process.env.TOWN_CRIER_TEST_SERVE_ADMIN = 'true';
    test = await bootStrapi({
      pluginConfig: {
        channels: { whatsapp: { sandbox: true } },
        town: { villages: [{ name: 'Altstadt', slug: 'altstadt' }, { name: 'Mühlenfeld', slug: 'muehlenfeld' }] },
        contentTypes: { [ARTICLE]: { villages: 'ortsteile' } },
        broadcast: { approval: { enabled: true, aboveRecipients: 2 } },
      },
    });
    delete process.env.TOWN_CRIER_TEST_SERVE_ADMIN;
    await new Promise<void>((resolve) => test.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(test.strapi.server.httpServer.address() as AddressInfo).port}`;
    await createSuperAdmin(test);

    const roles = test.strapi.service('admin::role') as {
      create(data: Record<string, unknown>): Promise<{ id: number }>;
      assignPermissions(id: number, permissions: Array<Record<string, unknown>>): Promise<unknown>;
    };
    const role = await roles.create({ name: 'Redaktion', description: 'Schreibt und veröffentlicht Nachrichten' });
    await roles.assignPermissions(role.id, [
      ...['create', 'read', 'update', 'publish'].map((action) => ({
        action: `plugin::content-manager.explorer.${action}`,
        subject: ARTICLE,
        properties: action === 'publish' ? {} : { fields: ARTICLE_FIELDS },
        conditions: [],
      })),
      ...['broadcasts.manage', 'broadcasts.approve'].map((action) => ({ action: `plugin::town-crier.${action}`, subject: null, properties: {}, conditions: [] })),
    ]);
    const users = test.strapi.service('admin::user') as { create(data: Record<string, unknown>): Promise<{ id: number }> };
    await users.create({ email: 'erik@musterstadt.test', firstname: 'Erik', lastname: 'Editor', password: PASSWORD, isActive: true, registrationToken: null, roles: [role.id] });
    erikToken = (await test.request.post('/admin/login').send({ email: 'erik@musterstadt.test', password: PASSWORD })).body.data.token;

    for (const [index, villages] of [['altstadt'], ['muehlenfeld'], []].entries()) {
      await test.strapi.db.query('plugin::town-crier.subscriber').create({
        data: { channel: 'whatsapp', address: `+49151300000${index}`, status: 'active', topics: [], villages: villages.length ? `|${villages.join('|')}|` : null, confirmedAt: new Date(), locale: 'de' },
      });
    }
    browser = await launchChromium();
  }, 420_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await test?.close();
  });

  it('the side panel says before Publish that a second person must approve, why, and who can (1280 px and 390 px)', async () => {
    const article = (await test.strapi.documents(ARTICLE as never).create({
      data: { title: 'Neue Öffnungszeiten im Bürgerbüro', summary: 'Ab Montag auch donnerstags bis 18 Uhr.', slug: 'oeffnungszeiten' },
    } as never)) as { documentId: string };
    const page = await germanPage('erik@musterstadt.test');
    await page.goto(`${baseUrl}/admin/content-manager/collection-types/${ARTICLE}/${article.documentId}`);
    const approval = page.getByTestId('town-crier-panel-approval');
    await approval.waitFor();
    expect(await approval.innerText()).toBe(
      'Braucht eine Freigabe: Eine zweite Person muss freigeben, bevor sie rausgeht (die Regeln der Stadt verlangen das).\nFreigeben können: Ada Admin.'
    );
    await page.getByRole('heading', { level: 1 }).first().scrollIntoViewIfNeeded();
    await docScreenshot(page, 'approval-side-panel-1280');
    expect(await seriousViolations(page, '[data-testid="town-crier-panel"]')).toEqual([]);

    await page.setViewportSize({ width: 390, height: 844 });
    // The content manager's drawer button has no German text in Strapi's catalogue.
    await page.getByRole('button', { name: 'Open more actions' }).click();
    await approval.scrollIntoViewIfNeeded();
    await docScreenshot(page, 'approval-side-panel-390');
    expect(await seriousViolations(page, '[data-testid="town-crier-panel"]')).toEqual([]);
  }, 120_000);

  it('the list shows it awaiting approval; another admin approves it in German at 1280 px and 390 px, and it goes out', async () => {
    // Erik publishes in the content manager (as himself: the request's admin is the publisher).
    const published = await test.request
      .post(`/content-manager/collection-types/${ARTICLE}/actions/publish`)
      .set('Authorization', `Bearer ${erikToken}`)
      .send({ title: 'Sperrung der Hauptstraße', summary: 'Am Samstag ist die Hauptstraße von 8 bis 14 Uhr gesperrt.', slug: 'sperrung-hauptstrasse' });
    expect(published.status).toBeLessThan(300);
    const row = await eventually(async () =>
      (await test.strapi.db.query('plugin::town-crier.announcement').findOne({ where: { title: 'Sperrung der Hauptstraße', publishedAt: { $notNull: true }, broadcastStatus: { $notNull: true } } })) as {
        documentId: string;
        statusReason: string | null;
      } | null
    );
    expect(row.statusReason).toBe('awaiting-approval:rule');

    // The publisher sees why there is no approve button for them.
    const erik = await germanPage('erik@musterstadt.test');
    await erik.goto(`${baseUrl}/admin/plugins/town-crier/broadcasts`);
    const erikRow = erik.getByTestId(`broadcast-row-${row.documentId}`);
    await erikRow.getByTestId('approval-own').waitFor();
    expect(await erikRow.getByTestId('approval-own').innerText()).toBe('Sie haben sie veröffentlicht: Eine zweite Person muss sie freigeben.');
    expect(await erikRow.getByTestId('action-approve').count()).toBe(0);
    expect(await erikRow.getByTestId('action-resume').count()).toBe(0);

    const ada = await germanPage('admin@musterstadt.test');
    await ada.goto(`${baseUrl}/admin/plugins/town-crier/broadcasts`);
    const adaRow = ada.getByTestId(`broadcast-row-${row.documentId}`);
    await adaRow.getByTestId('action-approve').waitFor();
    expect(await adaRow.getByTestId('broadcast-reason').innerText()).toBe(
      'Wartet auf Freigabe: Eine zweite Person muss freigeben, bevor sie rausgeht (die Regeln der Stadt verlangen das)'
    );
    expect(await adaRow.getByTestId('broadcast-approval').innerText()).toBe('Veröffentlicht von Erik Editor; eine andere Person muss freigeben');
    await docScreenshot(ada, 'approval-list-1280');
    expect(await seriousViolations(ada, 'main')).toEqual([]);
    await ada.setViewportSize({ width: 390, height: 844 });
    // A phone gets cards instead of the table: the row found at 1280 px is replaced, so wait for the cards first.
    await ada.getByTestId('broadcasts-cards').waitFor();
    await adaRow.getByTestId('action-approve').scrollIntoViewIfNeeded();
    await docScreenshot(ada, 'approval-list-390');
    expect(await seriousViolations(ada, 'main')).toEqual([]);
    const scrollsSideways = await ada.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    expect(scrollsSideways).toBe(false);

    await adaRow.getByTestId('action-approve').click();
    await ada.getByTestId('approval-note').fill('Mit dem Ordnungsamt abgestimmt');
    // The dialog fades in: axe would measure the contrast of its first frames.
    await ada.waitForFunction(() => document.getAnimations().every((animation) => animation.playState !== 'running'));
    await docScreenshot(ada, 'approval-dialog-390');
    expect(await seriousViolations(ada, '[role="dialog"]')).toEqual([]);
    await ada.getByTestId('action-approval-confirm').click();
    await eventually(async () => (await adaRow.getByTestId('broadcast-approval').innerText()) === 'Freigegeben von Ada Admin „Mit dem Ordnungsamt abgestimmt“', { timeoutMs: 20_000 });
    await eventually(async () => {
      const now = (await test.strapi.db.query('plugin::town-crier.announcement').findOne({ where: { documentId: row.documentId, publishedAt: { $notNull: true } } })) as { broadcastStatus: string };
      return now.broadcastStatus === 'sent';
    });
  }, 120_000);
});
