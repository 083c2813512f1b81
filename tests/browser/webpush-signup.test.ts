import http from 'node:http';
import type { AddressInfo } from 'node:net';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { seedTopics, publishArticle } from '../support/seed';
import { launchChromium } from '../support/chromium';
import { seriousViolations } from '../support/axe';
import { startFakePushService, type BrowserSubscription, type FakePushService } from '../support/fake-push-service';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';


// Showing a notification pushed through DevTools took over 15 s a few times on a loaded 2-core machine
// (cause not found: a probe of 15 showNotification calls never failed); the assertions decide, not the clock.
const NOTIFICATION_WAIT = { timeoutMs: 45_000 };
vi.setConfig({ testTimeout: 180_000 });
/** A port free right now: Strapi listens on it, and links in pushes (made from `publicUrl`) point to it. */
const freePort = async () => {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
};

/**
 * "Mitteilungen in diesem Browser" in a real Chromium: the page registers the plugin's real
 * service worker, asks permission after the click, posts the subscription, and the worker shows
 * what a push carries.
 *
 * What is stubbed, and why: `PushManager.subscribe`. A real Chromium subscribes by calling
 * Google's push service (FCM), which this machine cannot reach, so the page's PushManager hands
 * back a subscription whose endpoint is the test's fake push service and whose keys were made
 * in the test. Everything after that is real: the sign-up API, the broadcast, the push sent by
 * the `web-push` library, the JWT check and decryption in the fake, and the notification shown
 * by the service worker for the decrypted payload (delivered to the worker through Chromium's
 * DevTools protocol, as the browser would deliver it from its push service). The notification
 * permission is granted through the browser context, as a citizen's "Erlauben" would.
 */
