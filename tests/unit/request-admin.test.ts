import { describe, expect, it } from 'vitest';
import { actorOfRequest } from '../../server/src/audit/actor';
import { requestAdminId } from '../../server/src/admins/request-admin';

/** `ctx.state` as Strapi's authentication leaves it for each kind of caller. */
const state = (strategy: string | null, user?: { id: unknown }, credentials?: { name: string }) => ({
  ...(user ? { user } : {}),
  ...(strategy ? { auth: { strategy: { name: strategy }, ...(credentials ? { credentials } : {}) } } : {}),
});

describe('the admin behind a request', () => {
  it('is the logged-in admin, or the owner of an admin token', () => {
    expect(requestAdminId(state('admin', { id: 4 }))).toBe(4);
    expect(requestAdminId(state('admin-token', { id: 4 }))).toBe(4);
    expect(requestAdminId(state('admin-token', { id: 4 }), { adminTokens: false })).toBeNull();
  });

  it('is nobody for other callers, whatever user they carry', () => {
    // The users-permissions plugin puts its own (citizen) user on `ctx.state.user`: not an admin.
    expect(requestAdminId(state('users-permissions', { id: 4 }))).toBeNull();
    expect(requestAdminId(state('api-token', undefined, { name: 'ci' }))).toBeNull();
    expect(requestAdminId(state(null))).toBeNull();
    expect(requestAdminId(undefined)).toBeNull();
    expect(requestAdminId(state('admin', { id: 'x' }))).toBeNull();
  });

  it('names the audit actor the same way', () => {
    expect(actorOfRequest({ state: state('admin', { id: 4 }) })).toBe(4);
    expect(actorOfRequest({ state: state('api-token', undefined, { name: 'ci' }) })).toEqual({ kind: 'api-token', name: 'ci' });
    // Before: the users-permissions user's id was recorded as an admin's, and named after whichever admin has that id.
    expect(actorOfRequest({ state: state('users-permissions', { id: 4 }) })).toBe('system');
  });
});
