/** Sandbox mode: the exact request bodies the adapter would have sent to the provider. */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_outbox_messages',
  info: { singularName: 'outbox-message', pluralName: 'outbox-messages', displayName: 'Town Crier sandbox outbox' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    channel: { type: 'string', required: true },
    toAddress: { type: 'string', private: true },
    providerMessageId: { type: 'string' },
    body: { type: 'json', required: true },
  },
} as const;
