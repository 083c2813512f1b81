/**
 * Debian's Chromium driven by playwright-core. Never `npx playwright install`: the machine
 * reaches no browser download host, and the distribution's browser is the one towns' CI has.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (or set CHROMIUM_PATH).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * A German admin session in a browser context of its own (1280 px, Berlin time): logged in at
 * `/admin/auth/login`, Strapi's welcome tour closed when it shows.
 */
export async function germanAdminPage(browser: Browser, baseUrl: string, credentials: { email: string; password: string }, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE', timezoneId: 'Europe/Berlin', ...options });
  await context.addInitScript(() => window.localStorage.setItem('strapi-admin-language', 'de'));
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${baseUrl}/admin/auth/login`);
  await page.locator('input[name="email"]').fill(credentials.email);
  await page.locator('input[name="password"]').fill(credentials.password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.includes('/auth/login'));
  await page
    .getByRole('button', { name: /close|schließen/i })
    .first()
    .click({ timeout: 5000 })
    .catch(() => undefined);
  return page;
}
