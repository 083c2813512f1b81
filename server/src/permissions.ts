import { PLUGIN_ID } from './constants';
import { PERMISSIONS, PERMISSION_DISPLAY_NAMES, PERMISSION_UIDS, type PermissionName } from '../../shared/permissions';

/** Admin RBAC actions, from the vocabulary the admin shares (shared/permissions.ts). */
export { PERMISSIONS };

export const PERMISSION_ACTIONS = (Object.keys(PERMISSION_UIDS) as PermissionName[]).map((name) => ({
  section: 'plugins',
  displayName: PERMISSION_DISPLAY_NAMES[name],
  uid: PERMISSION_UIDS[name],
  pluginName: PLUGIN_ID,
}));

/** Route policy config: logged-in admin holding the given action (every one of them, when several). */
export const requirePermission = (action: string | string[]) => [
  'admin::isAuthenticatedAdmin',
  { name: 'admin::hasPermissions', config: { actions: Array.isArray(action) ? action : [action] } },
];
