import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID, type ChannelId } from '../constants';
import { getService } from '../utils/get-service';
import { toDate } from '../utils/time';
import { whatsappInboundPayload, whatsappPreview, type CitizenAction } from './sandbox-payloads';

interface OutboxRow {
  id: number;
  channel: string;
  toAddress: string | null;
  body: unknown;
  createdAt: string;
}

/**
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
      if (!channels.length) throw new errors.NotFoundError('No channel runs in sandbox mode');
      const where: Record<string, unknown> = { channel: { $in: channels } };
      if (to) where.toAddress = getService(strapi, 'subscriptions').normaliseAddress(channels[0] as ChannelId, to);
      const [rows, total] = await Promise.all([
        strapi.db.query(UID.outboxMessage).findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], offset: (page - 1) * pageSize, limit: pageSize }) as Promise<OutboxRow[]>,
        strapi.db.query(UID.outboxMessage).count({ where }),
      ]);
      return {
        data: rows.map((row) => ({
          id: row.id,
          channel: row.channel,
          to: row.toAddress,
          createdAt: toDate(row.createdAt)?.toISOString() ?? null,
          body: row.body,
          preview: row.channel === 'whatsapp' ? whatsappPreview(row.body) : { text: JSON.stringify(row.body), buttons: [] },
        })),
        meta: { pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) } },
      };
    },

    async act(input: CitizenAction & { channel: string }) {
      const channel = runtime().channels().find(input.channel);
      if (!channel) throw new errors.ValidationError(`Channel ${input.channel} is not enabled`);
      if (channel.mode !== 'sandbox') throw new errors.ValidationError(`Channel ${input.channel} is live; the sandbox phone only acts on sandbox channels`);
      const from = getService(strapi, 'subscriptions').normaliseAddress(channel.id, input.from);
      let payload: unknown;
      if (channel.id === 'whatsapp') {
        const settings = runtime().config().channels.whatsapp;
        payload = whatsappInboundPayload({ ...input, from }, settings.phoneNumberId, settings.businessNumber);
      } else {
        throw new errors.ValidationError(`The sandbox phone cannot act on channel ${input.channel} yet`);
      }
      await getService(strapi, 'webhook-events').processPayload(channel.id, payload);
      return { accepted: true };
    },
  };
};
