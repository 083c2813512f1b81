import { APPROVAL_STATES } from '../../../../shared/contracts/approval';

/**
 * A broadcast's four-eyes approval: why it needs one, who published it, and a second person's
 * decision. One row per announcement that needed an approval; written only by
 * `approval/approvals.store.ts` (tests/unit/approval-table-owner.test.ts). The runs it holds are
 * `paused` with `awaiting-approval:<reason>` (dispatch owns them); this row is the record of the
 * request and the decision, not a second status. Hidden in the content manager.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_approvals',
  info: { singularName: 'approval', pluralName: 'approvals', displayName: 'Town Crier approval' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    announcementDocumentId: { type: 'string', required: true, unique: true },
    state: { type: 'enumeration', enum: [...APPROVAL_STATES], required: true },
    /** `ApprovalHold[]`: each reason, for the whole broadcast (`channels: null`) or some channels. */
    holds: { type: 'json' },
    /** `{ channel: reason }` for the runs that wait (empty for `outstanding`: everything went at once). */
    heldChannels: { type: 'json' },
    /** The village slugs the news is for when village rights held it (who may approve must hold them). */
    villages: { type: 'json' },
    /** Admin user ids: who published, who decided. Never an e-mail address. */
    publishedBy: { type: 'integer' },
    decidedBy: { type: 'integer' },
    note: { type: 'text' },
    decidedAt: { type: 'datetime' },
    /** When the approvers were told by e-mail (once). */
    notifiedAt: { type: 'datetime' },
  },
} as const;
