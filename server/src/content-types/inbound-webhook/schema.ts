/**
 * A provider webhook between its arrival and its processing. The payload holds phone numbers,
 * profile names and message texts, so it waits here, where erasure and retention reach it,
 * and the queue job carries only this row's id. The row is deleted once processed; one whose
 * processing never succeeded is deleted by retention after a week.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_inbound_webhooks',
  info: { singularName: 'inbound-webhook', pluralName: 'inbound-webhooks', displayName: 'Town Crier webhook (unprocessed)' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    channel: { type: 'string', required: true },
    payload: { type: 'json', required: true, private: true },
    receivedAt: { type: 'datetime', required: true },
  },
} as const;
