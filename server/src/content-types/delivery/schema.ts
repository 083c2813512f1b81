import { DELIVERY_STATUSES } from '../../constants';

/** One message of one announcement to one subscriber on one channel; unique on that triple in the database. */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_deliveries',
  info: { singularName: 'delivery', pluralName: 'deliveries', displayName: 'Town Crier delivery' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    // Plain columns, not relations: fan-out bulk-inserts these rows with knex, and the
    // announcement's documentId survives re-publishing while its row ids do not.
    announcementDocumentId: { type: 'string', required: true },
    subscriberId: { type: 'integer', required: true },
    channel: { type: 'string', required: true },
    status: { type: 'enumeration', enum: [...DELIVERY_STATUSES], default: 'pending' },
    providerMessageId: { type: 'string' },
    attempts: { type: 'integer', default: 0 },
    /** Waits with a limit (Meta's marketing cap, 131049) used up so far; apart from attempts, since waiting is not failing. */
    limitedHolds: { type: 'integer', default: 0 },
    lastErrorCode: { type: 'string' },
    lastErrorClass: { type: 'string' },
    sentAt: { type: 'datetime' },
    /** Meta's `pricing` from status webhooks: whether the message is charged, and in which category. */
    billable: { type: 'boolean' },
    pricingCategory: { type: 'string' },
    pricingModel: { type: 'string' },
    statusAt: { type: 'datetime' },
    /** Set while a send is in flight; a claim found after a crash marks a send that may have reached the provider. */
    claimedAt: { type: 'datetime' },
    /**
     * Until when a waiting delivery is held by a wait the provider asked for (131049's 24 hours,
     * 80007, 132015) or an ambiguous send's wait for its receipt. Resume, a channel's resume and
     * the reconciler re-enqueue it no sooner; cleared when the delivery is claimed. Quiet hours
     * and the reach window are asked again at every send and are not stored here.
     */
    holdUntil: { type: 'datetime' },
  },
} as const;
