/**
 * Public routes under /api/town-crier. No login: citizens and providers call these. Their body
 * limits act before parsing, in the application's middleware list (middlewares/body-limit.ts).
 */

const webpushThrottle = { name: 'plugin::town-crier.rate-limit', config: { bucket: 'webpush' } };

export default () => ({
  type: 'content-api',
  routes: [
    { method: 'GET', path: '/topics', handler: 'public.topics', config: { auth: false } },
    { method: 'GET', path: '/villages', handler: 'public.villages', config: { auth: false } },
    { method: 'GET', path: '/consent', handler: 'public.consent', config: { auth: false } },
    {
      method: 'POST',
      path: '/subscriptions',
      handler: 'public.subscribe',
      config: { auth: false, middlewares: ['plugin::town-crier.rate-limit'] },
    },
    // GET pages behind e-mail links only show a button; the POST beside each does the work.
    { method: 'GET', path: '/subscriptions/confirm', handler: 'public.confirmPage', config: { auth: false } },
    { method: 'GET', path: '/subscriptions/unsubscribe', handler: 'public.unsubscribePage', config: { auth: false } },
    { method: 'POST', path: '/subscriptions/confirm', handler: 'public.confirm', config: { auth: false } },
    { method: 'POST', path: '/subscriptions/unsubscribe', handler: 'public.unsubscribe', config: { auth: false } },
    { method: 'GET', path: '/subscriptions/language', handler: 'public.languagePage', config: { auth: false } },
    { method: 'POST', path: '/subscriptions/language', handler: 'public.changeLanguage', config: { auth: false } },
    // Anonymous like a sign-up, so counted per client like one (a budget of their own).
    { method: 'POST', path: '/webpush/unsubscribe', handler: 'public.pushUnsubscribe', config: { auth: false, middlewares: [webpushThrottle] } },
    { method: 'POST', path: '/webpush/renew', handler: 'public.pushRenew', config: { auth: false, middlewares: [webpushThrottle] } },
    { method: 'GET', path: '/signup', handler: 'signup-page.page', config: { auth: false } },
    { method: 'GET', path: '/signup.js', handler: 'signup-page.script', config: { auth: false } },
    { method: 'GET', path: '/signup/sw.js', handler: 'signup-page.serviceWorker', config: { auth: false } },
    { method: 'GET', path: '/signup/manifest.webmanifest', handler: 'signup-page.manifest', config: { auth: false } },
    { method: 'GET', path: '/feed.xml', handler: 'feed.rss', config: { auth: false } },
    { method: 'GET', path: '/feed.atom', handler: 'feed.atom', config: { auth: false } },
    { method: 'GET', path: '/webhooks/:channel', handler: 'webhooks.handshake', config: { auth: false } },
    { method: 'POST', path: '/webhooks/:channel', handler: 'webhooks.receive', config: { auth: false } },
  ],
});
