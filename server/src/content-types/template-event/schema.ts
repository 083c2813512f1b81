/** What Meta said about the town's WhatsApp templates (status and category webhooks), for the channel status. */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_template_events',
  info: { singularName: 'template-event', pluralName: 'template-events', displayName: 'Town Crier template event' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    channel: { type: 'string', required: true },
    templateName: { type: 'string', required: true },
    language: { type: 'string' },
    /** `status` (message_template_status_update) or `category` (template_category_update). */
    change: { type: 'string', required: true },
    status: { type: 'string' },
    reason: { type: 'string' },
    previousCategory: { type: 'string' },
    newCategory: { type: 'string' },
    occurredAt: { type: 'datetime', required: true },
  },
} as const;
