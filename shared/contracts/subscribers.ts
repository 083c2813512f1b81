/** A subscriber's lifecycle and the consent log's event types. */
export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

/**
 * `changed`: the citizen changed what the consent covers (their villages), with `detail` saying to what.
 * `language-changed`: the citizen chose another language (keyword or link); the event's `language` says which.
 */
export const CONSENT_EVENT_TYPES = ['requested', 'confirmed', 'withdrawn', 'erased', 'changed', 'language-changed'] as const;
export type ConsentEventType = (typeof CONSENT_EVENT_TYPES)[number];
