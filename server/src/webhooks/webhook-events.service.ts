import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { forbiddenError, notFoundError, unauthorizedError } from '../http/errors';
import { CONTROL_QUEUE, JOB_NAMES, PLUGIN_ID, UID, type ChannelId } from '../constants';
import type { ChannelEvent, HeaderBag } from '../channels/channel';
import { webhookJobSchema } from '../queue/jobs';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { maskPersonalData, maskedMessage } from '../utils/log';
import { DAY_MS } from '../utils/time';
import { idFromRow } from '../database/row';
import { inboundWebhookReads } from './inbound-webhook.rows';

type WebhookStampKind = 'received' | 'verified';
type InboundMessageEvent = Extract<ChannelEvent, { type: 'message' }>;
const STAMP_FLUSH_MS = 10_000;
/** Meta retries an unacknowledged webhook for up to 7 days; a day more for clocks and queues. */
const REDELIVERY_WINDOW_MS = 8 * DAY_MS;

/**
 * Provider webhook → verify → queue → delivery status and inbound commands.
 * The HTTP answer only waits for the signature check and one enqueue: Meta expects a fast
 * acknowledgement and redelivers for days, so processing happens on the queue.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');

  /**
   * When webhooks last arrived, for the channel status page. Kept in memory and copied to Redis
   * at most every STAMP_FLUSH_MS per channel and kind, so a burst of a thousand webhooks costs
   * one Redis write and no database write, and every process behind a load balancer sees it.
   */
  const seen = new Map<string, number>();
  const flushed = new Map<string, number>();
  const stamp = (channelId: string, kind: WebhookStampKind, at = Date.now()) => {
    const key = `webhook:${channelId}:${kind}`;
    seen.set(key, at);
    if (at - (flushed.get(key) ?? 0) < STAMP_FLUSH_MS) return;
    flushed.set(key, at);
    runtime()
      .limits()
      .setStamp(key, at)
      .catch((error: Error) => strapi.log.debug?.(`[${PLUGIN_ID}] could not record the webhook time: ${maskedMessage(error)}`));
  };

  const webhookOf = (channelId: string) => {
    const channel = runtime().channels().find(channelId);
    if (!channel?.webhook) throw notFoundError(`No webhook for channel ${channelId}`);
    return { channel, webhook: channel.webhook };
  };

  return {
    handshake(channelId: string, query: Record<string, unknown>): string {
      const challenge = webhookOf(channelId).webhook.handshake(query);
      if (challenge === null) throw forbiddenError('Verify token does not match');
      return challenge;
    },

    async accept(channelId: string, rawBody: string | Buffer | undefined, headers: HeaderBag, parsed: unknown) {
      const { channel, webhook } = webhookOf(channelId);
      stamp(channel.id, 'received');
      if (rawBody === undefined || !webhook.verify(rawBody, headers)) {
        throw unauthorizedError('Missing or invalid webhook signature');
      }
      stamp(channel.id, 'verified');
      // The payload (numbers, names, texts) stays in the database; the job carries its id only.
      const stored = idFromRow(await strapi.db.query(UID.inboundWebhook).create({ data: { channel: channel.id, payload: parsed, receivedAt: new Date() } }));
      try {
        await runtime().queue().add(CONTROL_QUEUE, { name: JOB_NAMES.webhook, data: { channel: channel.id, webhookId: stored.id } });
      } catch (error) {
        // Not acknowledged: the provider delivers it again, so the stored copy is not needed.
        await strapi.db.query(UID.inboundWebhook).delete({ where: { id: stored.id } });
        throw error;
      }
    },

    /** The later of this process's memory and what any process wrote to Redis (at most STAMP_FLUSH_MS stale). */
    async lastWebhookAt(channelId: string, kind: WebhookStampKind): Promise<Date | null> {
      const key = `webhook:${channelId}:${kind}`;
      const shared = await runtime()
        .limits()
        .getStamp(key)
        .catch(() => null);
      const latest = Math.max(seen.get(key) ?? 0, shared ?? 0);
      return latest > 0 ? new Date(latest) : null;
    },

    /**
     * A citizen's message acts once, however often it reaches us: Meta redelivers a webhook we
     * answered slowly, and a webhook job that failed half way runs again with the messages it
     * already handled. The message id (as an HMAC: ids can embed the number) is claimed in Redis
     * for as long as providers redeliver, and marked done once the command has acted and its
     * reply is queued.
     */
    async handleMessageOnce(channelId: ChannelId, event: InboundMessageEvent, runId: string) {
      const key = `inbound:${getService(strapi, 'subscriptions').inboundMessageKey(channelId, event.providerMessageId)}`;
      const limits = runtime().limits();
      if (!(await limits.claimFor(key, runId, REDELIVERY_WINDOW_MS))) {
        strapi.log.debug?.(`[${PLUGIN_ID}] ${channelId} message handled before (redelivered or retried): skipped`);
        return;
      }
      await getService(strapi, 'inbound-commands').handle(channelId, event);
      await limits.settleClaim(key, REDELIVERY_WINDOW_MS);
    },

    /** Also the sandbox phone's entry point: it feeds payloads through the same code as real webhooks. */
    async process(job: RunningJob) {
      const { channel: channelId, webhookId, payload } = webhookJobSchema.parse(job.data);
      if (webhookId === undefined) return this.processPayload(channelId, payload, job.id);
      const stored = await inboundWebhookReads(strapi).findOne(webhookId);
      // Gone: processed by an earlier run of this job (at-least-once), or removed by retention.
      if (!stored) return;
      await this.processPayload(channelId, stored.payload, job.id);
      await strapi.db.query(UID.inboundWebhook).delete({ where: { id: webhookId } });
    },

    /**
     * `runId` names this processing: the job's id, which stays the same when bull runs the job
     * again, so a run cut off by a crash finishes the message it was handling.
     */
    async processPayload(channelId: ChannelId, payload: unknown, runId: string = randomUUID()) {
      const { webhook } = webhookOf(channelId);
      const events = webhook.parse(payload).sort((a, b) => a.at.getTime() - b.at.getTime());
      const statuses = events.filter((event): event is Extract<typeof event, { type: 'status' }> => event.type === 'status');
      const ours = await getService(strapi, 'delivery').applyStatuses(channelId, statuses);
      await getService(strapi, 'costs').recordPricing(channelId, statuses, ours);
      // Meta priced messages: the budget's thresholds are checked soon.
      if (statuses.some((status) => status.pricing)) getService(strapi, 'budget').noteSpending();
      for (const event of events) {
        if (event.type === 'status') continue;
        else if (event.type === 'message') await this.handleMessageOnce(channelId, event, runId);
        else if (event.type === 'preference') await getService(strapi, 'subscriptions').handlePreference(channelId, event.from, event.value, event.userId);
        else if (event.type === 'template-update') await getService(strapi, 'whatsapp-account').recordTemplateUpdate(event);
        else if (event.type === 'user-id-update') await getService(strapi, 'subscriptions').updateWhatsappUserId(event.previous, event.current);
        else if (event.type === 'account-error') {
          strapi.log.error(`[${PLUGIN_ID}] ${channelId} reports an account error: ${event.error.code} ${maskPersonalData(event.error.message)}`);
        }
      }
    },
  };
};
