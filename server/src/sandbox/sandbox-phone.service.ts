import type { Core } from '@strapi/strapi';
import { notFoundError, validationError } from '../http/errors';
import { isAccountChannel } from '../../../shared/contracts/channels';
import { UID, type ChannelId } from '../constants';
import { getService } from '../utils/get-service';
import { outboxMessageRows } from './outbox-message.rows';
import { activityPreview } from '../channels/activitypub/documents';
import { blueskyPreview, emailPreview, mastodonPreview, telegramInboundPayload, telegramPreview, webpushPreview, whatsappInboundPayload, whatsappStatusPayload, type CitizenAction, type PhoneButton } from './sandbox-payloads';

// WhatsApp is rendered by the account service (the template's text as Meta has it); these need no state.
const PREVIEWS: Record<string, (body: unknown) => { text: string; buttons: PhoneButton[] }> = {
  telegram: telegramPreview,
  email: emailPreview,
  webpush: webpushPreview,
  activitypub: activityPreview,
  mastodon: mastodonPreview,
  bluesky: blueskyPreview,
};

const sentMessageOf = outboxMessageRows.pick(['providerMessageId', 'toAddress']);

/**
 * `details.code` of each refusal lets the admin say it in its language (SandboxPage).
 *
 * The sandbox phone: the outbox as a phone would show it, and the citizen's side — a tap or a
 * text becomes the webhook the provider would send and runs through the same processing
 * (webhook-events `processPayload`, what the webhook job runs). Only for channels in sandbox
 * mode: on a live channel it would invent traffic that never happened.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const sandboxChannels = () => runtime().channels().enabled().filter((channel) => channel.mode === 'sandbox');

  return {
    async outbox({ to, page, pageSize }: { to?: string; page: number; pageSize: number }) {
      const channels = sandboxChannels().map((channel) => channel.id as string);
      if (!channels.length) throw notFoundError('No channel runs in sandbox mode');
      const where: Record<string, unknown> = { channel: { $in: channels } };
      if (to) {
        // The operator types a number, an address or a chat id: match it as each sandbox channel writes it.
        const forms = new Set<string>([to.trim()]);
        for (const channel of channels) {
          try {
            const normalised = getService(strapi, 'subscriptions').normaliseAddress(channel as ChannelId, to);
            if (normalised) forms.add(normalised);
          } catch {
            // Not an address of this channel.
          }
        }
        where.toAddress = { $in: [...forms] };
      }
      const [stored, total] = await Promise.all([
        strapi.db.query(UID.outboxMessage).findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], offset: (page - 1) * pageSize, limit: pageSize }),
        strapi.db.query(UID.outboxMessage).count({ where }),
      ]);
      const rows = stored.map(outboxMessageRows.fromRow);
      return {
        data: rows.map((row) => ({
          id: row.id,
          channel: row.channel,
          to: row.toAddress,
          providerMessageId: row.providerMessageId,
          createdAt: row.createdAt.toISOString(),
          body: row.body,
          preview:
            row.channel === 'whatsapp'
              ? getService(strapi, 'whatsapp-account').render(row.body)
              : (PREVIEWS[row.channel] ?? (() => ({ text: JSON.stringify(row.body), buttons: [] })))(row.body),
        })),
        // Which channels the operator can act on, so the phone asks for a number, an address or a chat id.
        meta: { pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) }, channels },
      };
    },

    async act(input: Omit<CitizenAction, 'action'> & { channel: string; action: CitizenAction['action'] | 'status'; messageId?: string; status?: 'delivered' | 'read' }) {
      const channel = runtime().channels().find(input.channel);
      if (!channel) throw validationError(`Channel ${input.channel} is not enabled`, { code: 'channel-not-enabled' });
      if (channel.mode !== 'sandbox') throw validationError(`Channel ${input.channel} is live; the sandbox phone only acts on sandbox channels`, { code: 'channel-live' });
      if (input.action === 'status') {
        // Only WhatsApp reports delivered and read; e-mail and Telegram have no receipts to rehearse.
        if (channel.id !== 'whatsapp') throw validationError(`Channel ${channel.id} reports no delivered or read status`, { code: 'no-receipts' });
        const found: unknown = await strapi.db.query(UID.outboxMessage).findOne({
          where: { providerMessageId: input.messageId, channel: channel.id },
          select: ['providerMessageId', 'toAddress'],
        });
        const message = found ? sentMessageOf(found) : null;
        if (!message?.providerMessageId) throw notFoundError('No such sandbox message', { code: 'no-such-message' });
        const settings = runtime().config().channels.whatsapp;
        const payload = whatsappStatusPayload({
          providerMessageId: message.providerMessageId,
          to: message.toAddress ?? '',
          status: input.status ?? 'delivered',
          phoneNumberId: settings.phoneNumberId,
          displayPhoneNumber: settings.businessNumber,
        });
        await getService(strapi, 'webhook-events').processPayload(channel.id, payload);
        return { accepted: true };
      }
      // The town's own account posts; nobody answers it through the plugin (replies stay on the platform).
      if (isAccountChannel(channel.id)) throw validationError(`${channel.id} is the town's own account: there is nothing to answer here`, { code: 'account-channel' });
      const action = { ...input, action: input.action };
      if (channel.id === 'email') {
        // A mail has no reply path into the plugin: the citizen's actions are its links.
        const [action, token] = (input.payload ?? '').split(/:(.*)/s);
        if (input.action !== 'tap' || !token) throw validationError('On e-mail the sandbox can only click a mail’s confirm or unsubscribe link', { code: 'email-links-only' });
        const subscriptions = getService(strapi, 'subscriptions');
        if (action === 'confirm') await subscriptions.confirmByToken(token, 'sandbox-email-link');
        else if (action === 'unsubscribe') await subscriptions.unsubscribeByToken(token, { ip: null, userAgent: 'sandbox phone' }, 'sandbox-email-link');
        else throw validationError(`Unknown e-mail action ${action}`, { code: 'email-links-only' });
        return { accepted: true };
      }
      if (channel.id === 'webpush') {
        // A notification's only action back is its "Mitteilungen abbestellen" button.
        const [action, token] = (input.payload ?? '').split(/:(.*)/s);
        if (input.action !== 'tap' || action !== 'unsubscribe' || !token) throw validationError('On Web Push the sandbox can only tap “Mitteilungen abbestellen”', { code: 'webpush-unsubscribe-only' });
        await getService(strapi, 'subscriptions').unsubscribeByToken(token, { ip: null, userAgent: 'sandbox phone' }, 'sandbox-webpush-action');
        return { accepted: true };
      }
      let payload: unknown;
      if (channel.id === 'whatsapp') {
        const from = getService(strapi, 'subscriptions').normaliseAddress(channel.id, input.from);
        if (!from) throw validationError(`Channel ${input.channel} has no address to act from`, { code: 'invalid-number' });
        const settings = runtime().config().channels.whatsapp;
        payload = whatsappInboundPayload({ ...action, from }, settings.phoneNumberId, settings.businessNumber);
      } else {
        // Telegram addresses are chat ids; a new "citizen" is any number the operator picks.
        if (!/^-?\d{1,15}$/.test(input.from.trim())) throw validationError('A Telegram chat id is a number', { code: 'invalid-chat-id' });
        payload = telegramInboundPayload(action, input.from.trim());
      }
      await getService(strapi, 'webhook-events').processPayload(channel.id, payload);
      return { accepted: true };
    },
  };
};
