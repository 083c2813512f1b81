import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { fakeWhatsapp } from '../support/whatsapp';
import { seedTopics } from '../support/seed';
import { launchChromium } from '../support/chromium';
import { seriousViolations } from '../support/axe';
import { docScreenshot } from '../support/screenshots';

const SCREENSHOTS = path.resolve(__dirname, '../../test-results/screenshots');

/** A citizen fills in the hosted sign-up page in a real browser, with the keyboard only. */
describe('the sign-up page in Chromium', () => {
  let test: TestStrapi;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    // A Gemeinde with WhatsApp and (sandboxed) e-mail: the page offers two ways and names the municipality.
    test = await bootStrapi({
      pluginConfig: { ...whatsapp.config, town: { name: 'Ahrensbök', kind: 'Gemeinde' }, channels: { ...(whatsapp.config.channels as Record<string, unknown>), email: { enabled: true } } },
    });
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

  it('on a 390 px phone: big targets, typing a number chooses WhatsApp, the answer on top with the focus, the form emptied; no serious axe violation', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'de-DE', bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/api/town-crier/signup`);
      expect(await page.locator('h1').textContent()).toBe('Nachrichten der Gemeinde Ahrensbök abonnieren');
      // The intro names the topics the town offers (from the database), not a fixed list.
      expect(await page.locator('#intro').textContent()).toBe('Erhalten Sie Meldungen der Gemeinde Ahrensbök – Ratssitzungen, Verkehr – auf dem Weg, der Ihnen passt.');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      expect(await seriousViolations(page)).toEqual([]);

      // Every checkbox's label and the button are at least 44 px high (WCAG 2.5.5, the brief's target size).
      const targets = await page.evaluate(() =>
        [...document.querySelectorAll('.option label, button[type=submit], .lang a')].map((element) => ({ text: element.textContent?.trim(), height: element.getBoundingClientRect().height }))
      );
      expect(targets.length).toBeGreaterThan(5);
      expect(targets.filter((target) => target.height < 44)).toEqual([]);

      const whatsappBox = page.locator('#channel-whatsapp');
      expect(await whatsappBox.isChecked()).toBe(false);
      await page.getByLabel('Handynummer').fill('0151 23456780');
      // Typing the number chose WhatsApp: no "Bitte wählen Sie mindestens einen Weg." on the first try.
      expect(await whatsappBox.isChecked()).toBe(true);
      await page.getByLabel('Verkehr').check();
      await docScreenshot(page, 'signup-390', { fullPage: true });

      // Without consent: the error is announced, the focus on the box, and axe finds nothing serious in the error state either.
      await page.getByRole('button', { name: 'Anmelden' }).tap();
      await expect.poll(() => page.locator('#consent-error').textContent()).toBe('Bitte stimmen Sie der Einwilligung zu.');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('consent');
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByLabel('Ich willige ein (Text oben).').tap();
      await page.getByRole('button', { name: 'Anmelden' }).tap();
      const status = page.locator('#form-status');
      await expect.poll(() => status.textContent()).toContain('Fast geschafft!');
      // The answer is at the top of the screen and has the focus; the form is empty for the next person.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('form-status');
      const box = await status.boundingBox();
      expect(box && box.y >= 0 && box.y < 844 / 2).toBe(true);
      expect(await page.getByLabel('Handynummer').inputValue()).toBe('');
      expect(await page.getByLabel('Verkehr').isChecked()).toBe(false);
      expect(await page.getByLabel('Ich willige ein (Text oben).').isChecked()).toBe(false);
      await docScreenshot(page, 'signup-390-done');
      expect(await seriousViolations(page)).toEqual([]);
      const subscriber = await eventually(async () => test.strapi.db.query('plugin::town-crier.subscriber').findOne({ where: { address: '+4915123456780' } }));
      expect(subscriber).toMatchObject({ status: 'pending', channel: 'whatsapp' });
    } finally {
      await context.close();
    }
  });

  it('at 1280 px: the same page, readable, no serious axe violation', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'de-DE', bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/api/town-crier/signup`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
      expect(await seriousViolations(page)).toEqual([]);
      await docScreenshot(page, 'signup-1280', { fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('names the bad field when the number is not a mobile number, in English too', async () => {
    const page = await openPage('?lang=en');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByLabel('Mobile number').fill('12');
    await page.getByLabel('I agree (text above).').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await expect.poll(() => page.locator('#address-error').textContent()).toBe('Please enter a valid mobile number.');
    expect(await page.getByLabel('Mobile number').getAttribute('aria-invalid')).toBe('true');
    expect(await test.strapi.db.query('plugin::town-crier.subscriber').count({ where: { address: { $notIn: ['+4915123456789', '+4915123456780'] } } })).toBe(0);
    await page.close();
  });
});
