/**
 * The text of a one-to-one message between its queueing and its sending: a command's answer
 * (which may repeat the citizen's villages, topics or own words, in their language), a staff
 * member's reply, a hint. It waits here, where erasure and retention reach it, and the queue
 * job carries only this row's id (docs/privacy.md, "Nothing personal in Redis"). Deleted once
 * sent or given up; one left behind goes with retention after a week.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_outgoing_messages',
  info: { singularName: 'outgoing-message', pluralName: 'outgoing-messages', displayName: 'Town Crier message waiting to be sent' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    channel: { type: 'string', required: true },
    /** Plain ids, not relations: erasure finds the rows of a subscriber or of an inbox message by them. */
    subscriberId: { type: 'integer' },
    inboundMessageId: { type: 'integer' },
    text: { type: 'text', required: true, private: true },
  },
} as const;
