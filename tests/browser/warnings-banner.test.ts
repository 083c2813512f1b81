/**
 * Official warnings in the admin, in Debian's Chromium, in German: a DWD storm warning for the town's
 * cell, found by the worker's poll at startup, shows as a red banner above the plugin's pages ("Neue
 * amtliche Warnung als Entwurf: …", with a link to the draft), and the channel status page lists the
 * source. Both pass axe at 1280 px and 390 px with nothing wider than the window. Screenshots:
 * test-results/screenshots/warnings-*.png (copied to docs/images with UPDATE_DOCS_SCREENSHOTS=1).
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bootStrapi, createSuperAdmin, eventually, testArticleMapping, type TestStrapi } from '../support/strapi';
import { ensureAdminBuild } from '../support/admin-build';
import { germanAdminPage, launchChromium } from '../support/chromium';
import { seriousViolations } from '../support/axe';
import { docScreenshot, SCREENSHOTS } from '../support/screenshots';
import { startFakeDwd, type FakeDwd } from '../support/fake-dwd';

const ADMIN = { email: 'admin@musterstadt.test', password: 'Test-Password-1234' };
const CELL = '801055012';
const HEADLINE = 'Amtliche UNWETTERWARNUNG vor ORKANBÖEN';
const ARTICLE = 'api::article.article';

describe('official warnings in the admin', () => {
  let test: TestStrapi;
  let dwd: FakeDwd;
  let browser: Browser;
  let page: Page;
  let baseUrl = '';
  let draftId = '';

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureAdminBuild();
    dwd = await startFakeDwd();
    dwd.warn(CELL, { event: 'ORKANBÖEN', level: 3, start: Date.now() - 600_000, regionName: 'Gemeinde Musterstadt', headline: HEADLINE, description: 'Es treten Orkanböen um 120 km/h auf.' });
    process.env.TOWN_CRIER_TEST_SERVE_ADMIN = 'true';
    test = await bootStrapi({
      pluginConfig: {
        channels: { whatsapp: { accessToken: '' } },
        contentTypes: testArticleMapping,
        warnings: { pollEverySeconds: 3600, dwd: { warnCellIds: { municipality: CELL }, url: dwd.url }, topic: 'notfaelle' },
      },
    });
    delete process.env.TOWN_CRIER_TEST_SERVE_ADMIN;
    await new Promise<void>((resolve) => test.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(test.strapi.server.httpServer.address() as AddressInfo).port}`;
    await createSuperAdmin(test);
    // The worker polls once at startup: the warning becomes a draft.
    const draft = await eventually(async () => {
      const drafts = (await test.strapi.documents(ARTICLE as never).findMany({ status: 'draft' } as never)) as unknown as Array<{ documentId: string; title: string }>;
      return drafts.find((entry) => entry.title === HEADLINE);
    });
    draftId = draft.documentId;

    browser = await launchChromium();
    page = await germanAdminPage(browser, baseUrl, ADMIN);
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await test?.close();
    await dwd?.close();
  });

  it('shows the new warning as a draft above the plugin’s pages, in German, with a link to the draft', async () => {
    await page.goto(`${baseUrl}/admin/plugins/town-crier`);
    const banner = page.getByTestId('warning-draft-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toContain(`Neue amtliche Warnung als Entwurf: ${HEADLINE}`);
    expect(await banner.getByRole('link').getAttribute('href')).toContain(`/content-manager/collection-types/${ARTICLE}/${draftId}`);
  });

  it('fits and passes axe at 1280 px and 390 px, the banner and the source on the channel status page', async () => {
    for (const [width, height] of [
      [1280, 900],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${baseUrl}/admin/plugins/town-crier/channels`);
      await page.getByTestId('warning-draft-banner').waitFor();
      const source = page.getByTestId('warning-source-dwd');
      await source.waitFor();
      expect(await source.innerText()).toContain('Deutscher Wetterdienst');
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${width} px`).toBeLessThanOrEqual(width);
      await docScreenshot(page, `warnings-${width}`);
      expect(await seriousViolations(page, 'main'), `${width} px`).toEqual([]);
    }
  }, 90_000);
});
