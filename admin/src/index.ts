import { PLUGIN_ID } from './pluginId';
import { PluginIcon } from './components/PluginIcon';
import { PublishPreviewPanel } from './components/PublishPreviewPanel';
import { FollowUpPanel } from './components/FollowUpPanel';
import { ACTIONS } from './hooks/usePluginPermissions';
import { contentManagerMessages } from './contentTypeLabels';

const MENU_ACTIONS = [ACTIONS.readStats, ACTIONS.manageBroadcasts, ACTIONS.manageInbox, ACTIONS.readChannels];

interface AdminApp {
  addMenuLink(link: unknown): void;
  registerPlugin(plugin: { id: string; name: string }): void;
}

/** The content manager's plugin API as far as this plugin uses it (typed `Record<string, unknown>` by Strapi). */
interface ContentManagerApis {
  addEditViewSidePanel(panels: Array<typeof PublishPreviewPanel | typeof FollowUpPanel>): void;
}

interface AdminAppAtBootstrap {
  getPlugin(id: string): { apis: Record<string, unknown> } | undefined;
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

  bootstrap(app: AdminAppAtBootstrap) {
    const apis = app.getPlugin('content-manager')?.apis as ContentManagerApis | undefined;
    // The panel decides per entry (through GET /preview) whether its type is broadcast at all.
    // The follow-up panel likewise (through GET /follow-ups), and marks an entry as an update or all-clear.
    apis?.addEditViewSidePanel?.([PublishPreviewPanel, FollowUpPanel]);
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: data } = await import(`./translations/${locale}.json`);
          const prefixed = Object.fromEntries(Object.entries(data as Record<string, string>).map(([key, value]) => [`${PLUGIN_ID}.${key}`, value]));
          // The content manager looks up type names and field labels under its own ids.
          return { data: { ...prefixed, ...contentManagerMessages(prefixed) }, locale };
        } catch {
          return { data: {}, locale };
        }
      })
    );
  },
};
