import type { Core } from '@strapi/strapi';
import { UID } from '../constants';

/**
 * Strapi's `unique: true` is checked by the application only; the guarantees this plugin
 * relies on (one subscriber per address, one delivery per recipient, one announcement per
 * published source) must hold under concurrency, so the database enforces them.
 * Re-run on every boot because a schema sync may rebuild a table.
 */
export async function ensureIndexes(strapi: Core.Strapi): Promise<void> {
  const knex = strapi.db.connection;
  const table = (uid: string) => strapi.db.metadata.get(uid).tableName;
  const column = (uid: string, attribute: string) => {
    const meta = strapi.db.metadata.get(uid).attributes[attribute] as { columnName?: string } | undefined;
    return meta?.columnName ?? attribute.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  };
  const index = async (name: string, uid: string, attributes: string[], options: { unique?: boolean; where?: string } = {}) => {
    const columns = attributes.map((attribute) => column(uid, attribute)).join(', ');
    const where = options.where ? ` WHERE ${options.where}` : '';
    await knex.raw(`CREATE ${options.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${name} ON ${table(uid)} (${columns})${where}`);
  };

  await index('tc_subscribers_channel_address_uq', UID.subscriber, ['channel', 'address'], { unique: true });
  await index('tc_subscribers_wa_user_idx', UID.subscriber, ['channel', 'whatsappUserId']);
  await index('tc_subscribers_fanout_idx', UID.subscriber, ['status', 'channel', 'id']);
  await index('tc_subscribers_created_idx', UID.subscriber, ['createdAt']);
  // Statistics: per-day range counts of confirmations and withdrawals, and the source breakdown.
  await index('tc_subscribers_confirmed_idx', UID.subscriber, ['confirmedAt']);
  await index('tc_subscribers_unsubscribed_idx', UID.subscriber, ['unsubscribedAt', 'confirmedAt']);
  await index('tc_subscribers_source_idx', UID.subscriber, ['status', 'source']);
  await index('tc_announcements_source_uq', UID.announcement, ['sourceKey'], {
    unique: true,
    where: `${column(UID.announcement, 'publishedAt')} IS NOT NULL`,
  });
  // Threads: the follow-ups of an original; the editor's follow-up mark of a news entry.
  await index('tc_announcements_thread_idx', UID.announcement, ['updateOf']);
  await index('tc_follow_up_marks_entry_uq', UID.followUpMark, ['entryKey'], { unique: true });
  await index('tc_deliveries_recipient_uq', UID.delivery, ['announcementDocumentId', 'subscriberId', 'channel'], { unique: true });
  await index('tc_deliveries_status_idx', UID.delivery, ['announcementDocumentId', 'status']);
  await index('tc_deliveries_provider_idx', UID.delivery, ['providerMessageId']);
  await index('tc_deliveries_sent_idx', UID.delivery, ['channel', 'sentAt']);
  // Retention's tallies: one row per (announcement, channel, status), added to in place.
  await index('tc_delivery_tallies_uq', UID.deliveryTally, ['announcementDocumentId', 'channel', 'status'], { unique: true });
  // One pricing row per WhatsApp message, counted per month; one mail per threshold and month.
  await index('tc_message_pricing_key_uq', UID.messagePricing, ['messageKey'], { unique: true });
  await index('tc_message_pricing_time_idx', UID.messagePricing, ['pricedAt']);
  await index('tc_budget_alerts_uq', UID.budgetAlert, ['month', 'threshold'], { unique: true });
  await index('tc_publish_intents_lease_idx', UID.publishIntent, ['leaseUntil']);
  await index('tc_runs_channel_uq', UID.run, ['announcementDocumentId', 'channel'], { unique: true });
  await index('tc_runs_state_idx', UID.run, ['state']);
  // One approval per broadcast: two starts racing (the reconciler's retry) open one row (approvals.store.ts relies on it).
  await index('tc_approvals_announcement_uq', UID.approval, ['announcementDocumentId'], { unique: true });
  // The audit trail: listed newest first and deleted by age; an action that must appear once has a key.
  await index('tc_audit_events_time_idx', UID.auditEvent, ['occurredAt']);
  await index('tc_audit_events_once_uq', UID.auditEvent, ['onceKey'], { unique: true });
  await index('tc_consent_events_time_idx', UID.consentEvent, ['occurredAt']);
  await index('tc_inbound_provider_uq', UID.inboundMessage, ['providerMessageId'], { unique: true });
  // The inbox's 24-hour window: the sender's latest message.
  await index('tc_inbound_sender_idx', UID.inboundMessage, ['channel', 'fromAddress', 'receivedAt']);
  await index('tc_inbound_open_idx', UID.inboundMessage, ['handledAt', 'receivedAt']);
}
