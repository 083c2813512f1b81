import type { Core } from '@strapi/strapi';
import { CONTROL_QUEUE, MOVING_RUN_STATES, OPEN_RUN_STATES, UID, type ChannelId, type RunState } from '../constants';
import { jobIds, LiveDeliveries } from '../queue/jobs';
import { getService } from '../utils/get-service';
import { rowsOf } from '../database/row';
import { announcementDocumentIdOf } from '../announcements/announcement.rows';
import { deliveryScheduler } from '../delivery/scheduler';
import { holdOf } from './policy';
import { runsFromRows, type RunRow } from './run.rows';
import type { RunStateAccess } from './run-state';
import type { Lifecycle } from './lifecycle';

/** The reconciler: the runs are the truth, Redis only carries work. */
export const reconcilerOf = (strapi: Core.Strapi, runState: RunStateAccess, lifecycle: Lifecycle) => {
  const runtime = () => getService(strapi, 'runtime');
  const announcements = () => getService(strapi, 'announcements');
  const runsQuery = () => strapi.db.query(UID.run);
  const announcementQuery = () => strapi.db.query(UID.announcement);
  const scheduler = deliveryScheduler(strapi);

  const api = {
    /**
     * The runs are the truth, Redis only carries work. For every open run: a stopped channel
     * pauses it with a reason; a fan-out or a delivery whose job is gone (Redis lost it, a
     * process died, a round was swallowed) is enqueued again in a fresh round, whatever other
     * queues hold; a quiet-hours hold is re-read from the current config; finished runs close.
     */
    async reconcile() {
      const queue = runtime().queue();
      await api.adoptLegacy();
      const open = runsFromRows(await runsQuery().findMany({ where: { state: { $in: [...OPEN_RUN_STATES] } } }));
      if (!open.length) return;
      const stopped = new Set<ChannelId>();
      for (const channel of runtime().channels().enabled()) if (await queue.isPaused(channel.id)) stopped.add(channel.id);
      const byAnnouncement = new Map<string, RunRow[]>();
      for (const run of open) byAnnouncement.set(run.announcementDocumentId, [...(byAnnouncement.get(run.announcementDocumentId) ?? []), run]);
      const liveControl = new Set(await queue.liveJobIds(CONTROL_QUEUE));
      // A channel queue holds one job per open delivery: a million of them must not become a million strings.
      const liveDeliver = new Map<ChannelId, LiveDeliveries>();
      const liveOn = async (channel: ChannelId) => {
        let live = liveDeliver.get(channel);
        if (!live) {
          const collected = new LiveDeliveries();
          await queue.forEachLiveJobId(channel, (id) => collected.add(id));
          liveDeliver.set(channel, (live = collected));
        }
        return live;
      };
      const now = new Date();

      for (const [documentId, runs] of byAnnouncement) {
        const announcement = await announcements().findPublished(documentId);
        if (!announcement) continue;
        for (const run of runs) {
          if (stopped.has(run.channel) && (MOVING_RUN_STATES as readonly string[]).includes(run.state)) {
            await runState.transition(documentId, 'paused', { channels: [run.channel], reason: `channel-paused:${run.channel}`, from: ['queued', 'sending'] });
          }
        }
        const current = await runState.runsOf(documentId);
        const startable = current.filter((run) => ['scheduled', 'queued', 'sending'].includes(run.state));
        if (!startable.length) continue;

        // A quiet-hours hold follows the config of this start: lifted, moved, or kept.
        const heldByQuiet = startable.filter((run) => run.reason === 'quiet-hours' && (run.resumesAt?.getTime() ?? 0) > now.getTime());
        const hold = holdOf(runtime().config().broadcast.quietHours, announcement, now);
        const rehold = heldByQuiet.filter((run) => hold?.reason !== 'quiet-hours' || Math.abs(hold.until.getTime() - (run.resumesAt?.getTime() ?? 0)) >= 60_000);
        if (rehold.length) {
          const state: RunState = announcement.fanOutDoneAt ? 'sending' : hold ? 'scheduled' : 'queued';
          await runState.transition(documentId, state, { channels: rehold.map((run) => run.channel), reason: hold?.reason ?? null, resumesAt: hold?.until ?? null, from: ['scheduled', 'queued', 'sending'] });
          const delayMs = hold ? hold.until.getTime() - now.getTime() : 0;
          if (announcement.fanOutDoneAt) await scheduler.requeueOpen(documentId, { channels: rehold.map((run) => run.channel), delayMs });
          else lifecycle.enqueueFanOut(documentId, delayMs);
          continue;
        }

        if (!announcement.fanOutDoneAt) {
          const prefix = jobIds.fanOutPrefix(documentId);
          if (![...liveControl].some((id) => id.startsWith(prefix))) {
            const until = Math.min(...startable.map((run) => run.resumesAt?.getTime() ?? now.getTime()));
            lifecycle.enqueueFanOut(documentId, until - now.getTime());
          }
          continue;
        }
        await lifecycle.finishIfDone(documentId);
        for (const run of startable) {
          if (stopped.has(run.channel) || !(MOVING_RUN_STATES as readonly string[]).includes(run.state)) continue;
          const live = await liveOn(run.channel);
          await scheduler.requeueOrphans(documentId, run.channel, (data) => live.has(data));
        }
      }
    },

    /** Announcements started before runs existed get runs that mirror their status, once (see `runsOf`). */
    async adoptLegacy() {
      const documentIds = rowsOf(
        await announcementQuery().findMany({ where: { broadcastStatus: { $in: [...OPEN_RUN_STATES] }, publishedAt: { $notNull: true } }, select: ['documentId'] }),
        announcementDocumentIdOf
      );
      if (!documentIds.length) return;
      const have = await runState.runsOfMany(documentIds);
      for (const documentId of documentIds) if (!have.has(documentId)) await runState.runsOf(documentId);
    },
  };
  return api;
};
