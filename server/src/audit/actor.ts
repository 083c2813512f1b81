import { AsyncLocalStorage } from 'node:async_hooks';
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { requestAdminId } from '../admins/request-admin';

/** Who acted, as `record` takes it: an admin user's id, the plugin itself, or an API token by name. */
export type AuditActorInput = number | 'system' | { kind: 'api-token'; name: string | null };

interface ApiTokenState {
  auth?: { strategy?: { name?: string }; credentials?: { name?: string } };
}

/**
 * The actor of a request: the logged-in admin on the plugin's admin routes (they require one),
 * an API token by name, else the system (nobody the trail could name as an admin).
 */
export function actorOfRequest(ctx: Pick<Context, 'state'>): AuditActorInput {
  const { auth } = ctx.state as ApiTokenState;
  if (auth?.strategy?.name === 'api-token') return { kind: 'api-token', name: auth.credentials?.name ?? null };
  return requestAdminId(ctx.state) ?? 'system';
}

/**
 * The actor of whatever request the current code runs in (Strapi's request context), for code
 * that only sees the document service, such as the publish middleware: the admin in the content
 * manager, an API token on the content API, and the system when no request is behind it (a
 * scheduled release, a script).
 */
export function currentActor(strapi: Core.Strapi): AuditActorInput {
  const ctx = strapi.requestContext?.get?.() as Pick<Context, 'state'> | undefined;
  return ctx?.state ? actorOfRequest(ctx) : 'system';
}

/** The actor as a publish intent stores it (one string column), and back. */
export const actorToColumn = (actor: AuditActorInput): string =>
  actor === 'system' ? 'system' : typeof actor === 'number' ? `admin:${actor}` : `api-token:${actor.name ?? ''}`;
export function actorFromColumn(value: string | null | undefined): AuditActorInput {
  if (!value || value === 'system') return 'system';
  if (value.startsWith('admin:')) {
    const id = Number(value.slice('admin:'.length));
    return Number.isInteger(id) && id > 0 ? id : 'system';
  }
  if (value.startsWith('api-token:')) return { kind: 'api-token', name: value.slice('api-token:'.length) || null };
  return 'system';
}

const publishAuditCovered = new AsyncLocalStorage<true>();
/**
 * Runs an admin action that publishes an announcement of its own (the broadcast monitor's "send
 * update") and records its own event: the publish inside it adds no "published" event.
 */
export const coveringPublishAudit = <T>(action: () => Promise<T>): Promise<T> => publishAuditCovered.run(true, action);
/** Whether the current code runs inside `coveringPublishAudit`. */
export const publishAuditIsCovered = (): boolean => publishAuditCovered.getStore() === true;
