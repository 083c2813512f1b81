/** Messages citizens wrote that are not commands: the town's inbox. */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_inbound_messages',
  info: { singularName: 'inbound-message', pluralName: 'inbound-messages', displayName: 'Town Crier inbox message' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    channel: { type: 'string', required: true },
    subscriber: { type: 'relation', relation: 'manyToOne', target: 'plugin::town-crier.subscriber' },
    /** The sender's address, kept so staff can answer someone who is not (yet) a subscriber. */
    fromAddress: { type: 'string', private: true },
    providerMessageId: { type: 'string', unique: true },
    text: { type: 'text' },
    receivedAt: { type: 'datetime', required: true },
    handledAt: { type: 'datetime' },
    /** `system` for command traffic the plugin answered itself, else `admin:<id>` of the staff member. */
    handledBy: { type: 'string' },
    /** Staff's answer, so a colleague sees what the citizen was told. */
    replyText: { type: 'text' },
    repliedAt: { type: 'datetime' },
    /** When the automatic interim reply went out for this message (at most one per sender per period). */
    autoRepliedAt: { type: 'datetime' },
  },
} as const;
