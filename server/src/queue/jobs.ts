import { z } from 'zod';
import { CHANNEL_IDS } from '../constants';

/**
 * Job payloads. Redis may hold jobs written by an older plugin version, so every processor
 * parses its payload first. Payloads carry ids only, never addresses or names: personal data
 * stays in the database, where erasure can reach it.
 */
export const fanOutJobSchema = z.object({ announcementDocumentId: z.string().min(1) });
export type FanOutJob = z.infer<typeof fanOutJobSchema>;

export const deliverJobSchema = z.object({
  announcementDocumentId: z.string().min(1),
  subscriberId: z.number().int().positive(),
  channel: z.enum(CHANNEL_IDS),
});
export type DeliverJob = z.infer<typeof deliverJobSchema>;

export const messageJobSchema = z.discriminatedUnion('message', [
  /** Double opt-in: a fresh one-time token is made when the message is sent. */
  z.object({ message: z.literal('confirmation'), subscriberId: z.number().int().positive() }),
  z.object({ message: z.literal('text'), subscriberId: z.number().int().positive(), text: z.string().min(1) }),
  /** A reply to someone who wrote in and may not be a subscriber. */
  z.object({ message: z.literal('reply'), inboundMessageId: z.number().int().positive(), text: z.string().min(1) }),
]);
export type MessageJob = z.infer<typeof messageJobSchema>;

/** A stored webhook (its payload waits in the database); `payload` only in jobs of older versions. */
export const webhookJobSchema = z.object({ channel: z.enum(CHANNEL_IDS), webhookId: z.number().int().positive().optional(), payload: z.unknown().optional() });
export type WebhookJob = z.infer<typeof webhookJobSchema>;

/** Deterministic ids: enqueuing the same work twice adds it once. */
export const jobIds = {
  fanOut: (announcementDocumentId: string, round = 0) => `fan-out:${announcementDocumentId}:${round}`,
  deliver: (job: DeliverJob) => `deliver:${job.announcementDocumentId}:${job.subscriberId}:${job.channel}`,
};
