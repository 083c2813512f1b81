import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { bootStrapi, type TestStrapi } from '../support/strapi';
import { fakeWhatsapp } from '../support/whatsapp';
import { seedSubscriber, seedTopics } from '../support/seed';
import { launchChromium } from '../support/chromium';
import { drained } from '../support/drained';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const OUTBOX = 'plugin::town-crier.outbox-message';

/**
 * An e-mail citizen opens the "change topics" link of a news mail, ticks another village and
 * submits: the change takes effect at once, and the page says what changed.
 */
describe('the manage page in Chromium', () => {
  let test: TestStrapi;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    test = await bootStrapi({
      pluginConfig: {
        ...whatsapp.config,
        town: { name: 'Ahrensbök', kind: 'Gemeinde', villages: [{ name: 'Dakendorf', slug: 'dakendorf' }, { name: 'Gnissau', slug: 'gnissau' }] },
        channels: { ...(whatsapp.config.channels as Record<string, unknown>), email: { enabled: true, sandbox: true } },
      },
    });
    await seedTopics(test, [['Verkehr', 'verkehr']]);
    const server = test.strapi.server.httpServer;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => test?.strapi.server.httpServer.close(resolve));
    await test?.close();
  });

  it("changes an e-mail citizen's village from the link in their mail", async () => {
    const id = await seedSubscriber(test, 'frieda@example.org', { channel: 'email' });
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id }, data: { villages: '|dakendorf|' } });
    const token = (test.strapi.plugin('town-crier').service('subscriptions') as { manageToken(id: number): string }).manageToken(id);

    const page = await browser.newPage();
    await page.goto(`${baseUrl}/api/town-crier/signup?keep=${encodeURIComponent(token)}&lang=de`);
    // The page shows the citizen's choice: their channel and village ticked, the address not asked again.
    expect(await page.isChecked('#channel-email')).toBe(true);
    expect(await page.isChecked('#channel-whatsapp')).toBe(false);
    expect(await page.getByLabel('Dakendorf').isChecked()).toBe(true);
    await page.getByLabel('Dakendorf').uncheck();
    await page.getByLabel('Gnissau').check();
    await page.getByLabel('Ich willige ein (Text oben).').check();
    await page.getByRole('button', { name: 'Anmelden' }).click();

    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('Ihre Änderung ist gespeichert und gilt ab sofort.');
    expect(await status.textContent()).toContain('Ortsteile: Gnissau.');
    const row = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } })) as { villages: string; status: string };
    expect(row).toMatchObject({ villages: '|gnissau|', status: 'active' });
    // The page keeps the new choice; nothing had to be confirmed by mail.
    expect(await page.getByLabel('Gnissau').isChecked()).toBe(true);
    await drained(test, { delayedWithinMs: 10_000 });
    expect(await test.strapi.db.query(OUTBOX).count({ where: { toAddress: 'frieda@example.org' } })).toBe(0);
    await page.close();
  });
});
