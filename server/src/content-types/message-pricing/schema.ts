import { MESSAGE_KINDS } from '../../../../shared/contracts/costs';

/**
 * Meta's pricing of each one-to-one WhatsApp message the town's number sent (a confirmation
 * template, a keyword answer, an interim reply, a STOP receipt, a staff reply): what the status
 * webhooks said (billable, category, model) and the kind our reference named. News deliveries
 * keep their pricing on their delivery rows. Keyed by a keyed hash of Meta's message id (a wamid
 * carries the number), so the row says nothing about a person and outlives every citizen's data.
 * Unique on `messageKey` in the database; written only by costs/pricing-ledger.ts.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_message_pricing',
  info: { singularName: 'message-pricing', pluralName: 'message-pricings', displayName: 'Town Crier message pricing' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    messageKey: { type: 'string', required: true },
    channel: { type: 'string', required: true },
    kind: { type: 'enumeration', enum: [...MESSAGE_KINDS], required: true },
    billable: { type: 'boolean' },
    pricingCategory: { type: 'string' },
    pricingModel: { type: 'string' },
    /** Meta's time of the first status that priced the message: the month it is counted in. */
    pricedAt: { type: 'datetime', required: true },
  },
} as const;
