import { z } from 'zod';
import { CHANNEL_IDS, JOB_NAMES } from '../constants';
import { MESSAGE_KINDS, type OneToOneKind } from '../../../shared/contracts/costs';
import type { QueueJobSpec } from './job-queue';

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
  /**
   * Failed sends of this delivery before this job: a batch hands a delivery whose send may be
   * retried to a job of its own, which goes on counting from there (`broadcast.maxAttempts`).
   */
  attemptsBefore: z.number().int().min(0).optional(),
});
export type DeliverJob = z.infer<typeof deliverJobSchema>;

/** Up to one batch size of deliveries of one announcement on one channel, named by subscriber. */
export const deliverBatchJobSchema = z.object({
  announcementDocumentId: z.string().min(1),
  channel: z.enum(CHANNEL_IDS),
  subscriberIds: z.array(z.number().int().positive()).min(1).max(1000),
});
export type DeliverBatchJob = z.infer<typeof deliverBatchJobSchema>;

/** What a one-to-one message is, for the cost view (absent in jobs of older versions). */
const kindSchema = z.enum(MESSAGE_KINDS).exclude(['news']).optional();

export const messageJobSchema = z.discriminatedUnion('message', [
  /** Double opt-in: a fresh one-time token is made when the message is sent. */
  z.object({ message: z.literal('confirmation'), subscriberId: z.number().int().positive(), kind: kindSchema }),
  /**
   * The text waits in the database (`outgoing-message`, by `textId`): it may repeat what the
   * citizen chose or wrote. `text` only in jobs of older versions.
   */
  z.object({ message: z.literal('text'), subscriberId: z.number().int().positive(), textId: z.number().int().positive().optional(), text: z.string().min(1).optional(), kind: kindSchema }),
  /** A reply to someone who wrote in and may not be a subscriber. */
  z.object({ message: z.literal('reply'), inboundMessageId: z.number().int().positive(), textId: z.number().int().positive().optional(), text: z.string().min(1).optional(), kind: kindSchema }),
]);
export type MessageJob = z.infer<typeof messageJobSchema>;
/** What a caller queues: the text itself, which `messages.enqueue` stores and replaces by its row id. */
export type OutgoingMessage =
  | { message: 'confirmation'; subscriberId: number; kind?: 'confirmation' }
  | { message: 'text'; subscriberId: number; text: string; kind: OneToOneKind }
  | { message: 'reply'; inboundMessageId: number; text: string; kind: OneToOneKind };

/**
 * A one-to-one message job: a citizen is waiting for it (a confirmation, a keyword answer, a STOP
 * receipt, a staff reply), so it goes in the priority lane, before the broadcast batches waiting on
 * the channel's queue. It still takes its pacing slot and, for a confirmation, its reach admission.
 */
export const messageJob = (data: MessageJob): QueueJobSpec<MessageJob> => ({ name: JOB_NAMES.message, data, lane: 'priority' });

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
  /**
   * `batch:<doc>:<channel>:<round>:<subscribers>`: the subscriber ids travel in the id itself
   * (ascending, the first in base 36, then the gaps), so the reconciler learns which deliveries
   * a queued batch covers from the ids alone, without reading a million job payloads.
   */
  deliverBatch: (job: DeliverBatchJob, round = '0') => `batch:${job.announcementDocumentId}:${job.channel}:${round}:${encodeIds(job.subscriberIds)}`,
};

function encodeIds(ids: number[]): string {
  const sorted = [...ids].sort((a, b) => a - b);
  return sorted.map((id, index) => (index === 0 ? id : id - sorted[index - 1]).toString(36)).join('.');
}

/** The subscriber ids of a batch job id, or none when the id is not one. */
export function batchSubscriberIds(jobId: string): { announcementDocumentId: string; subscriberIds: number[] } | null {
  const parts = jobId.split(':');
  if (parts.length !== 5 || parts[0] !== 'batch') return null;
  let previous = 0;
  const subscriberIds = parts[4].split('.').map((part, index) => (previous = index === 0 ? parseInt(part, 36) : previous + parseInt(part, 36)));
  return subscriberIds.every(Number.isInteger) ? { announcementDocumentId: parts[1], subscriberIds } : null;
}

/**
 * The deliveries live in a queue, as subscriber ids per announcement: a number per live job
 * instead of its id string, so the reconciler's view of a million queued deliveries stays small.
 */
export class LiveDeliveries {
  private readonly byAnnouncement = new Map<string, Set<number>>();

  /** Counts a job id in (a single delivery or a batch); ids that are neither are ignored. */
  add(jobId: string) {
    const batch = batchSubscriberIds(jobId);
    if (batch) {
      for (const id of batch.subscriberIds) this.addOne(batch.announcementDocumentId, id);
      return;
    }
    const [kind, announcementDocumentId, subscriberId] = jobId.split(':', 3);
    const id = Number(subscriberId);
    if (kind !== 'deliver' || !announcementDocumentId || !Number.isInteger(id)) return;
    this.addOne(announcementDocumentId, id);
  }

  private addOne(announcementDocumentId: string, id: number) {
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