describe('Web Push on the sign-up page in Chromium', () => {
  let test: TestStrapi;
  let fake: FakePushService;
  let browser: Browser;
  let baseUrl: string;
  /** The town's own website on another port of this machine (another origin), which embeds the page. */
  let townSite: http.Server;
  let townUrl: string;
  const vapid = webpush.generateVAPIDKeys();

  beforeAll(async () => {
    fake = await startFakePushService();
    townSite = http.createServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Musterstadt</title><iframe src="${baseUrl}/api/town-crier/signup" width="600" height="1400"></iframe>`);
    });
    await new Promise<void>((resolve) => townSite.listen(0, '127.0.0.1', resolve));
    townUrl = `http://127.0.0.1:${(townSite.address() as AddressInfo).port}`;
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    test = await bootStrapi({
      pluginConfig: {
        // The notification's "abbestellen" action POSTs to the unsubscribe link made from this.
        publicUrl: baseUrl,
        town: { name: 'Ahrensbök', kind: 'Gemeinde' },
        rateLimit: { signupAnswerMinMs: 0 },
        // The town's website that embeds the page in the iframe test below (on this machine:
        // Chromium's local-network checks would block a public page framing 127.0.0.1).
        signup: { frameAncestors: townUrl },
        channels: {
          whatsapp: { enabled: false },
          email: { enabled: true },
          webpush: {
            enabled: true,
            vapid: { subject: 'mailto:rathaus@ahrensboek.de', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
            icon: 'https://ahrensboek.de/wappen-192.png',
            caCertificate: fake.certificate,
            pushServices: [new URL(fake.origin).host],
          },
        },
      },
    });
    await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Ratssitzungen', 'ratssitzungen'],
    ]);
    const server = test.strapi.server.httpServer;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => test?.strapi.server.httpServer.close(resolve));
    await test?.close();
    await fake?.close();
    await new Promise((resolve) => townSite?.close(resolve));
  });

  /** A page whose PushManager answers with a subscription on the fake push service (see above). */
  const openWithStubbedPush = async (subscription: BrowserSubscription, query = '') => {
    // bypassCSP only lets axe inject its script, as in the other sign-up page test.
    const context = await browser.newContext({ locale: 'de-DE', bypassCSP: true });
    await context.grantPermissions(['notifications'], { origin: baseUrl });
    await context.addInitScript((json) => {
      let subscribed = false;
      const stub = {
        endpoint: json.endpoint,
        options: { userVisibleOnly: true },
        toJSON: () => json,
        unsubscribe: async () => {
          subscribed = false;
          return true;
        },
      };
      PushManager.prototype.subscribe = async function subscribe(options?: PushSubscriptionOptionsInit) {
        // The page must hand over the town's VAPID key, as a real subscribe needs it.
        (window as unknown as { appServerKeyLength: number }).appServerKeyLength = (options?.applicationServerKey as Uint8Array | undefined)?.byteLength ?? 0;
        subscribed = true;
        return stub as unknown as PushSubscription;
      };
      PushManager.prototype.getSubscription = async function getSubscription() {
        return (subscribed ? stub : null) as unknown as PushSubscription | null;
      };
    }, subscription.json);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/api/town-crier/signup${query}`);
    return { context, page };
  };

  /** Delivers a push to the page's service worker as the browser does when its push service hands one over. */
  const deliverPush = async (context: BrowserContext, page: Page, data: string) => {
    const cdp: CDPSession = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
        const found = event.registrations.find((registration) => registration.scopeURL === `${baseUrl}/api/town-crier/` && !registration.isDeleted);
        if (found) resolve(found.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: baseUrl, registrationId: await registrationId, data });
  };

  it('offers the option as an equal way with the iPhone hint, serves the worker and the manifest; no serious axe violation', async () => {
    const { context, page } = await openWithStubbedPush(fake.subscribe());
    try {
      const option = page.getByLabel('Mitteilungen in diesem Browser');
      expect(await option.getAttribute('type')).toBe('checkbox');
      expect(await page.locator('input[name=channels]').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))).toEqual(['email', 'webpush']);
      expect(await page.locator('#webpush-iphone').textContent()).toContain('„Zum Home-Bildschirm“');
      expect(await page.locator('#webpush-iphone').textContent()).toContain('iOS 16.4');

      // The service worker registers on load, for the plugin's path, the page included.
      const worker = await eventually(() =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          return registration?.active ? { script: registration.active.scriptURL, scope: registration.scope } : null;
        })
      );
      expect(worker).toEqual({ script: `${baseUrl}/api/town-crier/signup/sw.js`, scope: `${baseUrl}/api/town-crier/` });

      const manifestHref = await page.locator('link[rel=manifest]').getAttribute('href');
      const manifest = await (await page.request.get(`${baseUrl}${manifestHref}`)).json();
      expect(manifest).toMatchObject({ display: 'standalone', start_url: '/api/town-crier/signup', scope: '/api/town-crier/', icons: [{ src: 'https://ahrensboek.de/wappen-192.png' }] });
      expect(manifest.name).toBe('Nachrichten der Gemeinde Ahrensbök');
      expect(await seriousViolations(page)).toEqual([]);

      await page.goto(`${baseUrl}/api/town-crier/signup?lang=en`);
      expect(await page.getByLabel('Notifications in this browser').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('subscribes after the click, receives a publish as an encrypted push, shows it, and leaves from the page', async () => {
    const subscription = fake.subscribe();
    const { context, page } = await openWithStubbedPush(subscription);
    try {
      await page.getByLabel('Mitteilungen in diesem Browser').check();
      await page.getByLabel('Verkehr').check();
      await page.getByLabel('Ich willige ein (Text oben).').check();
      await page.getByRole('button', { name: 'Anmelden' }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Mitteilungen in diesem Browser sind eingeschaltet.');
      // The town's public key (65 bytes) went to subscribe().
      expect(await page.evaluate(() => (window as unknown as { appServerKeyLength: number }).appServerKeyLength)).toBe(65);

      const row = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'webpush' }, populate: ['topics'] })) as { id: number; status: string; source: string; topics: Array<{ slug: string }> };
      expect(row).toMatchObject({ status: 'active', source: 'signup-page' });
      expect(row.topics.map((topic) => topic.slug)).toEqual(['verkehr']);

      await publishArticle(test, { title: 'Unwetterwarnung für Ahrensbök', topic: 'verkehr', urgency: 'emergency', summary: 'Sturmböen bis 100 km/h ab 18 Uhr.' });
      const push = await eventually(async () => fake.received.find((received) => received.subscriptionId === subscription.id));
      expect(push.payload).toMatchObject({ title: 'Unwetterwarnung für Ahrensbök', body: 'Sturmböen bis 100 km/h ab 18 Uhr.' });

      // What the citizen sees: the worker turns the decrypted payload into a notification.
      await deliverPush(context, page, JSON.stringify(push.payload));
      const shown = await eventually(() =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          const [notification] = (await registration?.getNotifications()) ?? [];
          return notification
            ? { title: notification.title, body: notification.body, icon: notification.icon, requireInteraction: notification.requireInteraction, actions: (notification as unknown as { actions: Array<{ action: string; title: string }> }).actions.map(({ action, title }) => ({ action, title })), url: notification.data?.url, tag: notification.tag }
            : null;
        }),
        NOTIFICATION_WAIT
      );
      expect(shown).toEqual({
        title: 'Unwetterwarnung für Ahrensbök',
        body: 'Sturmböen bis 100 km/h ab 18 Uhr.',
        icon: 'https://ahrensboek.de/wappen-192.png',
        requireInteraction: true,
        actions: [{ action: 'unsubscribe', title: 'Mitteilungen abbestellen' }],
        url: push.payload.url,
        tag: push.payload.tag,
      });

      // Leaving from the page: the button appears for a subscribed browser.
      await page.getByRole('button', { name: 'Mitteilungen abbestellen' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe('Sie erhalten keine Mitteilungen mehr in diesem Browser.');
      await eventually(async () => ((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: row.id } })) as { status: string }).status === 'unsubscribed');
    } finally {
      await context.close();
    }
  });

  /** Signs the page's browser up for Web Push (topic Verkehr) and returns its subscriber row. */
  const signUp = async (page: Page, subscription: BrowserSubscription) => {
    await page.getByLabel('Mitteilungen in diesem Browser').check();
    await page.getByLabel('Verkehr').check();
    await page.getByLabel('Ich willige ein (Text oben).').check();
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Mitteilungen in diesem Browser sind eingeschaltet.');
    return eventually(async () => {
      const rows = (await test.strapi.db.query(SUBSCRIBER).findMany({ where: { channel: 'webpush', status: 'active' }, orderBy: { id: 'desc' } })) as Array<{ id: number; pushSubscription: { endpoint: string } }>;
      return rows.find((row) => row.pushSubscription?.endpoint === subscription.json.endpoint);
    });
  };

  /** The plugin's service worker as Playwright sees it: code evaluated there runs in the worker's global scope. */
  const serviceWorkerOf = (context: BrowserContext) => eventually(async () => context.serviceWorkers().find((worker) => worker.url() === `${baseUrl}/api/town-crier/signup/sw.js`));

  /** Titles of the notifications the worker's registration currently shows. */
  const shownTitles = (worker: Worker) =>
    worker.evaluate(async () => {
      const scope = self as unknown as { registration: { getNotifications(): Promise<Array<{ title: string }>> } };
      return (await scope.registration.getNotifications()).map((notification) => notification.title);
    });

  /**
   * Clicks the shown notification (or one of its actions) the way Chromium dispatches it: a
   * `NotificationEvent` carrying the notification, fired at the worker's global scope.
   */
  const clickNotification = (worker: Worker, action: string) =>
    worker.evaluate(async (action) => {
      const scope = self as unknown as { registration: { getNotifications(): Promise<unknown[]> }; dispatchEvent(event: Event): boolean };
      const [notification] = await scope.registration.getNotifications();
      if (!notification) throw new Error('no notification is shown');
      const NotificationEventClass = (self as unknown as { NotificationEvent: new (type: string, init: { notification: unknown; action: string }) => Event }).NotificationEvent;
      scope.dispatchEvent(new NotificationEventClass('notificationclick', { notification, action }));
    }, action);

  it('a click on the notification asks the browser to open the news; its "Mitteilungen abbestellen" action unsubscribes (the worker’s notificationclick)', async () => {
    const subscription = fake.subscribe();
    const { context, page } = await openWithStubbedPush(subscription);
    try {
      const row = await signUp(page, subscription);
      await publishArticle(test, { title: 'Vollsperrung der Lübecker Straße', topic: 'verkehr', summary: 'Vom 3. bis 7. Juni wegen Kanalarbeiten.' });
      const push = await eventually(async () => fake.received.find((received) => received.subscriptionId === subscription.id));
      expect(push.payload.url).toMatch(/^https:\/\/musterstadt\.de\/news\//);
      const worker = await serviceWorkerOf(context);

      await deliverPush(context, page, JSON.stringify(push.payload));
      await eventually(async () => (await shownTitles(worker)).includes('Vollsperrung der Lübecker Straße'), NOTIFICATION_WAIT);
      // Chromium lets `clients.openWindow` open a page only while it dispatches a click the
      // citizen made on a shown notification; a script-dispatched event ("Not allowed to open a
      // window") cannot, and DevTools has no command to click a notification. So the test records
      // what the worker asks the browser to open, in place of the browser's window opening.
      await worker.evaluate(() => {
        const scope = self as unknown as { clients: { openWindow(url: string): Promise<unknown> }; openedUrls: string[] };
        scope.openedUrls = [];
        scope.clients.openWindow = async (url: string) => {
          scope.openedUrls.push(url);
          return null;
        };
      });
      await clickNotification(worker, '');
      const openedUrls = () => worker.evaluate(() => (self as unknown as { openedUrls: string[] }).openedUrls);
      expect(await eventually(async () => ((await openedUrls()).length > 0 ? openedUrls() : null))).toEqual([push.payload.url]);
      // The click closes the notification; the subscriber stays.
      expect(await shownTitles(worker)).toEqual([]);
      expect(((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: row.id } })) as { status: string }).status).toBe('active');

      // The same notification again, now its "Mitteilungen abbestellen" button.
      await deliverPush(context, page, JSON.stringify(push.payload));
      await eventually(async () => (await shownTitles(worker)).includes('Vollsperrung der Lübecker Straße'), NOTIFICATION_WAIT);
      await clickNotification(worker, 'unsubscribe');
      await eventually(async () => ((await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: row.id } })) as { status: string }).status === 'unsubscribed');
      const ledger = (await test.strapi.db.query(LEDGER).findMany({ where: { subscriber: row.id }, orderBy: { id: 'asc' } })) as Array<{ type: string; method: string; channel: string }>;
      expect(ledger.at(-1)).toMatchObject({ type: 'withdrawn', method: 'unsubscribe-link', channel: 'webpush' });
      // The worker confirms in German, and opened no page for the action.
      expect(await eventually(async () => ((await shownTitles(worker)).includes('Abbestellt') ? shownTitles(worker) : null), NOTIFICATION_WAIT)).toEqual(['Abbestellt']);
      expect(await openedUrls()).toEqual([push.payload.url]);
    } finally {
      await context.close();
    }
  });

  /**
   * Fires `pushsubscriptionchange` at the worker. Chromium's `PushSubscriptionChangeEvent`
   * constructor takes only real `PushSubscription` objects ("Failed to convert value to
   * 'PushSubscription'"), and a real one needs Google's push service, which this machine cannot
   * reach; so the event is an `ExtendableEvent` carrying the two fields the handler reads, with
   * subscriptions of the browser's shape (endpoint, options, toJSON).
   */
  const changeSubscription = (worker: Worker, old: BrowserSubscription['json'], next: BrowserSubscription['json'] | null) =>
    worker.evaluate(
      ({ old, next }) => {
        const asSubscription = (json: typeof old) => ({ endpoint: json.endpoint, options: { userVisibleOnly: true }, toJSON: () => json });
        const scope = self as unknown as { dispatchEvent(event: Event): boolean; ExtendableEvent: new (type: string) => Event };
        const init = { oldSubscription: asSubscription(old), newSubscription: next ? asSubscription(next) : null };
        const event = new scope.ExtendableEvent('pushsubscriptionchange');
        Object.defineProperties(event, { oldSubscription: { value: init.oldSubscription }, newSubscription: { value: init.newSubscription } });
        scope.dispatchEvent(event);
      },
      { old, next }
    );

  it('follows the browser when it replaces the subscription: the stored endpoint and keys become the new ones (the worker’s pushsubscriptionchange)', async () => {
    const subscription = fake.subscribe();
    const { context, page } = await openWithStubbedPush(subscription);
    try {
      const row = await signUp(page, subscription);
      const worker = await serviceWorkerOf(context);
      const next = fake.subscribe();
      expect(next.json.endpoint).not.toBe(subscription.json.endpoint);
      await changeSubscription(worker, subscription.json, next.json);
      const renewed = await eventually(async () => {
        const stored = (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: row.id } })) as { status: string; pushSubscription: { endpoint: string; keys: unknown } };
        return stored.pushSubscription.endpoint === next.json.endpoint ? stored : null;
      });
      expect(renewed).toMatchObject({ status: 'active', pushSubscription: { endpoint: next.json.endpoint, keys: next.json.keys } });

      // The next publish reaches the browser at its new endpoint, encrypted for its new keys.
      await publishArticle(test, { title: 'Neue Öffnungszeiten im Rathaus', topic: 'verkehr' });
      const push = await eventually(async () => fake.received.find((received) => received.subscriptionId === next.id && received.payload.title === 'Neue Öffnungszeiten im Rathaus'));
      expect(push.payload.title).toBe('Neue Öffnungszeiten im Rathaus');
      expect(fake.received.some((received) => received.subscriptionId === subscription.id && received.payload.title === 'Neue Öffnungszeiten im Rathaus')).toBe(false);
    } finally {
      await context.close();
    }
  });

  it('embedded in the town’s website, points to the page itself instead of asking (browsers refuse the prompt in iframes)', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    try {
      await context.grantPermissions(['notifications'], { origin: baseUrl });
      const page = await context.newPage();
      await page.goto(`${townUrl}/news`);
      const frame = page.frameLocator('iframe');
      const before = await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'webpush' } });
      await frame.getByLabel('Mitteilungen in diesem Browser').check();
      await frame.getByLabel('Ich willige ein (Text oben).').check();
      await frame.getByRole('button', { name: 'Anmelden' }).click();
      await expect.poll(() => frame.locator('#webpush-error').textContent()).toContain('Browser erlauben Mitteilungen nur auf einer eigenen Seite.');
      const open = frame.getByRole('link', { name: 'Anmeldung in eigenem Fenster öffnen' });
      expect(await open.getAttribute('href')).toBe(`${baseUrl}/api/town-crier/signup`);
      expect(await open.getAttribute('target')).toBe('_blank');
      expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'webpush' } })).toBe(before);
    } finally {
      await context.close();
    }
  });
});
