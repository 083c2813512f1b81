import type { Core } from '@strapi/strapi';
import { UID, type ChannelId } from '../constants';
import { isBusinessScopedUserId } from '../channels/whatsapp/whatsapp.identity';
import { sha256 } from './tokens';
import { fieldError, type SubscriberRow, type SubscriptionContext } from './subscription-context';
import type identityModule from './subscription-identity';

/** From pending to active: a confirmation link, button, deep link or `START <code>`, and what happens to sign-ups nobody confirmed. */
export default ({ strapi }: { strapi: Core.Strapi }, context: SubscriptionContext, identity: ReturnType<typeof identityModule>) => {
  const { subscribers, reads, ledger } = context;
  /**
   * A WhatsApp sender whose number and BSUID Meta gave together: the row the same person already
   * has under that BSUID alone (a sign-up with a username, no number), other than `row`.
   */
  const twinUnderUserId = async (row: SubscriberRow, address: string, userId: string | undefined) => {
    if (row.channel !== 'whatsapp' || !userId || isBusinessScopedUserId(address)) return null;
    return await reads.findOne({ where: { channel: 'whatsapp', id: { $ne: row.id }, $or: [{ address: userId }, { whatsappUserId: userId }] } });
  };
  return {
    /**
     * One row per person and channel: a pending sign-up confirmed by a sender who already has a
     * row (found by number or BSUID) moves onto that row, which from now on is addressed by the
     * proven number and knows the BSUID. Otherwise news would arrive twice, and a STOP written
     * with the username would withdraw only one of the two rows.
     */
    async mergeIntoSenderRow(pending: SubscriberRow, existing: SubscriberRow, address: string, userId: string | undefined, method: string) {
      const merged = await this.mergePendingInto(pending, existing, method);
      const proven = {
        ...(isBusinessScopedUserId(address) || existing.address === address ? {} : { address }),
        ...(userId && existing.whatsappUserId !== userId ? { whatsappUserId: userId } : {}),
      };
      if (existing.channel === 'whatsapp' && Object.keys(proven).length) await subscribers().update({ where: { id: existing.id }, data: proven });
      return { ...merged, ...proven };
    },

    /**
     * Confirms the pending subscriber holding this one-time token. `from` is the sender when the
     * token came back through a channel (a WhatsApp button, Telegram's `/start <token>`): it must
     * be that subscriber's address, or, for a channel whose address is learnt only now
     * (Telegram), it becomes the address.
     */
    async confirmByToken(token: string, method: string, from?: { channel: ChannelId; address: string; userId?: string }) {
      const subscriber = await reads.findOne({ where: { tokenHash: sha256(token) } });
      const invalid = () => fieldError('token', 'This confirmation link is invalid or has expired');
      if (!subscriber) throw invalid();
      // A row without an address (Telegram before /start) has no chat to confirm from: only the
      // channel itself may link and confirm it, never the public confirm endpoint.
      if (!from) {
        if (subscriber.address === null) throw invalid();
        return this.activate(subscriber, method);
      }
      if (subscriber.channel !== from.channel) throw invalid();
      if (subscriber.address === null && subscriber.status === 'pending') return this.linkAddress(subscriber, from.address, method);
      // The token went only to this subscriber's WhatsApp; a tap from a username (BSUID, no number) is theirs.
      const sameWhatsappUser = from.channel === 'whatsapp' && (isBusinessScopedUserId(from.address) || (Boolean(from.userId) && from.userId === subscriber.whatsappUserId));
      if (subscriber.address !== from.address && !sameWhatsappUser) throw invalid();
      const twin = subscriber.status === 'pending' ? await twinUnderUserId(subscriber, from.address, from.userId) : null;
      if (twin) return this.mergeIntoSenderRow(subscriber, twin, from.address, from.userId, method);
      await identity.rememberWhatsappUserId(subscriber, from.userId);
      return this.activate(subscriber, method);
    },

    /**
     * Gives a pending Telegram sign-up its chat id and confirms it. A chat that already has a row
     * (it left earlier, or signs up again to change topics) keeps that row: the new choice and
     * the new `requested` ledger entry move onto it, so there is still one row per chat.
     */
    async linkAddress(pending: SubscriberRow, address: string, method: string) {
      const expiresAt = pending.expiresAt;
      if (expiresAt && expiresAt.getTime() < Date.now()) throw fieldError('token', 'This confirmation link is invalid or has expired');
      const existing = await reads.findOne({ where: { channel: pending.channel, address } });
      if (!existing) {
        await subscribers().update({ where: { id: pending.id }, data: { address } });
        return this.activate({ ...pending, address }, method);
      }
      return this.mergePendingInto(pending, existing, method);
    },

    /** Moves a pending sign-up's choice and ledger onto the citizen's existing row, and confirms that. */
    async mergePendingInto(pending: SubscriberRow, existing: SubscriberRow, method: string) {
      const full = await reads.findOneWithTopics({ where: { id: pending.id } });
      const events = await ledger().forSubscriber(pending.id);
      for (const event of events) await strapi.db.query(UID.consentEvent).update({ where: { id: event.id }, data: { subscriber: existing.id } });
      await subscribers().delete({ where: { id: pending.id } });
      await subscribers().update({
        where: { id: existing.id },
        data: {
          topics: (full?.topics ?? []).map((topic) => topic.id),
          villages: full?.villages ?? null,
          locale: pending.locale,
          consentVersion: pending.consentVersion,
          signupLinkId: full?.signupLinkId ?? null,
          ...(pending.name ? { name: pending.name } : {}),
        },
      });
      const merged = { ...existing, locale: pending.locale, consentVersion: pending.consentVersion };
      return existing.status === 'active' ? merged : this.activate({ ...merged, status: 'pending', expiresAt: null }, method);
    },

    /**
     * `START <code>` from the citizen's own WhatsApp: the sender proves itself by writing. A code
     * of a pending sign-up also finds it when the sender is not known by that address: a sign-up
     * without a number, or a citizen with a username whose number Meta does not share. Then the
     * sender's own identity becomes the address, and a number typed on the website but never
     * proven is dropped, so nothing goes to a number whose owner did not write.
     */
    async confirmByCode(channel: ChannelId, address: string, code: string | null, method: string, userId?: string) {
      if (channel === 'whatsapp' && code) {
        const pending = await reads.findOne({ where: { channel, status: 'pending', confirmCode: sha256(code.toUpperCase()) } });
        const senderHasNumber = !isBusinessScopedUserId(address);
        const expiresAt = pending?.expiresAt;
        const live = pending && !(expiresAt && expiresAt.getTime() < Date.now());
        if (pending && live && (pending.address === null || pending.address === address || !senderHasNumber)) {
          const found = await identity.findByAddress(channel, address, userId);
          const existing = found && found.id !== pending.id ? found : await twinUnderUserId(pending, address, userId);
          if (existing) return { outcome: 'confirmed' as const, subscriber: await this.mergeIntoSenderRow(pending, existing, address, userId, method) };
          const proven = { address, whatsappUserId: userId ?? (senderHasNumber ? pending.whatsappUserId : address) ?? null };
          await subscribers().update({ where: { id: pending.id }, data: proven });
          return { outcome: 'confirmed' as const, subscriber: await this.activate({ ...pending, ...proven }, method) };
        }
      }
      const subscriber = await identity.findByAddress(channel, address, userId);
      if (!subscriber) return { outcome: 'unknown' as const };
      await identity.rememberWhatsappUserId(subscriber, userId);
      if (subscriber.status === 'active') return { outcome: 'already-active' as const, subscriber };
      if (subscriber.status === 'pending' && code && subscriber.confirmCode !== sha256(code.toUpperCase())) {
        return { outcome: 'wrong-code' as const, subscriber };
      }
      const twin = subscriber.status === 'pending' ? await twinUnderUserId(subscriber, address, userId) : null;
      if (twin) return { outcome: 'confirmed' as const, subscriber: await this.mergeIntoSenderRow(subscriber, twin, address, userId, method) };
      return { outcome: 'confirmed' as const, subscriber: await this.activate(subscriber, method) };
    },

    async activate(subscriber: SubscriberRow, method: string) {
      const expiresAt = subscriber.expiresAt;
      if (subscriber.status === 'pending' && expiresAt && expiresAt.getTime() < Date.now()) {
        throw fieldError('token', 'This confirmation link is invalid or has expired');
      }
      if (subscriber.status === 'active') return subscriber;
      const now = new Date();
      // Status and ledger change together, and only once: a button tap and a START code arriving
      // at the same moment must not leave two `confirmed` entries, nor an active row without one.
      await strapi.db.transaction(async () => {
        const { count } = await subscribers().updateMany({
          where: { id: subscriber.id, status: { $ne: 'active' } },
          data: { status: 'active', confirmedAt: now, unsubscribedAt: null, expiresAt: null, tokenHash: null, confirmCode: null, marketingStoppedAt: null },
        });
        if (!count) return;
        await ledger().record({
          subscriberId: subscriber.id,
          channel: subscriber.channel,
          type: 'confirmed',
          method,
          consentVersion: subscriber.consentVersion,
          locale: subscriber.locale ?? undefined,
          at: now,
        });
      });
      return { ...subscriber, status: 'active' as const };
    },

    /**
     * Unconfirmed sign-ups past their deadline. A sign-up that never was confirmed goes with its
     * ledger entries. A returning citizen's row (confirmed and withdrawn before, then signed up
     * again) only goes back to `unsubscribed`: the earlier consent and withdrawal stay as proof,
     * the retention clock keeps running from the first withdrawal, and what the unconfirmed
     * request brought (name, topics, villages, language, source, its `requested` entries with IP
     * and browser) goes. Otherwise anyone
     * could erase a citizen's history by signing the number up and not confirming.
     */
    async expirePending(now = new Date()) {
      const expired = await reads.pickMany(['id', 'confirmedAt', 'unsubscribedAt'], { where: { status: 'pending', expiresAt: { $lt: now } }, limit: 1000 });
      const returning = expired.filter((row) => row.confirmedAt || row.unsubscribedAt);
      const fresh = expired.filter((row) => !returning.includes(row)).map((row) => row.id);
      if (fresh.length) {
        await ledger().deleteForSubscribers(fresh);
        await subscribers().deleteMany({ where: { id: { $in: fresh } } });
      }
      for (const row of returning) {
        const since = row.unsubscribedAt ?? row.confirmedAt;
        const events = await ledger().forSubscriber(row.id);
        const request = events.filter((event) => (event.type === 'requested' || event.type === 'changed') && since && event.occurredAt.getTime() > since.getTime());
        if (request.length) await strapi.db.query(UID.consentEvent).deleteMany({ where: { id: { $in: request.map((event) => event.id) } } });
        const { count } = await subscribers().updateMany({
          where: { id: row.id, status: 'pending' },
          // What the request chose goes too: it may have been a stranger's, and the owner's own
          // START later must not take on the stranger's topics, villages, language or source.
          data: { status: 'unsubscribed', name: null, expiresAt: null, confirmCode: null, tokenHash: null, signupLinkId: null, villages: null, locale: null, source: null },
        });
        // updateMany leaves relations alone: the topics are cleared on their own.
        if (count) await subscribers().update({ where: { id: row.id }, data: { topics: [] } });
      }
      return { deleted: fresh.length, reverted: returning.length };
    },
  };
};
