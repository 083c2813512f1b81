import { z } from 'zod';
import { strict } from './strict';

/**
 * The audit trail (server/src/audit/): how long it is kept. Two years by default: long enough for
 * a data-protection officer's or auditor's look back over the last full year and the one before,
 * short enough that admins' names do not stay for ever. Only retention deletes events.
 */
export const auditConfigSchema = strict.object({
  /** Days an event is kept; older events are deleted by each worker's retention timer. */
  retentionDays: z.number().int().min(30).max(3650).default(730),
});
export type AuditConfig = z.infer<typeof auditConfigSchema>;
