import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { JOB_NAMES, PLUGIN_ID, UID } from '../constants';
import type { RunningJob } from '../queue/job-queue';
import { getService } from '../utils/get-service';
import { onTheFediverse } from './on-the-fediverse';
import { acceptActivity, deleteActivity, noteDocument, updateActivity } from '../channels/activitypub/documents';
import { classifyActivitypubError, followerEndpointsFromRow, inboxHasKey, type FollowerEndpoints } from '../channels/activitypub';

/**
 * Activities that are not a broadcast: the `Accept` a new follower waits for, and the `Update`
 * or `Delete` of a Note already sent (an editor's correction, news withdrawn). Each is one job
 * on the channel's queue (ids only, like every job), so it survives a restart, is retried with
 * the queue's backoff, and is paced like any send. An Update or Delete goes once to each
 * follower server's (shared) inbox; a server that already has it is skipped when the job runs again.
 */
export const activitypubJobSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('accept'), subscriberId: z.number().int().positive() }),
  z.object({ action: z.enum(['update', 'delete']), documentId: z.string().min(1), version: z.string().min(1) }),
]);
export type ActivitypubJob = z.infer<typeof activitypubJobSchema>;

const CHANNEL = 'activitypub' as const;

/** A follower's subscriber row as these jobs read it; the endpoints JSON is parsed on its own (followerEndpointsFromRow). */
const followerRow = z.object({ address: z.string().nullable().optional(), activitypubFollower: z.unknown() });

export function activitypubActivities(strapi: Core.Strapi) {
  const runtime = () => getService(strapi, 'runtime');
  const enabled = () => runtime().config().channels.activitypub.enabled;

  /** Whether this news went out to the actor's followers: only then is there a Note to update or delete (on-the-fediverse.ts). */
  const wasBroadcast = (documentId: string) => onTheFediverse(strapi).isOut(documentId);

  const followerInboxes = async (): Promise<string[]> => {
    const rows: unknown[] = await strapi.db.query(UID.subscriber).findMany({ where: { channel: CHANNEL, status: 'active' }, select: ['activitypubFollower'] });
    const endpoints = rows.map((row) => followerEndpointsFromRow(followerRow.parse(row).activitypubFollower)).filter((found): found is FollowerEndpoints => found !== null);
    return [...new Set(endpoints.map((found) => found.sharedInbox ?? found.inbox))];
  };

  const enqueue = (job: ActivitypubJob, id: string) => runtime().queue().add(CHANNEL, { name: JOB_NAMES.activitypub, data: job, id });

  return {
    wasBroadcast: async (documentId: string) => enabled() && (await wasBroadcast(documentId)),

    async accept(subscriberId: number) {
      await enqueue({ action: 'accept', subscriberId }, `activitypub:accept:${subscriberId}:${Date.now()}`);
    },

    /** An editor corrected published news, or took it back: its followers' copies follow. */
    async noteChanged(documentId: string, action: 'update' | 'delete') {
      if (!enabled() || !(await wasBroadcast(documentId))) return;
      const version = new Date().toISOString();
      await enqueue({ action, documentId, version }, `activitypub:${action}:${documentId}:${version}`);
    },

    async process(job: RunningJob) {
      const data = activitypubJobSchema.parse(job.data);
      const federation = runtime().federation();
      const urls = federation.identity().urls;
      const channel = runtime().channels().get(CHANNEL);
      if (data.action === 'accept') {
        const found: unknown = await strapi.db.query(UID.subscriber).findOne({ where: { id: data.subscriberId, status: 'active' }, select: ['address', 'activitypubFollower'] });
        const row = found ? followerRow.parse(found) : null;
        const endpoints = followerEndpointsFromRow(row?.activitypubFollower);
        // Unfollowed or erased meanwhile: nobody waits for the Accept any more.
        if (!row?.address || !endpoints) return;
        if (channel.mode === 'sandbox') return;
        await federation.client().post(endpoints.inbox, acceptActivity(urls, { id: endpoints.followId, actor: row.address }));
        return;
      }

      let activity: Record<string, unknown>;
      if (data.action === 'delete') {
        activity = deleteActivity(urls, data.documentId, data.version);
      } else {
        const input = await federation.noteInputOf(data.documentId);
        if (!input) return; // withdrawn since: its Delete follows.
        activity = updateActivity(urls, noteDocument(urls, { ...input, updated: data.version }), data.documentId, data.version);
      }
      if (channel.mode === 'sandbox') return;
      const limits = runtime().limits();
      const failures: string[] = [];
      for (const inbox of await followerInboxes()) {
        const key = inboxHasKey(activity.id as string, inbox);
        if (await limits.getStamp(`${key}:done`)) continue;
        try {
          await federation.client().post(inbox, activity);
          await limits.setStamp(`${key}:done`, Date.now());
        } catch (error) {
          const classified = classifyActivitypubError(error);
          // A server that refuses for good is left out; one that is down makes the job run again for the servers still missing.
          if (classified.errorClass === 'retry' || classified.errorClass === 'retry-later') failures.push(classified.code);
          else strapi.log.warn(`[${PLUGIN_ID}] activitypub ${data.action}: ${classified.code} ${classified.message}`);
        }
      }
      if (failures.length && job.attemptsMade + 1 < job.maxAttempts) throw new Error(`activitypub ${data.action}: ${failures.length} servers to try again (${failures.slice(0, 3).join(', ')})`);
    },
  };
}
