/**
 * The service worker the sign-up page registers for Web Push, served from
 * `/api/town-crier/signup/sw.js` with `Service-Worker-Allowed: /api/town-crier/` so that it
 * can control the page itself. It shows each push (payload: channels/webpush/webpush.payload.ts),
 * opens the article on a click, unsubscribes from the notification's own button, and follows
 * the browser when it replaces the subscription (`pushsubscriptionchange`).
 * Type-checked against the service worker's globals (tsconfig.sw.json here).
 */
declare const self: ServiceWorkerGlobalScope;

/** What webpush.payload.ts puts into a push. */
type PushData = {
  title?: string;
  body?: string;
  tag?: string;
  url?: string;
  icon?: string;
  urgency?: string;
  locale?: string;
  unsubscribeUrl?: string;
  unsubscribeToken?: string;
};
type NotificationData = { url: string | null; unsubscribeUrl: string | null; unsubscribeToken: string | null; locale: string };
/** `pushsubscriptionchange` is not in TypeScript's lib yet (Chrome and Firefox fire it). */
type PushSubscriptionChangeEvent = ExtendableEvent & { oldSubscription: PushSubscription | null; newSubscription: PushSubscription | null };

const api = (path: string) => new URL('../' + path, self.location.href).href;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let data: PushData = {};
  try {
    data = event.data ? (event.data.json() as PushData) : {};
  } catch {
    data = { title: event.data ? event.data.text() : '' };
  }
  // German wording for German and Leichte Sprache; the notification's own text is already in the citizen's language.
  const say =
    data.locale === 'en'
      ? { leave: 'Unsubscribe', fallback: 'New announcement', lang: 'en' }
      : data.locale === 'de-x-ls'
        ? { leave: 'Keine Mitteilungen mehr', fallback: 'Neue Nachricht', lang: 'de' }
        : { leave: 'Mitteilungen abbestellen', fallback: 'Neue Nachricht', lang: 'de' };
  const notificationData: NotificationData = {
    url: data.url || null,
    unsubscribeUrl: data.unsubscribeUrl || null,
    unsubscribeToken: data.unsubscribeToken || null,
    locale: data.locale || 'de',
  };
  // `renotify` and `actions` are read by the browsers that support them; TypeScript's lib lacks them.
  const options: NotificationOptions & { renotify?: boolean; actions?: Array<{ action: string; title: string }> } = {
    body: data.body || '',
    lang: say.lang,
    tag: data.tag || undefined,
    // A newer push about the same news replaces the older one; it should still be noticed.
    renotify: Boolean(data.tag),
    // Emergencies stay on screen until the citizen dismisses them, where the platform allows it.
    requireInteraction: data.urgency === 'emergency',
    data: notificationData,
    actions: data.unsubscribeToken ? [{ action: 'unsubscribe', title: say.leave }] : [],
  };
  if (data.icon) {
    options.icon = data.icon;
    options.badge = data.icon;
  }
  event.waitUntil(self.registration.showNotification(data.title || say.fallback, options));
});

self.addEventListener('notificationclick', (event) => {
  const notification = event.notification;
  const data = (notification.data || {}) as Partial<NotificationData>;
  notification.close();
  if (event.action === 'unsubscribe') {
    event.waitUntil(
      (async () => {
        if (data.unsubscribeUrl && data.unsubscribeToken) {
          await fetch(data.unsubscribeUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ token: data.unsubscribeToken }),
          });
        }
        const subscription = await self.registration.pushManager.getSubscription();
        if (subscription) await subscription.unsubscribe();
        const left =
          data.locale === 'en'
            ? { title: 'Unsubscribed', body: 'You will get no more notifications in this browser.', lang: 'en' }
            : data.locale === 'de-x-ls'
              ? { title: 'Abgemeldet', body: 'Sie bekommen keine Mitteilungen mehr in diesem Browser.', lang: 'de' }
              : { title: 'Abbestellt', body: 'Sie erhalten keine Mitteilungen mehr in diesem Browser.', lang: 'de' };
        await self.registration.showNotification(left.title, { body: left.body, lang: left.lang });
      })(),
    );
    return;
  }
  if (data.url) event.waitUntil(self.clients.openWindow(data.url));
});

self.addEventListener('pushsubscriptionchange', (raw) => {
  const event = raw as PushSubscriptionChangeEvent;
  event.waitUntil(
    (async () => {
      const old = event.oldSubscription;
      let next = event.newSubscription;
      if (!next && old && old.options) next = await self.registration.pushManager.subscribe(old.options);
      if (!old || !next) return;
      await fetch(api('webpush/renew'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ oldEndpoint: old.endpoint, subscription: next.toJSON() }),
      });
    })(),
  );
});

// A module for TypeScript (so `self` above is this worker's own); the build removes this line.
export {};
