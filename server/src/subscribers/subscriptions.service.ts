import type { Core } from '@strapi/strapi';
import { notFoundError } from '../http/errors';
import { UID } from '../constants';
import { DAY_MS } from '../utils/time';
import { decodeVillages } from '../villages/villages';
import { subscriptionContext, type SubscriberRow } from './subscription-context';
import identityModule from './subscription-identity';
import confirmationModule from './subscription-confirmation';
import preferencesModule from './subscription-preferences';
import manageModule from './subscription-manage';
import signupModule from './subscription-signup';

export { confirmMethodOf, villagesDetail } from './subscription-context';
export type { RequestMeta, SignupAnswer, SignupInput, SignupPlan, SubscriberRow, WhatsappSender } from './subscription-context';

/**
 * Everything about one citizen's subscription, as one service: sign-up (subscription-signup.ts),
 * confirmation (subscription-confirmation.ts), the citizen's changes (subscription-preferences.ts),
 * who an address or token names (subscription-identity.ts), and here export, erasure and retention.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const context = subscriptionContext(strapi);
  const { subscribers, runtime, ledger, enqueueMessage } = context;
  const identity = identityModule({ strapi }, context);
  const confirmation = confirmationModule({ strapi }, context, identity);
  const preferences = preferencesModule({ strapi }, context, identity);
  const manage = manageModule({ strapi }, context, preferences);
  const signup = signupModule({ strapi }, context, identity, confirmation, preferences, manage);

  return {
    ...identity,
    ...confirmation,
    ...preferences,
    ...manage,
    ...signup,

    /** Everything stored about one subscriber (GDPR Art. 15). */
    async exportSubscriber(id: number) {
      const row = (await subscribers().findOne({ where: { id }, populate: ['topics'] })) as (Record<string, unknown> & { villages?: string | null }) | null;
      if (!row) throw notFoundError('No such subscriber');
      // The villages as the citizen chose them (names from the config), not the stored `|a|b|`.
      const configured = runtime().config().town.villages;
      const subscriber = {
        ...row,
        villages: decodeVillages(row.villages).map((slug) => {
          const village = configured.find((entry) => entry.slug === slug);
          return { slug, name: village?.name ?? null };
        }),
      };
      const [consentEvents, deliveries, inbox] = await Promise.all([
        ledger().forSubscriber(id),
        strapi.db.query(UID.delivery).findMany({ where: { subscriberId: id }, orderBy: { id: 'asc' } }),
        strapi.db.query(UID.inboundMessage).findMany({ where: { subscriber: id }, orderBy: { id: 'asc' } }),
      ]);
      return { subscriber, consentEvents, deliveries, inboundMessages: inbox };
    },

    /**
     * Erasure (GDPR Art. 17): personal data is gone; the row stays without it so anonymous
     * counts (sign-ups per month, per topic) still add up, and the ledger says it was erased.
     */
    async erase(id: number) {
      const subscriber = (await subscribers().findOne({ where: { id } })) as SubscriberRow | null;
      if (!subscriber) throw notFoundError('No such subscriber');
      const now = new Date();
      await subscribers().update({
        where: { id },
        data: { address: null, whatsappUserId: null, pushSubscription: null, name: null, locale: null, villages: null, signupLinkId: null, tokenHash: null, confirmCode: null, status: 'unsubscribed', unsubscribedAt: subscriber.status === 'unsubscribed' ? undefined : now, erasedAt: now },
      });
      const inbox = (await strapi.db.query(UID.inboundMessage).findMany({ where: { subscriber: id }, select: ['id'] })) as Array<{ id: number }>;
      await strapi.db.query(UID.inboundMessage).deleteMany({ where: { id: { $in: inbox.map((row) => row.id) } } });
      if (subscriber.address) {
        // What the address wrote before signing up (or while not linked to the row), and what
        // the sandbox recorded as sent to it, hold the address too.
        await strapi.db.query(UID.inboundMessage).deleteMany({ where: { channel: subscriber.channel, fromAddress: subscriber.address } });
        await strapi.db.query(UID.outboxMessage).deleteMany({ where: { channel: subscriber.channel, toAddress: subscriber.address } });
      }
      // updateMany cannot filter through a relation, so the ledger rows are found first.
      const events = (await ledger().forSubscriber(id)) as Array<{ id: number }>;
      await strapi.db.query(UID.consentEvent).updateMany({ where: { id: { $in: events.map((event) => event.id) } }, data: { ipTruncated: null, userAgent: null, detail: null, language: null } });
      await ledger().record({ subscriberId: id, channel: subscriber.channel, type: 'erased', method: 'admin', at: now });
    },

    /**
     * Retention: ledger and delivery records of subscribers withdrawn longer than the retention
     * period, and inbox messages and sandbox outbox rows older than it (a sender who never
     * subscribed has no withdrawal to count from).
     */
    async purgeWithdrawn(now = new Date()) {
      const cutoff = new Date(now.getTime() - runtime().config().retentionDays * DAY_MS);
      const { count: messages } = (await strapi.db.query(UID.inboundMessage).deleteMany({ where: { receivedAt: { $lt: cutoff } } })) as { count: number };
      const { count: outbox } = (await strapi.db.query(UID.outboxMessage).deleteMany({ where: { createdAt: { $lt: cutoff } } })) as { count: number };
      // A stored webhook is normally gone within seconds; one whose processing kept failing goes
      // after a week, when the provider has long stopped redelivering it.
      await strapi.db.query(UID.inboundWebhook).deleteMany({ where: { receivedAt: { $lt: new Date(now.getTime() - 7 * DAY_MS) } } });
      const stale = (await subscribers().findMany({ where: { status: 'unsubscribed', unsubscribedAt: { $lt: cutoff } }, select: ['id'] })) as Array<{ id: number }>;
      const ids = stale.map((row) => row.id);
      if (!ids.length) return { subscribers: 0, messages, outbox };
      await strapi.db.query(UID.delivery).deleteMany({ where: { subscriberId: { $in: ids } } });
      await ledger().deleteForSubscribers(ids);
      const inbox = (await strapi.db.query(UID.inboundMessage).findMany({ where: { subscriber: { id: { $in: ids } } }, select: ['id'] })) as Array<{ id: number }>;
      await strapi.db.query(UID.inboundMessage).deleteMany({ where: { id: { $in: inbox.map((row) => row.id) } } });
      await subscribers().updateMany({ where: { id: { $in: ids } }, data: { address: null, whatsappUserId: null, pushSubscription: null, name: null, villages: null, signupLinkId: null, erasedAt: now } });
      return { subscribers: ids.length, messages, outbox };
    },

    enqueueMessage,
  };
};
