import { z } from 'zod';
import { idColumn, nullable, optionalDateColumn, parserOf } from '../database/row';
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS } from '../../../shared/contracts/audit';

/** A `town_crier_audit_events` row, parsed once where it is read: `occurredAt` as Date. */
const auditEventRow = z.object({
  id: idColumn,
  occurredAt: optionalDateColumn.transform((value) => value ?? new Date(0)),
  action: z.enum(AUDIT_ACTIONS),
  actorKind: z.enum(AUDIT_ACTOR_KINDS),
  actorId: nullable(idColumn),
  actorName: nullable(z.string()),
  announcementDocumentId: nullable(z.string()),
  announcementTitle: nullable(z.string()),
  subscriberId: nullable(idColumn),
  details: nullable(z.record(z.string(), z.unknown())),
});
export type AuditEventRow = z.infer<typeof auditEventRow>;

export const auditEventFromRow: (raw: unknown) => AuditEventRow = parserOf('audit event', auditEventRow);

/** The columns that say who acted, for the page's actor filter. */
const actorColumns = auditEventRow.pick({ actorKind: true, actorId: true, actorName: true });
export const auditActorFromRow = parserOf('audit event', actorColumns);

/** A `budget-changed` event's id and the amount it changed to (startup compares the config with it). */
const budgetChangeColumns = z.object({ id: idColumn, details: z.object({ next: z.number().nullish() }).nullish() });
export const budgetChangeFromRow = parserOf('audit event', budgetChangeColumns);

const parseIdFromRow = parserOf('audit event', z.object({ id: idColumn }));
export const idFromRow = (raw: unknown): number => parseIdFromRow(raw).id;
