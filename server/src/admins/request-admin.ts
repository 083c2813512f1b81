/** What Strapi's authentication leaves on `ctx.state` that tells who the request is. */
interface RequestState {
  user?: { id?: unknown };
  auth?: { strategy?: { name?: string } };
}

/**
 * The admin user a request is made by, from its `ctx.state` (a controller's, or the request
 * context's for code that only sees the document service): someone logged in to the admin
 * (Strapi's `admin` strategy) or, unless `adminTokens` is false, an admin token acting for its
 * owner (`admin-token`). Null for anyone else: a Content API client, an API token, a citizen of
 * another plugin's user table, a script or a cron job with no request behind it.
 */
export function requestAdminId(state: unknown, { adminTokens = true }: { adminTokens?: boolean } = {}): number | null {
  if (!state || typeof state !== 'object') return null;
  const { auth, user } = state as RequestState;
  const strategy = auth?.strategy?.name;
  if (strategy !== 'admin' && !(adminTokens && strategy === 'admin-token')) return null;
  const id = Number(user?.id);
  return Number.isInteger(id) && id > 0 ? id : null;
}
