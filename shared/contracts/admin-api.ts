/**
 * The plugin's admin API (routes under /town-crier, server/src/routes/admin.ts): what each route
 * answers. The server's controllers check what they send against these types and the admin's
 * client (admin/src/api/client.ts) reads them, so renaming a field fails `npm run typecheck` on
 * both sides. Request bodies and queries are the zod schemas in ./admin-requests.ts.
 *
 * By area: ./admin-api.broadcasts.ts, ./admin-api.stats.ts, ./admin-api.channels.ts (channels, inbox,
 * sandbox), ./admin-api.preview.ts (the side panel); this file re-exports them with what they share.
 */
import type { PermissionName } from '../permissions';
export type { OfficialWarningOrigin, OfficialWarningsOverview, WarningDraftNotice, WarningSourceStatus } from './warnings';
import type { AuditEvent } from './audit';

export type { BroadcastStatus, FollowUpKind, RunState, WaitingReason } from './broadcasts';
export type { ChannelProblem } from './channels';
export type { AuditAction, AuditActor, AuditActorKind, AuditEvent } from './audit';
export type { ApprovalHoldReason, ApprovalState } from './approval';
export type { CategoryCost, CostSummary } from '../costs';
export type { BudgetStatus, BudgetVerdict, KindCost, MessageKind } from './costs';
export { MESSAGE_KINDS } from './costs';
export * from './admin-api.stats';
export * from './admin-api.broadcasts';
export * from './admin-api.channels';
export * from './admin-api.preview';

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  pageCount?: number;
}

export type PluginPermissions = Record<PermissionName, boolean>;

/** GET /audit: the audit trail's events, newest first, with the page's filters applied. */
export interface AuditListResponse {
  data: AuditEvent[];
  meta: { pagination: Pagination };
}

/** Strapi's `{ data }` envelope of the admin API. */
export interface DataResponse<T> {
  data: T;
}

/** POST /subscribers/:id/erase. */
export interface EraseResult {
  erased: true;
}

/** POST /subscribers/purge-withdrawn: what the retention purge deleted. */
export interface PurgeResult {
  subscribers: number;
  messages: number;
  outbox: number;
}
