/**
 * The side panel's preview of the posts on the town's accounts and its own Fediverse address
 * (#29), in German, in Debian's Chromium: before Publish the editor sees the Mastodon status, the
 * Bluesky post and the Note followers of `@news@…` will read (name, handle, text, link, and for
 * a follow-up that it answers the first news), at 1280 px and 390 px, axe clean. All three run in
 * sandbox mode, as in the demo: nothing leaves. Screenshots for docs/channels.md (docs/images/
 * with UPDATE_DOCS_SCREENSHOTS=1).
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { ensureAdminBuild } from '../support/admin-build';
import { germanAdminPage, launchChromium } from '../support/chromium';
import { seriousViolations } from '../support/axe';
import { docScreenshot } from '../support/screenshots';
import { announcementFor, publishArticle, seedSubscriber } from '../support/seed';

const ARTICLE = 'api::article.article';
const ADMIN = { email: 'admin@musterstadt.test', password: 'Test-Password-1234' };
const PUBLIC_URL = 'https://www.musterstadt.example';

describe('the side panel shows each account’s post, in German', () => {
  let test: TestStrapi;
  let browser: Browser;
  let page: Page;
  let baseUrl = '';

  beforeAll(async () => {
    await ensureAdminBuild();
    process.env.TOWN_CRIER_TEST_SERVE_ADMIN = 'true';
    test = await bootStrapi({
      pluginConfig: {
        publicUrl: PUBLIC_URL,
        channels: {
          whatsapp: { sandbox: true },
          activitypub: { enabled: true, sandbox: true, displayName: 'Stadt Musterstadt' },
          mastodon: { enabled: true, sandbox: true, baseUrl: 'https://social.example', account: '@musterstadt@social.example', hashtags: { always: ['Musterstadt'] } },
          bluesky: { enabled: true, sandbox: true, identifier: 'musterstadt.bsky.social', hashtags: { always: ['Musterstadt'] } },
        },
      },
    });
    delete process.env.TOWN_CRIER_TEST_SERVE_ADMIN;
    await new Promise<void>((resolve) => test.strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(test.strapi.server.httpServer.address() as AddressInfo).port}`;
    await createSuperAdmin(test);
    await seedSubscriber(test, '+4915170000291');
    browser = await launchChromium();
    page = await germanAdminPage(browser, baseUrl, ADMIN);
  }, 420_000);

  afterAll(async () => {
    await page?.context().close().catch(() => undefined);
    await browser?.close();
    await test?.close();
  });

  it('before Publish: the Mastodon status, the Bluesky post and the Note of @news@…, a follow-up as a reply (1280 px and 390 px)', async () => {
    // The first news went out; the draft continues it (marked as its update in the side panel).
    const originalArticle = await publishArticle(test, { title: 'Sturmwarnung für Musterstadt', summary: 'Bitte bleiben Sie heute Abend zu Hause.' });
    const original = await eventually(async () => announcementFor(test, originalArticle));
    const draft = (await test.strapi.documents(ARTICLE as never).create({
      data: { title: 'Sturm vorbei: Straßen wieder frei', summary: 'Der Bauhof hat alle Straßen geräumt.\n\nDanke für Ihre Geduld.', slug: 'sturm-vorbei' },
    } as never)) as { documentId: string };
    const followUps = test.strapi.plugin('town-crier').service('follow-ups') as { setMark(uid: string, documentId: string, mark: Record<string, unknown>): Promise<unknown> };
    await followUps.setMark(ARTICLE, draft.documentId, { originalDocumentId: original.documentId, kind: 'update', includeNew: false });

    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(`${baseUrl}/admin/content-manager/collection-types/${ARTICLE}/${draft.documentId}`);
    const note = page.getByTestId('town-crier-account-post-activitypub');
    await note.waitFor();

    // The Note as a follower's Mastodon shows it.
    expect(await note.innerText()).toContain('Auf Mastodon und im übrigen Fediverse lesen die Follower von @news@www.musterstadt.example:');
    expect(await note.getByTestId('fediverse-note-name').innerText()).toBe('Stadt Musterstadt');
    expect(await note.getByTestId('fediverse-note-handle').innerText()).toBe('@news@www.musterstadt.example');
    expect(await note.getByTestId('fediverse-note-reply').innerText()).toBe('↩ Antwort im Thread von „Sturmwarnung für Musterstadt“');
    expect(await note.getByTestId('fediverse-note-text').innerText()).toBe(
      'Sturm vorbei: Straßen wieder frei\n\nDer Bauhof hat alle Straßen geräumt.\n\nDanke für Ihre Geduld.\n\nhttps://musterstadt.de/news/sturm-vorbei'
    );
    expect(await note.getByTestId('fediverse-note-link').getAttribute('href')).toBe('https://musterstadt.de/news/sturm-vorbei');

    // The accounts' posts beside it: the status and the post, each naming the account, the follow-up worded as one.
    const mastodon = page.getByTestId('town-crier-account-post-mastodon');
    expect(await mastodon.innerText()).toContain('Auf Mastodon postet das Konto der Stadt @musterstadt@social.example:');
    expect(await mastodon.innerText()).toContain('Sturm vorbei: Straßen wieder frei');
    expect(await mastodon.innerText()).toContain('#Musterstadt');
    expect(await mastodon.innerText()).toMatch(/\d+ von 500 Zeichen \(ein Link zählt 23\)/);
    const bluesky = page.getByTestId('town-crier-account-post-bluesky');
    expect(await bluesky.innerText()).toContain('Auf Bluesky postet das Konto der Stadt musterstadt.bsky.social:');
    expect(await bluesky.innerText()).toMatch(/\d+ von 300 Zeichen/);

    // The admin scrolls inside its own layout: a viewport as tall as the panel shows all of it at once.
    await page.setViewportSize({ width: 1280, height: 3000 });
    await docScreenshot(page, 'side-panel-accounts-1280', { element: page.getByTestId('town-crier-account-posts') });
    expect(await seriousViolations(page, '[data-testid="town-crier-panel"]')).toEqual([]);

    // On a phone the content manager keeps its side panels in a drawer under the form.
    await page.setViewportSize({ width: 390, height: 844 });
    // The content manager's drawer button has no German text in Strapi's catalogue.
    await page.getByRole('button', { name: 'Open more actions' }).click();
    await note.scrollIntoViewIfNeeded();
    expect(await note.getByTestId('fediverse-note-handle').innerText()).toBe('@news@www.musterstadt.example');
    // The long link and handle wrap inside the card instead of widening it.
    const overflow = await note.evaluate((element) => element.scrollWidth - element.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Nor does anything else in the panel widen it past the phone's width (a long title in the follow-up's picker once did).
    const panelWidth = await page.getByTestId('town-crier-panel').evaluate((element) => Math.ceil(element.getBoundingClientRect().width));
    expect(panelWidth).toBeLessThanOrEqual(390);
    await docScreenshot(page, 'side-panel-accounts-390');
    expect(await seriousViolations(page, '[data-testid="town-crier-panel"]')).toEqual([]);
  }, 120_000);

  it('the channel status page in German lists the Fediverse address, Mastodon and Bluesky, each in sandbox with its problem', async () => {
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(`${baseUrl}/admin/plugins/town-crier/channels`);
    for (const channel of ['activitypub', 'mastodon', 'bluesky']) {
      const card = page.getByTestId(`channel-${channel}`);
      await card.waitFor();
      expect(await card.getByTestId('channel-mode').innerText()).toMatch(/sandbox/i);
      expect(await card.getByTestId('channel-sandbox-warning').innerText()).toBe(
        'Nichts erreicht die Bürger: Nachrichten landen nur im Sandbox-Postausgang. Im Sandbox-Telefon sind sie zu sehen.'
      );
    }
    expect(await page.getByTestId('channel-activitypub').innerText()).toContain('Fediverse (ActivityPub)');
    // One picture of the three for docs/channels.md: the page from the Fediverse card down to Bluesky's.
    const top = await page.getByTestId('channel-activitypub').boundingBox();
    const bottom = await page.getByTestId('channel-bluesky').boundingBox();
    if (!top || !bottom) throw new Error('the channel cards are not on screen');
    await page.setViewportSize({ width: 1280, height: Math.ceil(bottom.y + bottom.height + 40) });
    const box = { x: 0, y: Math.max(0, top.y - 16), width: 1280, height: Math.ceil(bottom.y + bottom.height - top.y + 32) };
    await docScreenshot(page, 'channels-fediverse-de', { clip: box });
    expect(await seriousViolations(page, '[data-testid="channel-activitypub"]')).toEqual([]);
  }, 60_000);
});
