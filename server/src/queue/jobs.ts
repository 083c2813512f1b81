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

/**
 * Job ids. A deliver job's base id is deterministic (fan-out adding the same page twice adds it
 * once); every later round (a hold for the reach window or quiet hours, a resume, the reconciler
 * re-queuing lost work) appends a fresh round, and so does every fan-out. Bull keeps completed
 * jobs and ignores an add whose id it still holds, so a reused id could swallow the new round.
 * The delivery row decides whether a job still has anything to do.
 */
export const jobIds = {
  fanOut: (announcementDocumentId: string, round: string) => `fan-out:${announcementDocumentId}:${round}`,
  fanOutPrefix: (announcementDocumentId: string) => `fan-out:${announcementDocumentId}:`,
  deliver: (job: DeliverJob, round?: string) =>
    `deliver:${job.announcementDocumentId}:${job.subscriberId}:${job.channel}${round ? `:${round}` : ''}`,
  /** The base id of any round of a deliver job (`deliver:<doc>:<subscriber>:<channel>`). */
  deliverBase: (id: string) => id.split(':').slice(0, 4).join(':'),
};

/**
 * The deliveries live in a queue, as subscriber ids per announcement: a number per live job
 * instead of its id string, so the reconciler's view of a million queued deliveries stays small.
 */
export class LiveDeliveries {
  private readonly byAnnouncement = new Map<string, Set<number>>();

  /** Counts a job id in; ids that are not deliver jobs are ignored. */
  add(jobId: string) {
    const [kind, announcementDocumentId, subscriberId] = jobId.split(':', 3);
    const id = Number(subscriberId);
    if (kind !== 'deliver' || !announcementDocumentId || !Number.isInteger(id)) return;
    let subscribers = this.byAnnouncement.get(announcementDocumentId);
    if (!subscribers) this.byAnnouncement.set(announcementDocumentId, (subscribers = new Set()));
    subscribers.add(id);
  }

  clear() {
    this.byAnnouncement.clear();
  }

  has(job: Pick<DeliverJob, 'announcementDocumentId' | 'subscriberId'>) {
    return this.byAnnouncement.get(job.announcementDocumentId)?.has(job.subscriberId) ?? false;
  }
}

let roundCounter = 0;
/** A round id no earlier round of this work can have had. */
export const freshRound = () => `${Date.now().toString(36)}${(roundCounter++ % 1296).toString(36).padStart(2, '0')}${Math.floor(Math.random() * 1296).toString(36)}`;
