/**
 * Delivery records that retention deleted (citizens withdrawn longer than `retentionDays`),
 * counted per announcement, channel and status before they went, so a broadcast's totals stay
 * true after the records behind them are gone. Holds counts only, nothing about a person.
 * Unique on (announcement, channel, status) in the database. Hidden in the content manager.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_delivery_tallies',
  info: { singularName: 'delivery-tally', pluralName: 'delivery-tallies', displayName: 'Town Crier delivery tally' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    announcementDocumentId: { type: 'string', required: true },
    channel: { type: 'string', required: true },
    status: { type: 'string', required: true },
    count: { type: 'integer', default: 0 },
  },
} as const;
