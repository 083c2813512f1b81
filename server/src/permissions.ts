import { PLUGIN_ID } from './constants';

/** Admin RBAC actions; ids become `plugin::town-crier.<uid>`. */
export const PERMISSIONS = {
  readStats: `plugin::${PLUGIN_ID}.stats.read`,
  manageBroadcasts: `plugin::${PLUGIN_ID}.broadcasts.manage`,
  readSubscribers: `plugin::${PLUGIN_ID}.subscribers.read`,
  manageInbox: `plugin::${PLUGIN_ID}.inbox.manage`,
  readChannels: `plugin::${PLUGIN_ID}.channels.read`,
} as const;

export const PERMISSION_ACTIONS = [
  { section: 'plugins', displayName: 'Read subscriber and delivery statistics', uid: 'stats.read', pluginName: PLUGIN_ID },
  { section: 'plugins', displayName: 'Manage broadcasts', uid: 'broadcasts.manage', pluginName: PLUGIN_ID },
  { section: 'plugins', displayName: "Read subscribers' personal data", uid: 'subscribers.read', pluginName: PLUGIN_ID },
  { section: 'plugins', displayName: 'Manage the inbox', uid: 'inbox.manage', pluginName: PLUGIN_ID },
  { section: 'plugins', displayName: 'Read channel settings', uid: 'channels.read', pluginName: PLUGIN_ID },
];

/** Route policy config: logged-in admin with the given action. */
export const requirePermission = (action: string) => [
  'admin::isAuthenticatedAdmin',
  { name: 'admin::hasPermissions', config: { actions: [action] } },
];
