import { useMemo } from 'react';
import { useAuth } from '@strapi/strapi/admin';
import { PERMISSIONS } from '../../../shared/permissions';
import type { PluginPermissions } from '../api/client';

/** The server's vocabulary (shared/permissions.ts): one declaration for routes and pages. */
export const ACTIONS: Record<keyof PluginPermissions, string> = PERMISSIONS;

/**
 * What the logged-in admin may do in this plugin, from the permissions the admin app already
 * loaded for the user (the same list `useRBAC` checks). `useRBAC` itself is not used: it names
 * results after the last action segment, so `broadcasts.manage` and `inbox.manage` would both be
 * `canManage`. The plugin actions have no conditions, so a plain match is the whole check.
 */
export function usePluginPermissions(): PluginPermissions & { isLoading: boolean } {
  const permissions = useAuth('TownCrier', (state) => state.permissions);
  const isLoading = useAuth('TownCrier', (state) => state.isLoading);
  return useMemo(() => {
    const held = new Set((permissions ?? []).map((permission) => permission.action));
    const entries = Object.entries(ACTIONS).map(([key, action]) => [key, held.has(action)]);
    return { ...(Object.fromEntries(entries) as unknown as PluginPermissions), isLoading };
  }, [permissions, isLoading]);
}
