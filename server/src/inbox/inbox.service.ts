import type { Core } from '@strapi/strapi';
import { notFoundError, validationError } from '../http/errors';
import { UID } from '../constants';
import { inboundMessageReads, type InboundMessageWithSender } from './inbound-message.rows';
import { getService } from '../utils/get-service';
import type { AuditActorInput } from '../audit/actor';
import { DAY_MS } from '../utils/time';

export type InboxStatus = 'open' | 'handled' | 'all';

type InboundRow = InboundMessageWithSender;

/**
 * Staff see enough of the number to tell two senders apart, never the whole of it: answering
 * goes through the plugin, which knows the address. `+4915123456789` → `+49151••••••89`.
 */
export function maskForStaff(address: string | null): string {
  if (!address) return '(erased)';
  if (address.includes('@')) {
    const [local, domain] = address.split('@');
    return `${local.slice(0, 1)}•••@${domain}`;
  }
  if (address.length <= 8) return '•'.repeat(address.length);
  return `${address.slice(0, 6)}${'•'.repeat(address.length - 8)}${address.slice(-2)}`;
}

/** WhatsApp's customer-service window: free text is allowed for 24 hours after the citizen's last message. */
const WINDOW_MS = DAY_MS;

/**
 * The town's inbox: what citizens wrote that was not a command. Staff mark messages handled
 * or answer them inside the 24-hour window; answers go out on the channel's queue like every
 * other message (messages.service, `reply`), sharing its rate limit.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const messages = () => strapi.db.query(UID.inboundMessage);
  const runtime = () => getService(strapi, 'runtime');
  const reads = inboundMessageReads(strapi);

  /** Latest message per sender, which is what opens the window. */
  const lastFrom = async (rows: InboundRow[]) => {
    const latest = new Map<string, number>();
    const senders = new Map<string, { channel: string; fromAddress: string }>();
    for (const row of rows) if (row.fromAddress) senders.set(`${row.channel}|${row.fromAddress}`, { channel: row.channel, fromAddress: row.fromAddress });
    for (const [key, where] of senders) {
      const newest = await reads.pickOne(['receivedAt'], { where, orderBy: { receivedAt: 'desc' } });
      latest.set(key, newest?.receivedAt.getTime() ?? 0);
    }
    return latest;
  };

  const present = (row: InboundRow, latest: Map<string, number>, now: number) => ({
    id: row.id,
    channel: row.channel,
    from: maskForStaff(row.fromAddress),
    name: row.subscriber?.name ?? null,
    text: row.text ?? '',
    receivedAt: row.receivedAt.toISOString(),
    handledAt: row.handledAt?.toISOString() ?? null,
    replyText: row.replyText ?? null,
    repliedAt: row.repliedAt?.toISOString() ?? null,
    windowOpen: Boolean(row.fromAddress) && now - (latest.get(`${row.channel}|${row.fromAddress}`) ?? 0) < WINDOW_MS,
  });

  const find = async (id: number) => {
    const row = await reads.findOneWithSender(id);
    // Command traffic the plugin answered itself is not the inbox's business.
    if (!row || row.handledBy === 'system') throw notFoundError('No such inbox message');
    return row;
  };

  const presentOne = async (id: number) => {
    const row = await find(id);
    return present(row, await lastFrom([row]), Date.now());
  };

  const handler = (adminId: number | null) => (adminId ? `admin:${adminId}` : 'admin');

  return {
    async list({ status, page, pageSize }: { status: InboxStatus; page: number; pageSize: number }) {
      const notSystem = { $or: [{ handledBy: { $null: true } }, { handledBy: { $ne: 'system' } }] };
      const where =
        status === 'open' ? { handledAt: { $null: true } } : status === 'handled' ? { $and: [{ handledAt: { $notNull: true } }, notSystem] } : notSystem;
      const [rows, total] = await Promise.all([
        reads.findManyWithSender({
          where,
          // Open messages oldest first (who has waited longest); handled ones newest first.
          orderBy: [{ receivedAt: status === 'open' ? 'asc' : 'desc' }, { id: 'asc' }],
          offset: (page - 1) * pageSize,
          limit: pageSize,
        }),
        messages().count({ where }),
      ]);
      const latest = await lastFrom(rows);
      const now = Date.now();
      const config = runtime().config().inbox;
      return {
        data: rows.map((row) => present(row, latest, now)),
        meta: {
          pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) },
          enabled: config.enabled,
          cannedReplies: config.cannedReplies.map((reply, index) => ({ id: String(index + 1), ...reply })),
        },
      };
    },

    async markHandled(id: number, adminId: number | null) {
      const row = await find(id);
      if (!row.handledAt) await messages().update({ where: { id }, data: { handledAt: new Date(), handledBy: handler(adminId) } });
      return presentOne(id);
    },

    /** Free text is only allowed while the sender's window is open; outside it WhatsApp refuses (131047). */
    async reply(id: number, text: string, adminId: number | null, actor: AuditActorInput) {
      const row = await find(id);
      if (!row.fromAddress) throw validationError('The sender’s data was erased; there is nobody to answer.');
      const latest = await lastFrom([row]);
      const lastMessage = latest.get(`${row.channel}|${row.fromAddress}`) ?? 0;
      if (Date.now() - lastMessage >= WINDOW_MS) {
        throw validationError(
          'The 24-hour window is closed: the citizen last wrote more than 24 hours ago, so WhatsApp only allows an approved template.',
          { windowClosedAt: new Date(lastMessage + WINDOW_MS).toISOString() }
        );
      }
      if (!runtime().channels().find(row.channel)) throw validationError(`Channel ${row.channel} is not enabled`);
      // Awaited, unlike automatic replies: the staff member must learn when it could not be queued.
      // The text waits in the database; the job names it (docs/privacy.md).
      await getService(strapi, 'messages').enqueue(row.channel, { message: 'reply', inboundMessageId: id, text, kind: 'staff-reply' });
      const now = new Date();
      await messages().update({
        where: { id },
        data: { replyText: text, repliedAt: now, handledAt: row.handledAt ?? now, handledBy: row.handledBy ?? handler(adminId) },
      });
      // The citizen by subscriber id (none when the sender never signed up); never the text or the number.
      await getService(strapi, 'audit').record({ action: 'inbox-replied', actorId: actor, subscriberId: row.subscriber?.id ?? null, details: { channel: row.channel, inboundMessageId: id } });
      return presentOne(id);
    },
  };
};
