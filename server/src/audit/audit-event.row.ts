import { z } from 'zod';
import { dbDate, nullable } from '../database/row-fields';
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS } from '../../../shared/contracts/audit';

/** A `town_crier_audit_events` row, parsed once where it is read: `occurredAt` as Date. */
const auditEventRow = z.object({
  id: z.coerce.number(),
  occurredAt: dbDate.transform((value) => value ?? new Date(0)),
  action: z.enum(AUDIT_ACTIONS),
  actorKind: z.enum(AUDIT_ACTOR_KINDS),
  actorId: nullable(z.coerce.number()),
  actorName: nullable(z.string()),
  announcementDocumentId: nullable(z.string()),
  announcementTitle: nullable(z.string()),
  subscriberId: nullable(z.coerce.number()),
  details: nullable(z.record(z.string(), z.unknown())),
});
export type AuditEventRow = z.infer<typeof auditEventRow>;

export const auditEventFromRow = (raw: unknown): AuditEventRow => auditEventRow.parse(raw);

/** The columns that say who acted, for the page's actor filter. */
const actorColumns = auditEventRow.pick({ actorKind: true, actorId: true, actorName: true });
export const auditActorFromRow = (raw: unknown) => actorColumns.parse(raw);

/** A `budget-changed` event's id and the amount it changed to (startup compares the config with it). */
const budgetChangeColumns = z.object({ id: z.coerce.number(), details: z.object({ next: z.number().nullish() }).nullish() });
export const budgetChangeFromRow = (raw: unknown) => budgetChangeColumns.parse(raw);

export const idFromRow = (raw: unknown): number => z.object({ id: z.coerce.number() }).parse(raw).id;
