import { CONSENT_EVENT_TYPES } from '../../constants';

/** Append-only consent ledger: what a citizen agreed to or withdrew, when, how and from where (truncated IP). */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_consent_events',
  info: { singularName: 'consent-event', pluralName: 'consent-events', displayName: 'Town Crier consent event' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    subscriber: { type: 'relation', relation: 'manyToOne', target: 'plugin::town-crier.subscriber' },
    channel: { type: 'string', required: true },
    type: { type: 'enumeration', enum: [...CONSENT_EVENT_TYPES], required: true },
    /** For `changed`: what the citizen chose, e.g. `villages: dakendorf, gnissau` (personal data: emptied by erasure). */
    detail: { type: 'text' },
    /** The language the citizen chose (`requested`) or changed to (`language-changed`): personal data, emptied by erasure. */
    language: { type: 'string' },
    consentVersion: { type: 'string' },
    consentTextHash: { type: 'string' },
    method: { type: 'string', required: true },
    ipTruncated: { type: 'string' },
    userAgent: { type: 'string' },
    occurredAt: { type: 'datetime', required: true },
  },
} as const;
