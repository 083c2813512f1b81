/** The service worker itself is server/src/signup/browser/service-worker.ts, compiled at build time. */
export { SERVICE_WORKER_SCRIPT } from './browser-assets.generated';

/** The web app manifest: an iPhone (iOS 16.4+) offers Web Push only to a page added to the Home Screen. */
export function webAppManifest(options: { name: string; shortName: string; startUrl: string; scope: string; icon: string | null; locale: string }) {
  return {
    name: options.name,
    short_name: options.shortName.slice(0, 12),
    lang: options.locale,
    start_url: options.startUrl,
    scope: options.scope,
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#0047cc',
    icons: options.icon ? [{ src: options.icon, sizes: '192x192', purpose: 'any' }] : [],
  };
}
