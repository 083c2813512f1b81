import type { Core } from '@strapi/strapi';
import { z } from 'zod';

/** Strapi's Super Admin role: holds every permission, is never limited to villages. */
export const SUPER_ADMIN_ROLE = 'strapi-super-admin';

const roleRow = z.object({ id: z.coerce.number(), code: z.string() });

/** An `admin::user` row as Strapi's query engine answers it; a `select` leaves out what it does not name. */
const adminUserRow = z.object({
  id: z.coerce.number(),
  firstname: z.string().nullish(),
  lastname: z.string().nullish(),
  username: z.string().nullish(),
  email: z.string().nullish(),
  blocked: z.boolean().nullish(),
  preferedLanguage: z.string().nullish(),
  roles: z.array(roleRow).optional(),
});
export type AdminUser = z.infer<typeof adminUserRow>;
export type AdminRole = z.infer<typeof roleRow>;

export const adminUserFromRow = (raw: unknown): AdminUser => adminUserRow.parse(raw);
export const adminRoleFromRow = (raw: unknown): AdminRole => roleRow.parse(raw);

/** The name an admin gave Strapi (first and last name, else the username); null when they gave none. */
export const personalName = (user: Pick<AdminUser, 'firstname' | 'lastname' | 'username'>): string | null =>
  [user.firstname, user.lastname].filter(Boolean).join(' ').trim() || user.username || null;

/** An admin on a screen or in a mail: never by e-mail address (that is for mail only). */
export const displayName = (user: Pick<AdminUser, 'firstname' | 'lastname' | 'username'>): string => personalName(user) ?? 'Admin';

const NAME_FIELDS = ['id', 'firstname', 'lastname', 'username'];

/**
 * **Every read of Strapi's admin users** (`admin::user`) in the plugin: their names for the admin
 * and the audit trail, their roles for approval, their addresses for the notice mails. One place
 * that knows the table's shape; callers get parsed rows.
 */
export const adminUsersOf = (strapi: Core.Strapi) => {
  const users = () => strapi.db.query('admin::user');
  return {
    /** One admin with their roles, or null. */
    async withRoles(id: number): Promise<AdminUser | null> {
      const row = await users().findOne({ where: { id }, populate: ['roles'] });
      return row ? adminUserFromRow(row) : null;
    },

    /** Active admins holding any of `roleIds`, with their roles, oldest account first. */
    async activeInRoles(roleIds: number[]): Promise<AdminUser[]> {
      const rows: unknown[] = await users().findMany({ where: { isActive: true, roles: { id: { $in: roleIds } } }, populate: ['roles'], orderBy: { id: 'asc' } });
      return rows.map(adminUserFromRow);
    },

    /** Display names by admin user id (for "published by", "approved by"). */
    async namesOf(ids: Array<number | null | undefined>): Promise<Map<number, string>> {
      const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
      if (!wanted.length) return new Map();
      const rows: unknown[] = await users().findMany({ where: { id: { $in: wanted } }, select: NAME_FIELDS });
      return new Map(rows.map(adminUserFromRow).map((user) => [user.id, displayName(user)]));
    },

    /** The name an admin gave (the audit trail's actor), null when there is no such admin or no name. */
    async personalNameOf(id: number): Promise<string | null> {
      const row = await users().findOne({ where: { id }, select: NAME_FIELDS });
      return row ? personalName(adminUserFromRow(row)) : null;
    },

    /** The addresses of active, unblocked admins (only Super Admins when `superAdminsOnly`); admins without one are left out. */
    async activeEmails({ superAdminsOnly = false }: { superAdminsOnly?: boolean } = {}): Promise<string[]> {
      const rows: unknown[] = await users().findMany({
        where: { isActive: true, blocked: false, ...(superAdminsOnly ? { roles: { code: SUPER_ADMIN_ROLE } } : {}) },
        select: ['id', 'email'],
      });
      return rows.map(adminUserFromRow).flatMap((user) => (user.email ? [user.email] : []));
    },
  };
};
export type AdminUsers = ReturnType<typeof adminUsersOf>;
