/**
 * The outbox of publishing: a publish that still has to become a broadcast. Written in the same
 * transaction as the publish itself and deleted once the announcement and its runs exist, so a
 * crash or an error in between leaves this row behind and the reconciler carries it out (see
 * `dispatch/publish-outbox.service.ts`). Hidden in the content manager.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_publish_intents',
  info: { singularName: 'publish-intent', pluralName: 'publish-intents', displayName: 'Town Crier publish intent' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    /** What was published: the announcement type itself, or a mapped news type. */
    sourceUid: { type: 'string', required: true },
    entryDocumentId: { type: 'string', required: true },
    entryLocale: { type: 'string' },
    /** Until when the process that wrote it is carrying it out; after that, or when it gave up, the reconciler may. */
    leaseUntil: { type: 'datetime' },
    attempts: { type: 'integer', default: 0 },
    /** Who published (audit/actor.ts `actorToColumn`), read from the request when the intent is written, for the audit trail. */
    actor: { type: 'string' },
    /** The admin user who published (from the request), for four-eyes approval; null for a script or API client. */
    publishedBy: { type: 'integer' },
  },
} as const;
