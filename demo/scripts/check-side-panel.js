#!/usr/bin/env node
/**
 * The demo's held-out check for #29: with Musterstadt running (`npm run demo`), opens the seeded
 * all-clear draft ("Sturm vorüber, Straßen wieder frei") in the content manager, in German, in
 * Debian's Chromium, and checks that the side panel shows the post on each of the three: the
 * Mastodon status, the Bluesky post and the Note of the town's own Fediverse address (as a reply
 * in the storm warning's thread). Saves a screenshot to docs/images/demo-side-panel-accounts.png
 * and exits 1 when a post is missing.
 *
 *   DEMO_URL=http://localhost:1337 node demo/scripts/check-side-panel.js
 */
'use strict';

const path = require('node:path');
const { chromium } = require('playwright-core');

const DEMO_URL = (process.env.DEMO_URL || `http://localhost:${process.env.PORT || 1337}`).replace(/\/$/, '');
const ADMIN = { email: process.env.DEMO_ADMIN_EMAIL || 'admin@musterstadt.example', password: process.env.DEMO_ADMIN_PASSWORD || 'Musterstadt-2026' };
const SCREENSHOT = path.resolve(__dirname, '..', '..', 'docs', 'images', 'demo-side-panel-accounts.png');
const ARTICLE = 'api::article.article';

async function draftDocumentId() {
  const login = await fetch(`${DEMO_URL}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!login.ok) throw new Error(`admin login: HTTP ${login.status}`);
  const { data } = await login.json();
  const list = await fetch(`${DEMO_URL}/content-manager/collection-types/${ARTICLE}?filters[slug][$eq]=sturm-vorueber`, { headers: { authorization: `Bearer ${data.token}` } });
  const found = (await list.json()).results?.[0];
  if (!found) throw new Error('the demo has no all-clear draft "sturm-vorueber"');
  return found.documentId;
}

async function main() {
  const documentId = await draftDocumentId();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    await context.addInitScript(() => window.localStorage.setItem('strapi-admin-language', 'de'));
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${DEMO_URL}/admin/auth/login`);
    await page.locator('input[name="email"]').fill(ADMIN.email);
    await page.locator('input[name="password"]').fill(ADMIN.password);
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => !url.pathname.includes('/auth/login'));
    await page.getByRole('button', { name: /close|schließen/i }).first().click({ timeout: 5000 }).catch(() => undefined);
    await page.goto(`${DEMO_URL}/admin/content-manager/collection-types/${ARTICLE}/${documentId}`);
    await page.getByTestId('town-crier-account-posts').waitFor();

    const missing = [];
    for (const channel of ['mastodon', 'bluesky', 'activitypub']) {
      const card = page.getByTestId(`town-crier-account-post-${channel}`);
      // The cards come with the preview's answer, not all in the same render: each is given a moment.
      await card.waitFor({ timeout: 15_000 }).catch(() => undefined);
      if (!(await card.count())) {
        missing.push(channel);
        continue;
      }
      console.log(`--- ${channel}\n${(await card.innerText()).trim()}\n`);
    }
    const reply = page.getByTestId('fediverse-note-reply');
    if (!(await reply.count())) missing.push('activitypub reply line');
    // The admin scrolls inside its own layout: a viewport as tall as the panel shows all of it at once.
    await page.setViewportSize({ width: 1280, height: 3000 });
    // The resize makes the admin render the panel anew: a screenshot begun on the old element fails as
    // "not attached to the DOM", and the locator finds the new one on the next try.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await page.getByTestId('town-crier-account-posts').screenshot({ path: SCREENSHOT });
        break;
      } catch (error) {
        if (attempt >= 3 || !/not attached to the DOM/.test(String(error))) throw error;
      }
    }
    console.log(`screenshot: ${path.relative(process.cwd(), SCREENSHOT)}`);
    if (missing.length) {
      console.error(`missing in the side panel: ${missing.join(', ')}`);
      process.exitCode = 1;
    } else {
      console.log('the side panel shows the Mastodon, Bluesky and Fediverse posts');
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
