/**
 * The admin API's answers as strict zod schemas: each one has exactly the keys of its type in
 * ./admin-api.ts, no more, and the compiler checks that (the `…ContractChecks` beside each schema), so a field renamed,
 * added or dropped in a type fails `npm run typecheck` until its schema says the same.
 *
 * Neither the server nor the admin parses its own answers at run time (the controllers' mappers
 * and `satisfies Sendable<…>` hold them to the types at compile time); the integration tests parse
 * every answer they read with these schemas, so a database column that leaks into an answer (an
 * internal `id`, `createdAt`, `sourceKey`, a stored counter beside its contract name) fails a test.
 *
 * By area: ./admin-responses.broadcasts.ts (with costs), ./admin-responses.stats.ts,
 * ./admin-responses.preview.ts, ./admin-responses.channels.ts (channels, inbox, sandbox, results);
 * ./admin-responses.fields.ts the shared pieces. This file re-exports them and holds the audit trail's,
 * the official warnings' and the permissions' schemas.
 */
import { z } from 'zod';
import { PERMISSION_UIDS, type PermissionName } from '../permissions';
import { type Holds, type Same, count, enumOf, optionalText, paginationSchema, text } from './admin-responses.fields';
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS, type AuditActor, type AuditEvent } from './audit';
import { type OfficialWarningsOverview, WARNING_DRAFT_KINDS, WARNING_SEVERITIES, WARNING_SOURCES } from './warnings';
import type * as Api from './admin-api';
export { dataResponseSchema, paginationSchema } from './admin-responses.fields';
export * from './admin-responses.broadcasts';
export * from './admin-responses.stats';
export * from './admin-responses.preview';
export * from './admin-responses.channels';

export const auditEventSchema = z.strictObject({
  id: count,
  occurredAt: text,
  action: enumOf(AUDIT_ACTIONS),
  actorKind: enumOf(AUDIT_ACTOR_KINDS),
  actorId: count.nullable(),
  actorName: optionalText,
  broadcastId: optionalText,
  broadcastTitle: optionalText,
  subscriberId: count.nullable(),
  details: z.record(z.string(), z.unknown()),
});

export const auditActorSchema = z.strictObject({ actorKind: enumOf(AUDIT_ACTOR_KINDS), actorId: count.nullable(), actorName: optionalText });

export const auditListResponseSchema = z.strictObject({ data: z.array(auditEventSchema), meta: z.strictObject({ pagination: paginationSchema }) });

export const officialWarningsOverviewSchema = z.strictObject({
  sources: z.array(
    z.strictObject({ source: enumOf(WARNING_SOURCES), lastSuccessAt: optionalText, failingSince: optionalText, lastError: optionalText, activeWarnings: count }),
  ),
  drafts: z.array(
    z.strictObject({
      source: enumOf(WARNING_SOURCES),
      kind: enumOf(WARNING_DRAFT_KINDS),
      headline: text,
      severity: enumOf(WARNING_SEVERITIES),
      contentType: text,
      documentId: text,
      createdAt: text,
      autoPublished: z.boolean(),
    }),
  ),
});

/** GET /me/permissions: one flag per plugin permission, named as in shared/permissions.ts. */
export const pluginPermissionsSchema = z.strictObject(
  Object.fromEntries(Object.keys(PERMISSION_UIDS).map((name) => [name, z.boolean()])) as Record<PermissionName, z.ZodBoolean>,
);

// ---- the compiler's side: each schema is its type, exactly -------------------------------------

/** Each schema of this file is its type; the other areas' files hold their own (`…ContractChecks`). */
export type ContractChecks = [
  Holds<Same<typeof auditEventSchema, AuditEvent>>,
  Holds<Same<typeof auditActorSchema, AuditActor>>,
  Holds<Same<typeof auditListResponseSchema, Api.AuditListResponse>>,
  Holds<Same<typeof officialWarningsOverviewSchema, OfficialWarningsOverview>>,
  Holds<Same<typeof pluginPermissionsSchema, Api.PluginPermissions>>,
];
