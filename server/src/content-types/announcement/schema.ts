/**
 * What goes out. Draft & publish: the first publish broadcasts. Worker-owned fields (broadcastStatus,
 * counters, reasons) are written to every row of the document, so a re-publish that re-creates
 * the published row from the draft keeps them.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_announcements',
  info: { singularName: 'announcement', pluralName: 'announcements', displayName: 'Town Crier announcement' },
  options: { draftAndPublish: true },
  pluginOptions: { 'content-manager': { visible: true }, 'content-type-builder': { visible: false } },
  attributes: {
    title: { type: 'string', required: true },
    text: { type: 'text', required: true },
    url: { type: 'string' },
    topics: { type: 'relation', relation: 'manyToMany', target: 'plugin::town-crier.topic' },
    urgency: { type: 'enumeration', enum: ['info', 'important', 'emergency'], default: 'info' },
    channels: { type: 'json' },
    sendAt: { type: 'datetime' },
    sourceUid: { type: 'string' },
    sourceDocumentId: { type: 'string' },
    sourceLocale: { type: 'string' },
    /** `uid|documentId|locale`; unique among published rows (a partial index made in bootstrap). */
    sourceKey: { type: 'string' },
    /** Set for an explicit "send update" of an earlier announcement. */
    updateOf: { type: 'string' },
    /** Not `status`: that name is the draft/published switch of the document service. */
    broadcastStatus: { type: 'enumeration', enum: ['scheduled', 'queued', 'sending', 'paused', 'sent', 'cancelled', 'failed'] },
    statusReason: { type: 'string' },
    /** When the broadcast continues (daily reach limit, quiet hours, grace delay). */
    resumesAt: { type: 'datetime' },
    fanOutDoneAt: { type: 'datetime' },
    finishedAt: { type: 'datetime' },
    recipientsCount: { type: 'integer', default: 0 },
    sentCount: { type: 'integer', default: 0 },
    deliveredCount: { type: 'integer', default: 0 },
    readCount: { type: 'integer', default: 0 },
    failedCount: { type: 'integer', default: 0 },
    skippedCount: { type: 'integer', default: 0 },
  },
} as const;
