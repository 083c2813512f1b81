import { CHANNEL_IDS, SUBSCRIBER_STATUSES } from '../../constants';

/**
 * One citizen on one channel. Personal data (address, name) is private: it never leaves
 * through the content API, and erasure nulls it while the row stays for anonymous counts.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_subscribers',
  info: { singularName: 'subscriber', pluralName: 'subscribers', displayName: 'Town Crier subscriber' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    channel: { type: 'enumeration', enum: [...CHANNEL_IDS], required: true },
    /**
     * E.164 for WhatsApp (or, for a citizen known only by username, their BSUID), the lower-cased
     * address for e-mail, the chat id for Telegram (null until the citizen opens the deep link),
     * for Web Push `wp:` and a hash of the push endpoint (the endpoint is too long for a string
     * column and must not show in the admin). Null once erased.
     */
    address: { type: 'string', private: true },
    /**
     * WhatsApp's business-scoped user id (BSUID) whenever a webhook told us, so a citizen is
     * recognised by number or BSUID, whichever Meta sends. Personal data: erased with the address.
     */
    whatsappUserId: { type: 'string', private: true },
    name: { type: 'string', private: true },
    /**
     * Web Push only: the browser's subscription (endpoint URL and the p256dh/auth keys). The
     * endpoint is pseudonymous personal data: private, exported and erased with the address.
     */
    pushSubscription: { type: 'json', private: true },
    /**
     * ActivityPub followers: where their server takes our activities (`inbox`, `sharedInbox`) and
     * the id of their `Follow`. The address is the follower's actor URI (a handle: personal data),
     * so this is private, exported and erased with it.
     */
    activitypubFollower: { type: 'json', private: true },
    topics: { type: 'relation', relation: 'manyToMany', target: 'plugin::town-crier.topic' },
    /**
     * The villages (Ortsteile, slugs of `town.villages`) the citizen chose, as `|a|b|`; null for
     * the whole town. Personal data (where someone lives): private, in the ledger, exported, erased.
     */
    villages: { type: 'text', private: true },
    locale: { type: 'string', default: 'de' },
    status: { type: 'enumeration', enum: [...SUBSCRIBER_STATUSES], default: 'pending', required: true },
    source: { type: 'string' },
    confirmedAt: { type: 'datetime' },
    unsubscribedAt: { type: 'datetime' },
    erasedAt: { type: 'datetime' },
    /** When retention removed this withdrawn row's records; a purged row is never selected again. */
    purgedAt: { type: 'datetime' },
    /** Pending signups are deleted after this moment. */
    expiresAt: { type: 'datetime' },
    /** SHA-256 of the one-time token carried in links and in the confirmation button payload. */
    tokenHash: { type: 'string', private: true },
    /** Short code for `START <code>` via the wa.me link. */
    confirmCode: { type: 'string', private: true },
    consentVersion: { type: 'string' },
    /** Last message from the citizen: opens WhatsApp's 24-hour window. */
    lastInboundAt: { type: 'datetime' },
    /** Set when WhatsApp reports the citizen stopped marketing messages (131050 / user_preferences). */
    marketingStoppedAt: { type: 'datetime' },
    /** Set when the provider says the address cannot receive messages at all (e.g. 131026). */
    undeliverableAt: { type: 'datetime' },
    /**
     * A random id shared by the rows one sign-up form created together (`signupMany`): the same
     * person gave these addresses in one act. Only the unreachable hint reads it. Private, never in
     * a job payload or log; exported and erased with the address.
     */
    signupLinkId: { type: 'string', private: true },
    /** When the one-time hint "WhatsApp does not reach you" went to a linked channel (WhatsApp rows only). */
    unreachableHintAt: { type: 'datetime' },
  },
} as const;
