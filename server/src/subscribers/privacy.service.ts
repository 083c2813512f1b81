import type { Core } from '@strapi/strapi';
import { notFoundError } from '../http/errors';
import { UID } from '../constants';
import { getService } from '../utils/get-service';
import { DAY_MS } from '../utils/time';
import { decodeVillages } from '../villages/villages';
import { subscriberExportFromRow, subscriberReads, type SubscriberRow } from './subscriber.rows';
import { idsFromRows } from '../database/row';
import { inboundWebhookReads } from '../webhooks/inbound-webhook.rows';
import { chunksOf } from '../utils/chunks';
import { deliveriesStore } from '../delivery/deliveries.store';
import { pricingLedger } from '../costs/pricing-ledger';
import { budgetAlerts } from '../costs/budget-alerts';

/** How long the cost ledger and the mailed thresholds are kept: the overview's 12 months and a margin. */
const COST_HISTORY_DAYS = 400;

/** Inbox rows written from the subscriber's address or, on WhatsApp, from their BSUID. */
const fromAddressesOf = (subscriber: Pick<SubscriberRow, 'channel' | 'address' | 'whatsappUserId'>) =>
  [subscriber.address, subscriber.whatsappUserId].filter((value): value is string => Boolean(value)).map((fromAddress) => ({ channel: subscriber.channel, fromAddress }));

/** Withdrawn subscribers purged per step: far below what SQLite (32,766) and PostgreSQL (65,535) accept in one `IN (…)`. */
const PURGE_CHUNK = 1000;

/** Every personal field of a subscriber row, emptied (erasure and retention). The language is personal data too. */
const PERSONAL_FIELDS_CLEARED = {
  address: null,
  whatsappUserId: null,
  pushSubscription: null,
  activitypubFollower: null,
  name: null,
  locale: null,
  villages: null,
  signupLinkId: null,
  tokenHash: null,
  confirmCode: null,
};

