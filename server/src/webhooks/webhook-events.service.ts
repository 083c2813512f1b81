import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { CONTROL_QUEUE, JOB_NAMES, PLUGIN_ID, type ChannelId } from '../constants';
import type { HeaderBag } from '../channels/channel';
import { webhookJobSchema } from '../queue/jobs';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';

/**
 * Provider webhook → verify → queue → delivery status and inbound commands.
 * The HTTP answer only waits for the signature check and one enqueue: Meta expects a fast
 * acknowledgement and redelivers for days, so processing happens on the queue.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const lastVerified = new Map<string, Date>();

  const webhookOf = (channelId: string) => {
    const channel = runtime().channels().find(channelId);
    if (!channel?.webhook) throw new errors.NotFoundError(`No webhook for channel ${channelId}`);
    return { channel, webhook: channel.webhook };
  };

  return {
    handshake(channelId: string, query: Record<string, unknown>): string {
      const challenge = webhookOf(channelId).webhook.handshake(query);
      if (challenge === null) throw new errors.ForbiddenError('Verify token does not match');
      return challenge;
    },

    async accept(channelId: string, rawBody: string | Buffer | undefined, headers: HeaderBag, parsed: unknown) {
      const { channel, webhook } = webhookOf(channelId);
      if (rawBody === undefined || !webhook.verify(rawBody, headers)) {
        throw new errors.UnauthorizedError('Missing or invalid webhook signature');
      }
      lastVerified.set(channel.id, new Date());
      await runtime().queue().add(CONTROL_QUEUE, { name: JOB_NAMES.webhook, data: { channel: channel.id, payload: parsed } });
    },

    lastVerifiedAt(channelId: string): Date | null {
      return lastVerified.get(channelId) ?? null;
    },

    /** Also the sandbox phone's entry point: it feeds payloads through the same code as real webhooks. */
    async process(job: RunningJob) {
      const { channel: channelId, payload } = webhookJobSchema.parse(job.data);
      await this.processPayload(channelId, payload);
    },

    async processPayload(channelId: ChannelId, payload: unknown) {
      const { webhook } = webhookOf(channelId);
      const events = webhook.parse(payload).sort((a, b) => a.at.getTime() - b.at.getTime());
      await getService(strapi, 'delivery').applyStatuses(
        channelId,
        events.filter((event): event is Extract<typeof event, { type: 'status' }> => event.type === 'status')
      );
      for (const event of events) {
        if (event.type === 'status') continue;
        else if (event.type === 'message') await getService(strapi, 'inbound-commands').handle(channelId, event);
        else if (event.type === 'preference') await getService(strapi, 'subscriptions').handlePreference(channelId, event.from, event.value);
        else if (event.type === 'account-error') {
          strapi.log.error(`[${PLUGIN_ID}] ${channelId} reports an account error: ${event.error.code} ${event.error.message}`);
        }
      }
    },
  };
};
