import { PLUGIN_ID } from './pluginId';
import { PluginIcon } from './components/PluginIcon';
import { ACTIONS } from './hooks/usePluginPermissions';

const MENU_ACTIONS = [ACTIONS.readStats, ACTIONS.manageBroadcasts, ACTIONS.manageInbox, ACTIONS.readChannels];

interface AdminApp {
  addMenuLink(link: unknown): void;
  registerPlugin(plugin: { id: string; name: string }): void;
}

export default {
  register(app: AdminApp) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: PluginIcon,
      intlLabel: { id: `${PLUGIN_ID}.plugin.name`, defaultMessage: 'Town Crier' },
      // Strapi shows a menu link when the role holds any one of these; the page hides the tabs it can't use.
      permissions: MENU_ACTIONS.map((action) => ({ action, subject: null })),
      Component: () => import('./pages/App'),
    });
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_ID });
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: data } = await import(`./translations/${locale}.json`);
          const prefixed = Object.fromEntries(Object.entries(data as Record<string, string>).map(([key, value]) => [`${PLUGIN_ID}.${key}`, value]));
          return { data: prefixed, locale };
        } catch {
          return { data: {}, locale };
        }
      })
    );
  },
};
