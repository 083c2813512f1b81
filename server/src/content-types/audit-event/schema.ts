import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS } from '../../../../shared/contracts/audit';

/**
 * The audit trail: who did what to a broadcast or a citizen, and when (server/src/audit/ is its
 * one writer). Hidden in the content manager and the content-type builder, so nobody edits or
 * deletes an event there; only retention deletes (`audit.retentionDays`). A citizen appears by
 * subscriber id only, never by address, number or name.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_audit_events',
  info: { singularName: 'audit-event', pluralName: 'audit-events', displayName: 'Town Crier audit event' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    occurredAt: { type: 'datetime', required: true },
    action: { type: 'enumeration', enum: [...AUDIT_ACTIONS], required: true },
    actorKind: { type: 'enumeration', enum: [...AUDIT_ACTOR_KINDS], required: true },
    /** The admin user's id (or null for the system and API tokens). */
    actorId: { type: 'integer' },
    /** The actor's display name when the event was recorded, so a deleted admin still reads. */
    actorName: { type: 'string' },
    /** The broadcast: its announcement's documentId, and the title it had then. */
    announcementDocumentId: { type: 'string' },
    announcementTitle: { type: 'string' },
    /** The citizen: the subscriber row's id only. */
    subscriberId: { type: 'integer' },
    /** The action's small typed facts (shared/contracts/audit.ts `AuditDetailsOf`); never personal data. */
    details: { type: 'json' },
    /**
     * Set for actions that must appear once however often they are carried out (a publish the
     * reconciler carries out again); unique in the database, so a second record is a no-op.
     */
    onceKey: { type: 'string' },
  },
} as const;
