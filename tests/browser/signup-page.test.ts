import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { fakeWhatsapp } from '../support/whatsapp';
import { seedTopics } from '../support/seed';
import { launchChromium } from '../support/chromium';

const SCREENSHOTS = path.resolve(__dirname, '../../test-results/screenshots');

/** A citizen fills in the hosted sign-up page in a real browser, with the keyboard only. */
describe('the sign-up page in Chromium', () => {
  let test: TestStrapi;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    test = await bootStrapi({ pluginConfig: whatsapp.config });
    await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Ratssitzungen', 'ratssitzungen'],
    ]);
    const server = test.strapi.server.httpServer;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => test?.strapi.server.httpServer.close(resolve));
    await test?.close();
  });

  const openPage = async (query = '') => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/api/town-crier/signup${query}`);
    return page;
  };
  /** Tabs until the element with this accessible label has focus: what a keyboard user does. */
  const tabTo = async (page: Page, label: string) => {
    for (let step = 0; step < 30; step += 1) {
      await page.keyboard.press('Tab');
      const focusedLabel = await page.evaluate(() => {
        const element = document.activeElement as HTMLInputElement | null;
        return element?.labels?.[0]?.textContent?.trim() ?? element?.textContent?.trim() ?? '';
      });
      if (focusedLabel === label) return;
    }
    throw new Error(`could not reach "${label}" with the Tab key`);
  };

  it('announces a missing consent, then accepts the sign-up and shows the pending state', async () => {
    const page = await openPage();
    await tabTo(page, 'Handynummer');
    await page.keyboard.type('0151 23456789');
    await tabTo(page, 'Verkehr');
    await page.keyboard.press('Space');
    await tabTo(page, 'Anmelden');
    await page.keyboard.press('Enter');

    // The error is in a live region and the focus moves to the field that needs attention.
    await expect.poll(() => page.locator('#consent-error').textContent()).toBe('Bitte stimmen Sie der Einwilligung zu.');
    expect(await page.locator('#consent-error').getAttribute('role')).toBe('alert');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('consent');
    expect(await test.strapi.db.query('plugin::town-crier.subscriber').count()).toBe(0);

    await page.keyboard.press('Space');
    await tabTo(page, 'Anmelden');
    await page.keyboard.press('Enter');
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('Fast geschafft! Bitte bestätigen Sie Ihre Anmeldung in WhatsApp.');
    const link = status.getByRole('link');
    expect(await link.getAttribute('href')).toMatch(/^https:\/\/wa\.me\/49452512345\?text=START%20[A-Z0-9]+$/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'signup-pending.png'), fullPage: true });

    const subscriber = await eventually(async () =>
      test.strapi.db.query('plugin::town-crier.subscriber').findOne({ where: { address: '+4915123456789' }, populate: ['topics'] })
    );
    expect(subscriber).toMatchObject({ status: 'pending', channel: 'whatsapp', source: 'signup-page', locale: 'de' });
    expect(subscriber.topics.map((topic: { slug: string }) => topic.slug)).toEqual(['verkehr']);
    await page.close();
  });

  it('names the bad field when the number is not a mobile number, in English too', async () => {
    const page = await openPage('?lang=en');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByLabel('Mobile number').fill('12');
    await page.getByLabel('I agree (text above).').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('#address-error').textContent()).toBe('Please enter a valid mobile number.');
    expect(await page.getByLabel('Mobile number').getAttribute('aria-invalid')).toBe('true');
    expect(await test.strapi.db.query('plugin::town-crier.subscriber').count({ where: { address: { $ne: '+4915123456789' } } })).toBe(0);
    await page.close();
  });
});
