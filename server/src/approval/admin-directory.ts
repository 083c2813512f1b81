import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { PLUGIN_ID } from '../constants';
import { PERMISSIONS } from '../permissions';
import { adminRoleFromRow, adminUsersOf, displayName, SUPER_ADMIN_ROLE, type AdminRole } from '../admins/admin-users';
/** A village condition's id: `plugin::town-crier.village-<slug>` (Strapi derives it from plugin and name). */
const VILLAGE_CONDITION = `plugin::${PLUGIN_ID}.village-`;

/**
 * Send rights per village are a role condition, set where a town's admin sets every other right:
 * Settings → Roles → the role → the Publish permission of the news type (or Town Crier's
 * "Manage broadcasts") → conditions → "Nur Ortsteil Mühlenfeld". One condition per configured
 * village, registered at bootstrap. The condition itself always lets the action through (its
 * handler answers true: the right to publish stays as it was); what it says is read at publish:
 * news beyond the villages a role holds waits for an approval (docs/admin.md, "Send rights per village").
 */
export async function registerVillageConditions(strapi: Core.Strapi, villages: ReadonlyArray<{ slug: string; name: string }>) {
  const provider = (strapi.admin.services.permission as unknown as { conditionProvider: { registerMany(conditions: unknown[]): Promise<unknown> } }).conditionProvider;
  await provider.registerMany(
    villages.map((village) => ({
      name: `village-${village.slug}`,
      displayName: `Nur Ortsteil ${village.name}`,
      plugin: PLUGIN_ID,
      category: 'Town Crier: Ortsteile',
      handler: () => true,
    }))
  );
}

/** An admin as approval names them: never by e-mail address on a screen (the address is for the notification mail only). */
export interface Approver {
  id: number;
  name: string;
  email: string;
  /** The villages their roles limit them to; null: not limited. */
  villages: string[] | null;
  /** The admin interface language they chose (Strapi's `preferedLanguage`): the notification is in it. */
  language: 'de' | 'en';
}

/** An `admin::permission` row as approval reads it: its conditions (village rights) or its role (who may approve). */
const permissionRow = z.object({ conditions: z.unknown().optional(), role: z.object({ id: z.coerce.number() }).nullish() });
const permissionFromRow = (raw: unknown) => permissionRow.parse(raw);

/** Who the town's admins are, as far as approval asks: their village rights, who may approve, their names. */
export const adminDirectoryOf = (strapi: Core.Strapi) => {
  const users = adminUsersOf(strapi);
  const permissions = () => strapi.db.query('admin::permission');

  const villagesOfRoles = async (roles: AdminRole[]): Promise<string[] | null> => {
    if (!roles.length || roles.some((role) => role.code === SUPER_ADMIN_ROLE)) return null;
    const rows: unknown[] = await permissions().findMany({ where: { role: { id: { $in: roles.map((role) => role.id) } } }, select: ['conditions'] });
    const villages = new Set<string>();
    for (const row of rows.map(permissionFromRow)) {
      for (const condition of Array.isArray(row.conditions) ? row.conditions : []) {
        if (typeof condition === 'string' && condition.startsWith(VILLAGE_CONDITION)) villages.add(condition.slice(VILLAGE_CONDITION.length));
      }
    }
    return villages.size ? [...villages].sort() : null;
  };

  const api = {
    /** The villages an admin may reach on their own: null when no role of theirs carries a village condition. */
    async villageRightsOf(userId: number | null | undefined): Promise<string[] | null> {
      if (!userId) return null;
      const user = await users.withRoles(userId);
      return user ? villagesOfRoles(user.roles ?? []) : null;
    },

    /** Active admins holding `broadcasts.approve` (Super Admins always do), with their village rights. */
    async approvers(): Promise<Approver[]> {
      const granted: unknown[] = await permissions().findMany({ where: { action: PERMISSIONS.approveBroadcasts }, populate: ['role'] });
      const roleIds = new Set(granted.map(permissionFromRow).flatMap((row) => (row.role ? [row.role.id] : [])));
      const superAdmin = await strapi.db.query('admin::role').findOne({ where: { code: SUPER_ADMIN_ROLE }, select: ['id', 'code'] });
      if (superAdmin) roleIds.add(adminRoleFromRow(superAdmin).id);
      if (!roleIds.size) return [];
      const approvers: Approver[] = [];
      for (const user of await users.activeInRoles([...roleIds])) {
        if (user.blocked) continue;
        approvers.push({ id: user.id, name: displayName(user), email: user.email ?? '', villages: await villagesOfRoles(user.roles ?? []), language: user.preferedLanguage === 'en' ? 'en' : 'de' });
      }
      return approvers;
    },

    /** Names by admin user id (for "published by", "approved by"). */
    namesOf: users.namesOf,
  };
  return api;
};

/** Whether an approver's villages cover news for `villages` (empty: the whole town). */
export const coversVillages = (approverVillages: readonly string[] | null, villages: readonly string[]) =>
  approverVillages === null || (villages.length > 0 && villages.every((village) => approverVillages.includes(village)));
