/**
 * Delivery statuses are ordered: a webhook may only move a delivery forward, so a late
 * `delivered` never overwrites `read`. `failed` ranks above `sent` because Meta reports
 * `sent` first and `failed` after it for undeliverable numbers. `skipped` is ours alone
 * (the recipient left, or the announcement was cancelled) and no webhook moves it.
 */
export const DELIVERY_STATUSES = ['pending', 'waiting', 'sent', 'failed', 'delivered', 'read', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_STATUS_RANK: Record<Exclude<DeliveryStatus, 'skipped'>, number> = {
  pending: 0,
  waiting: 1,
  sent: 2,
  failed: 3,
  delivered: 4,
  read: 5,
};

/**
 * Who "received" a broadcast, for its follow-ups: the provider took the message (`sent`) or
 * reported it `delivered`/`read`. `failed` (also after `sent`), `skipped` and still open
 * deliveries did not reach the citizen, so a follow-up would refer to news they never saw.
 */
export const RECEIVED_DELIVERY_STATUSES = ['sent', 'delivered', 'read'] as const;

/** Statuses the delivery worker still has to act on. */
export const OPEN_DELIVERY_STATUSES = ['pending', 'waiting'] as const;