/**
 * Citizens' rights over what is stored about them: the export (GDPR Art. 15), erasure
 * (Art. 17) and the retention purge of withdrawn subscribers. Apart from sign-up and
 * confirmation, so everything that removes personal data is in one place (docs/privacy.md).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const subscribers = () => strapi.db.query(UID.subscriber);
  const runtime = () => getService(strapi, 'runtime');
  const ledger = () => getService(strapi, 'consent-ledger');

  return {
    /** Everything stored about one subscriber (GDPR Art. 15). */
    async exportSubscriber(id: number) {
      const stored: unknown = await subscribers().findOne({ where: { id }, populate: ['topics'] });
      if (!stored) throw notFoundError('No such subscriber');
      const row = subscriberExportFromRow(stored);
      // The villages as the citizen chose them (names from the config), not the stored `|a|b|`.
      const configured = runtime().config().town.villages;
      const subscriber = {
        ...row,
        villages: decodeVillages(row.villages).map((slug) => {
          const village = configured.find((entry) => entry.slug === slug);
          return { slug, name: village?.name ?? null };
        }),
      };
      const [consentEvents, deliveries, inbox, waiting, webhooks] = await Promise.all([
        ledger().forSubscriber(id),
        strapi.db.query(UID.delivery).findMany({ where: { subscriberId: id }, orderBy: { id: 'asc' } }),
        strapi.db.query(UID.inboundMessage).findMany({ where: { $or: [{ subscriber: id }, ...fromAddressesOf(row)] }, orderBy: { id: 'asc' } }),
        strapi.db.query(UID.outgoingMessage).findMany({ where: { subscriberId: id }, orderBy: { id: 'asc' } }),
        this.storedWebhooksOf(row),
      ]);
      return { subscriber, consentEvents, deliveries, inboundMessages: inbox, outgoingMessages: waiting, storedWebhooks: webhooks };
    },

    /**
     * Erasure (GDPR Art. 17): personal data is gone; the row stays without it so anonymous
     * counts (sign-ups per month, per topic) still add up, and the ledger says it was erased.
     */
    async erase(id: number) {
      const subscriber = await subscriberReads(strapi).findOne({ where: { id } });
      if (!subscriber) throw notFoundError('No such subscriber');
      const now = new Date();
      await subscribers().update({
        where: { id },
        data: { ...PERSONAL_FIELDS_CLEARED, status: 'unsubscribed', unsubscribedAt: subscriber.status === 'unsubscribed' ? undefined : now, erasedAt: now },
      });
      // What the address (or, on WhatsApp, the citizen's BSUID) wrote before signing up or while
      // not linked to the row, and what the sandbox recorded as sent to it, hold the address too.
      const inbox = idsFromRows(await strapi.db.query(UID.inboundMessage).findMany({ where: { $or: [{ subscriber: id }, ...fromAddressesOf(subscriber)] }, select: ['id'] }));
      if (subscriber.address) await strapi.db.query(UID.outboxMessage).deleteMany({ where: { channel: subscriber.channel, toAddress: subscriber.address } });
      // A webhook not yet processed (or stuck) names the number and carries the texts.
      const webhooks = await this.storedWebhooksOf(subscriber);
      if (webhooks.length) await strapi.db.query(UID.inboundWebhook).deleteMany({ where: { id: { $in: webhooks.map((hook) => hook.id) } } });
      await this.forgetProviderMessageIds(id);
      await this.deleteInboundMessages(inbox);
      // Texts still waiting to be sent to the citizen (their queue job then finds nothing to send).
      await strapi.db.query(UID.outgoingMessage).deleteMany({ where: { subscriberId: id } });
      // updateMany cannot filter through a relation, so the ledger rows are found first.
      const events = await ledger().forSubscriber(id);
      await strapi.db.query(UID.consentEvent).updateMany({ where: { id: { $in: events.map((event) => event.id) } }, data: { ipTruncated: null, userAgent: null, detail: null, language: null } });
      await ledger().record({ subscriberId: id, channel: subscriber.channel, type: 'erased', method: 'admin', at: now });
    },

    /**
     * Retention: ledger and delivery records of subscribers withdrawn longer than the retention
     * period, and inbox messages and sandbox outbox rows older than it (a sender who never
     * subscribed has no withdrawal to count from). Withdrawn rows go a chunk at a time, and a
     * purged row is marked (`purgedAt`) so no later run selects it again: a town with a hundred
     * thousand former subscribers is purged in steps, never with one list too long for the database.
     */
    async purgeWithdrawn(now = new Date()) {
      const cutoff = new Date(now.getTime() - runtime().config().retentionDays * DAY_MS);
      const { count: messages } = await strapi.db.query(UID.inboundMessage).deleteMany({ where: { receivedAt: { $lt: cutoff } } });
      const { count: outbox } = await strapi.db.query(UID.outboxMessage).deleteMany({ where: { createdAt: { $lt: cutoff } } });
      // A stored webhook is normally gone within seconds; one whose processing kept failing goes
      // after a week, when the provider has long stopped redelivering it.
      await strapi.db.query(UID.inboundWebhook).deleteMany({ where: { receivedAt: { $lt: new Date(now.getTime() - 7 * DAY_MS) } } });
      // A text waits for its job seconds to hours (a held channel); one whose job was lost goes after a week.
      await strapi.db.query(UID.outgoingMessage).deleteMany({ where: { createdAt: { $lt: new Date(now.getTime() - 7 * DAY_MS) } } });
      // The cost history names nobody; it is kept as long as the overview's 12 months need it.
      await pricingLedger(strapi).prune(new Date(now.getTime() - COST_HISTORY_DAYS * DAY_MS));
      await budgetAlerts(strapi).prune(new Date(now.getTime() - COST_HISTORY_DAYS * DAY_MS));
      let purged = 0;
      for (;;) {
        const ids = idsFromRows(
          await subscribers().findMany({
            where: { status: 'unsubscribed', unsubscribedAt: { $lt: cutoff }, purgedAt: { $null: true } },
            select: ['id'],
            orderBy: { id: 'asc' },
            limit: PURGE_CHUNK,
          })
        );
        if (!ids.length) break;
        await this.purgeSubscribers(ids, now);
        purged += ids.length;
        if (ids.length < PURGE_CHUNK) break;
      }
      return { subscribers: purged, messages, outbox };
    },

    /**
     * The provider's id of each message sent to the subscriber embeds the address (Telegram
     * `tg:<chat id>:<message id>`, a WhatsApp wamid is base64 of the number): on erasure the
     * delivery rows keep their status and cost for the counts, not the id.
     */
    async forgetProviderMessageIds(subscriberId: number) {
      await deliveriesStore(strapi).forgetProviderMessageIds(subscriberId);
    },

    /** Stored webhooks of the subscriber's channel that mention the address or BSUID (as a whole, not inside a longer number). */
    async storedWebhooksOf(subscriber: Pick<SubscriberRow, 'channel' | 'address' | 'whatsappUserId'>) {
      const needles = [subscriber.address?.replace(/^\+/, ''), subscriber.whatsappUserId].filter((value): value is string => Boolean(value));
      if (!needles.length) return [];
      const patterns = needles.map((needle) => new RegExp(`(?<![A-Za-z0-9.])${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`));
      // Stored webhooks are few (each is deleted once processed), so they are read and matched here.
      const rows = await inboundWebhookReads(strapi).ofChannel(subscriber.channel);
      return rows.filter((row) => patterns.some((pattern) => pattern.test(JSON.stringify(row.payload))));
    },

    /** Inbox messages and the replies still waiting to be sent to their senders. */
    async deleteInboundMessages(ids: number[]) {
      for (const chunk of chunksOf([...new Set(ids)], PURGE_CHUNK)) {
        await strapi.db.query(UID.outgoingMessage).deleteMany({ where: { inboundMessageId: { $in: chunk } } });
        await strapi.db.query(UID.inboundMessage).deleteMany({ where: { id: { $in: chunk } } });
      }
    },

    /** One chunk of withdrawn subscribers past retention: their records go, their rows keep no personal field. */
    async purgeSubscribers(ids: number[], now: Date) {
      // Tallied as they go, so the broadcasts they belonged to keep their totals.
      await deliveriesStore(strapi).retire(ids);
      await ledger().deleteForSubscribers(ids);
      const inbox = idsFromRows(await strapi.db.query(UID.inboundMessage).findMany({ where: { subscriber: { id: { $in: ids } } }, select: ['id'] }));
      await this.deleteInboundMessages(inbox);
      await strapi.db.query(UID.outgoingMessage).deleteMany({ where: { subscriberId: { $in: ids } } });
      await subscribers().updateMany({ where: { id: { $in: ids } }, data: { ...PERSONAL_FIELDS_CLEARED, purgedAt: now } });
      // An erased row keeps the moment of its erasure.
      await subscribers().updateMany({ where: { id: { $in: ids }, erasedAt: { $null: true } }, data: { erasedAt: now } });
    },
  };
};
