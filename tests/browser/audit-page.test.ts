/**
 * The audit log page ("Protokoll") in Debian's Chromium, in German: the events an admin made
 * through the admin API are listed with German action names, the action filter narrows the list,
 * the CSV download holds no citizen's number, and the page passes axe at 1280 px and 390 px with
 * nothing wider than the window. Screenshots: test-results/screenshots/audit-log-*.png (copied to
 * docs/images with UPDATE_DOCS_SCREENSHOTS=1).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { ensureAdminBuild } from '../support/admin-build';
import { seedSubscriber } from '../support/seed';
import { germanAdminPage, launchChromium } from '../support/chromium';
import { seriousViolations } from '../support/axe';
import { docScreenshot, SCREENSHOTS } from '../support/screenshots';

const ROOT = path.resolve(__dirname, '../..');
const ADMIN = { email: 'admin@musterstadt.test', password: 'Test-Password-1234' };
const CITIZEN = '+4915122334455';
const DAY = 86_400_000;

describe('audit log page', () => {
  let test: TestStrapi;
  let browser: Browser;
  let page: Page;
  let baseUrl = '';
  let token = '';

  const admin = (method: 'get' | 'post', route: string, body?: object) => {
    const request = test.request[method](route).set('Authorization', `Bearer ${token}`);
    return body ? request.send(body) : request;
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureAdminBuild();
    process.env.TOWN_CRIER_TEST_SERVE_ADMIN = 'true';
    test = await bootStrapi({ pluginConfig: { channels: { whatsapp: { accessToken: '' } } } });
    delete process.env.TOWN_CRIER_TEST_SERVE_ADMIN;
    await new Promise<void>((resolve) => test.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(test.strapi.server.httpServer.address() as AddressInfo).port}`;
    token = await createSuperAdmin(test);

    // The trail, made as an admin makes it: a publish in the content manager, pause, resume, an export and an erasure.
    const citizen = await seedSubscriber(test, CITIZEN);
    const published = await admin('post', '/content-manager/collection-types/plugin::town-crier.announcement/actions/publish', {
      title: 'Sperrung der Brücke am Mühlenteich wegen Bauarbeiten bis Ende des Monats',
      text: 'Die Brücke am Mühlenteich ist gesperrt.',
      sendAt: new Date(Date.now() + DAY).toISOString(),
    });
    expect(published.status).toBe(200);
    const documentId = published.body.data.documentId as string;
    await eventually(async () => (await test.strapi.db.query('plugin::town-crier.broadcast-run').count({ where: { announcementDocumentId: documentId, state: 'scheduled' } })) > 0);
    expect((await admin('post', `/town-crier/broadcasts/${documentId}/pause`)).status).toBe(200);
    expect((await admin('post', `/town-crier/broadcasts/${documentId}/resume`)).status).toBe(200);
    expect((await admin('get', `/town-crier/subscribers/${citizen}/export`)).status).toBe(200);
    expect((await admin('post', `/town-crier/subscribers/${citizen}/erase`)).status).toBe(200);
    expect((await admin('get', '/town-crier/audit')).body.meta.pagination.total).toBe(5);

    browser = await launchChromium();
    page = await germanAdminPage(browser, baseUrl, ADMIN, { acceptDownloads: true });
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
  });

  it('lists who did what in German, and the action filter narrows it', async () => {
    await page.goto(`${baseUrl}/admin/plugins/town-crier/audit`);
    await page.getByTestId('audit-table').waitFor();
    expect(await page.getByTestId('tab-audit').textContent()).toBe('Protokoll');
    const table = await page.getByTestId('audit-table').innerText();
    for (const words of ['Veröffentlicht', 'Angehalten', 'Fortgesetzt', 'Daten einer Person exportiert', 'Daten einer Person gelöscht', 'Ada Admin', 'Sperrung der Brücke', 'Bürger/in Nr.']) {
      expect(table, words).toContain(words);
    }
    expect(table).not.toContain(CITIZEN);

    // The whole log as CSV (no filter yet): the citizen's export and erasure are in it, their number is not.
    const [whole] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv-export').click()]);
    const wholeFile = path.join(ROOT, 'test-results/audit-log-export-all.csv');
    await whole.saveAs(wholeFile);
    const wholeCsv = readFileSync(wholeFile, 'utf8');
    expect(wholeCsv.trim().split('\r\n')).toHaveLength(6);
    expect(wholeCsv).toContain('subscriber-erased');
    expect(wholeCsv).not.toContain(CITIZEN.slice(3));
    expect(await page.locator('[data-testid^="audit-row-"]').count()).toBe(5);

    await page.getByRole('combobox', { name: 'Aktion' }).click();
    await page.getByRole('option', { name: 'Angehalten' }).click();
    await eventually(async () => (await page.locator('[data-testid^="audit-row-"]').count()) === 1);
    expect(await page.locator('[data-testid^="audit-row-"]').first().innerText()).toContain('Angehalten');

    // The CSV holds what the filter shows, without the citizen's number.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv-export').click()]);
    const target = path.join(ROOT, 'test-results/audit-log-export.csv');
    await download.saveAs(target);
    const csv = readFileSync(target, 'utf8');
    expect(csv.trim().split('\r\n')).toHaveLength(2);
    expect(csv).toContain('paused');
    expect(csv).not.toContain(CITIZEN.slice(3));
  });

  it('fits and passes axe at 1280 px and 390 px', async () => {
    for (const [width, height] of [
      [1280, 900],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${baseUrl}/admin/plugins/town-crier/audit`);
      await page.getByTestId(width < 768 ? 'audit-cards' : 'audit-table').waitFor();
      const overflow = await page.evaluate(() => {
        const wide = [...document.querySelectorAll('[data-testid="audit-panel"] *')].filter(
          (element) => element.scrollWidth > element.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(element).overflowX)
        );
        return { page: document.documentElement.scrollWidth, scrollers: wide.length };
      });
      expect(overflow.page, `${width} px`).toBeLessThanOrEqual(width);
      expect(overflow.scrollers, `${width} px`).toBe(0);
      await docScreenshot(page, `audit-log-${width}`);
      expect(await seriousViolations(page, 'main'), `${width} px`).toEqual([]);
    }
  }, 90_000);
});
