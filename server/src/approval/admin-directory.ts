import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../constants';
import { PERMISSIONS } from '../permissions';

/** Strapi's Super Admin role: holds every permission, is never limited to villages. */
const SUPER_ADMIN = 'strapi-super-admin';
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

interface AdminUserRow {
  id: number;
  firstname: string | null;
  lastname: string | null;
  username: string | null;
  email: string;
  isActive: boolean;
  blocked: boolean | null;
  preferedLanguage?: string | null;
  roles?: Array<{ id: number; code: string }>;
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

export const displayName = (user: Pick<AdminUserRow, 'firstname' | 'lastname' | 'username'>): string =>
  [user.firstname, user.lastname].filter(Boolean).join(' ').trim() || user.username || 'Admin';

/** Who the town's admins are, as far as approval asks: their village rights, who may approve, their names. */
export const adminDirectoryOf = (strapi: Core.Strapi) => {
  const users = () => strapi.db.query('admin::user');
  const permissions = () => strapi.db.query('admin::permission');

  const villagesOfRoles = async (roles: Array<{ id: number; code: string }>): Promise<string[] | null> => {
    if (!roles.length || roles.some((role) => role.code === SUPER_ADMIN)) return null;
    const rows = (await permissions().findMany({ where: { role: { id: { $in: roles.map((role) => role.id) } } }, select: ['conditions'] })) as Array<{ conditions: unknown }>;
    const villages = new Set<string>();
    for (const row of rows) {
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
      const user = (await users().findOne({ where: { id: userId }, populate: ['roles'] })) as AdminUserRow | null;
      return user ? villagesOfRoles(user.roles ?? []) : null;
    },

    /** Active admins holding `broadcasts.approve` (Super Admins always do), with their village rights. */
    async approvers(): Promise<Approver[]> {
      const granted = (await permissions().findMany({ where: { action: PERMISSIONS.approveBroadcasts }, populate: ['role'] })) as Array<{ role: { id: number } | null }>;
      const roleIds = new Set(granted.flatMap((row) => (row.role ? [row.role.id] : [])));
      const superAdmin = (await strapi.db.query('admin::role').findOne({ where: { code: SUPER_ADMIN }, select: ['id'] })) as { id: number } | null;
      if (superAdmin) roleIds.add(superAdmin.id);
      if (!roleIds.size) return [];
      const rows = (await users().findMany({ where: { isActive: true, roles: { id: { $in: [...roleIds] } } }, populate: ['roles'], orderBy: { id: 'asc' } })) as AdminUserRow[];
      const approvers: Approver[] = [];
      for (const row of rows) {
        if (row.blocked) continue;
        approvers.push({ id: row.id, name: displayName(row), email: row.email, villages: await villagesOfRoles(row.roles ?? []), language: row.preferedLanguage === 'en' ? 'en' : 'de' });
      }
      return approvers;
    },

    /** Names by admin user id (for "published by", "approved by"). */
    async namesOf(ids: Array<number | null | undefined>): Promise<Map<number, string>> {
      const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
      if (!wanted.length) return new Map();
      const rows = (await users().findMany({ where: { id: { $in: wanted } }, select: ['id', 'firstname', 'lastname', 'username'] })) as AdminUserRow[];
      return new Map(rows.map((row) => [row.id, displayName(row)]));
    },
  };
  return api;
};

/** Whether an approver's villages cover news for `villages` (empty: the whole town). */
export const coversVillages = (approverVillages: readonly string[] | null, villages: readonly string[]) =>
  approverVillages === null || (villages.length > 0 && villages.every((village) => approverVillages.includes(village)));
