/**
 * "Posted to the town's WhatsApp Channel", ticked by an editor for one broadcast: Meta has no API
 * for Channels, so the post is made by hand and recorded here with who and when. One writer:
 * server/src/whatsapp-channel/handoff.service.ts.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_channel_handoffs',
  info: { singularName: 'channel-handoff', pluralName: 'channel-handoffs', displayName: 'Town Crier channel hand-off' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    /** The announcement (documentId) that was posted. */
    announcementDocumentId: { type: 'string', required: true, unique: true },
    postedAt: { type: 'datetime', required: true },
    /** The admin's name as Strapi shows it (first and last name, or the username): staff, not a citizen. */
    postedBy: { type: 'string' },
    postedById: { type: 'integer' },
  },
} as const;
