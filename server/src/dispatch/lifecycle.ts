import type { Core } from '@strapi/strapi';
import { applicationError } from '../http/errors';
import { CONTROL_QUEUE, JOB_NAMES, MOVING_RUN_STATES, OPEN_RUN_STATES, PLUGIN_ID, UID, reasonKind, type ChannelId, type RunState, type Urgency } from '../constants';
import { freshRound, jobIds } from '../queue/jobs';
import { getService } from '../utils/get-service';
import { toDate } from '../utils/time';
import { rowsOf } from '../database/row';
import { runReasonOf } from './run.rows';
import { maskedMessage } from '../utils/log';
import { countsByChannel } from '../stats/broadcast-totals';
import { deliveriesStore } from '../delivery/deliveries.store';
import { deliveryScheduler } from '../delivery/scheduler';
import { holdOf } from './policy';
import type { RunStateAccess } from './run-state';

/**
 * A broadcast's lifecycle: publish opens its runs, the editor pauses, resumes, cancels and
 * retries, unpublish parks it, fan-out begins and ends, and finished runs close. Commands on
 * delivery rows go through the deliveries store and the delivery scheduler, never through the
 * delivery service (no runtime cycle: tests/unit/module-boundaries.test.ts).
 */
export const lifecycleOf = (strapi: Core.Strapi, runState: RunStateAccess) => {
  const runtime = () => getService(strapi, 'runtime');
  const announcements = () => getService(strapi, 'announcements');
  const announcementQuery = () => strapi.db.query(UID.announcement);
  const runsQuery = () => strapi.db.query(UID.run);
  const scheduler = deliveryScheduler(strapi);

  const afterCommit = async (task: () => void) => {
    await strapi.db.transaction(async ({ onCommit }) => {
      onCommit(task);
    });
  };

  const api = {
    // ——— Lifecycle: publish, editor actions, unpublish ———

    /** The first publish of an announcement opens one run per channel and enqueues its fan-out. */
    async start(documentId: string) {
      const found = await announcements().findPublished(documentId);
      if (!found) return;
      const existing = await runState.runsOf(documentId);
      if (existing.length || found.broadcastStatus) {
        await api.republished(documentId);
        return;
      }
      const config = runtime().config();
      const now = new Date();
      const enabled = runtime().channels().enabled().map((channel) => channel.id);
      const channels = found.channels?.length ? found.channels.filter((id): id is ChannelId => enabled.some((enabledId) => enabledId === id)) : enabled;
      await announcementQuery().updateMany({ where: { documentId }, data: { channels } });
      // The announcement as now written: what approval and its budget verdict read (without reading it again).
      const announcement = { ...found, channels };

      const missingLink = await announcements().missingLinkPlaceholders(announcement);
      const grace = config.broadcast.graceSeconds > 0 ? { reason: 'grace-period', until: new Date(now.getTime() + config.broadcast.graceSeconds * 1000) } : null;
      const sendAt = toDate(announcement.sendAt);
      // A send time after the grace period is the reason shown; quiet hours are checked when fan-out runs.
      const hold = sendAt && sendAt.getTime() > now.getTime() && (!grace || sendAt >= grace.until) ? { reason: 'send-at', until: sendAt } : grace;
      const state: RunState = missingLink.length ? 'paused' : hold ? 'scheduled' : 'queued';
      const reason = missingLink.length ? 'link-missing' : (hold?.reason ?? null);
      // Four-eyes approval (approval/): the runs it holds wait, paused with `awaiting-approval:<why>`; the others go on.
      const approval = await getService(strapi, 'approval').holdAtPublish(announcement, channels);
      const rows = channels.map((channel) => {
        const waitsFor = approval.held[channel];
        if (waitsFor) return { announcementDocumentId: documentId, channel, state: 'paused' as RunState, reason: `awaiting-approval:${waitsFor}`, resumesAt: null };
        return { announcementDocumentId: documentId, channel, state, reason, resumesAt: missingLink.length ? null : (hold?.until ?? null) };
      });
      for (const row of rows) {
        // The unique index on (announcement, channel) keeps a concurrent second start from opening a run twice;
        // any other error must fail the start, so the publish's intent stays for the reconciler (publish-outbox).
        await runsQuery()
          .create({ data: row })
          .catch(async (error: Error) => {
            if (!(await runsQuery().findOne({ where: { announcementDocumentId: documentId, channel: row.channel }, select: ['id'] }))) throw error;
          });
      }
      runState.forget(documentId);
      await runState.derive(documentId);
      const going = rows.some((row) => row.state !== 'paused');
      if (going) await afterCommit(() => api.enqueueFanOut(documentId, hold ? hold.until.getTime() - now.getTime() : 0));
      // The approvers' e-mails are read now (in the publish's transaction) and sent after its commit, never awaited:
      // a slow mail server must not hold up the publish.
      const mails = approval.recorded ? await getService(strapi, 'approval').notificationsFor(documentId) : [];
      if (mails.length) await afterCommit(() => void getService(strapi, 'approval').sendMails(mails));
    },

    /**
     * A second person approved: the runs that waited for it go on (as resume would continue them),
     * or wait for their link if it is still missing. Called only by the approval service.
     */
    async releaseApproval(documentId: string) {
      const announcement = await announcements().requirePublished(documentId);
      const held = (await runState.runsOf(documentId)).filter((run) => run.state === 'paused' && reasonKind(run.reason) === 'awaiting-approval').map((run) => run.channel);
      if (!held.length) return;
      if ((await announcements().missingLinkPlaceholders(announcement)).length) {
        await runState.relabelPaused(documentId, held, 'link-missing');
        return;
      }
      await api.continueRuns(documentId, held, announcement);
    },

    /**
     * A second person rejected: nothing more of it goes out. The runs that waited are cancelled
     * with `approval-rejected`; `everythingOpen` (an emergency that went at once) also stops what is still open.
     */
    async rejectApproval(documentId: string, { everythingOpen }: { everythingOpen: boolean }) {
      const runs = (await runState.runsOf(documentId)).filter((run) =>
        everythingOpen ? (OPEN_RUN_STATES as readonly string[]).includes(run.state) : run.state === 'paused' && reasonKind(run.reason) === 'awaiting-approval'
      );
      const moved = await runState.transition(documentId, 'cancelled', { channels: runs.map((run) => run.channel), reason: 'approval-rejected' });
      for (const channel of moved) await scheduler.skipOpen(documentId, channel);
      await announcements().refreshCounters(documentId);
    },

    /** Never awaited by a publish: Redis being down must not block or fail the editor. Every call is a fresh round. */
    enqueueFanOut(documentId: string, delayMs = 0) {
      runtime()
        .queue()
        .add(CONTROL_QUEUE, { name: JOB_NAMES.fanOut, id: jobIds.fanOut(documentId, freshRound()), data: { announcementDocumentId: documentId }, delayMs: Math.max(0, delayMs) })
        .catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] could not enqueue announcement ${documentId} (${maskedMessage(error)}); the reconciler will retry.`));
    },

    async pause(documentId: string) {
      await announcements().requirePublished(documentId);
      const moved = await runState.transition(documentId, 'paused', { reason: 'paused-by-editor', from: ['scheduled', 'queued', 'sending'] });
      if (!moved.length) throw applicationError('Only a scheduled, queued or sending broadcast can be paused');
      return announcements().requirePublished(documentId);
    },

    /**
     * Continues the paused runs, re-evaluating what holds them now (send time, quiet hours), so
     * the broadcast shows the current reason. A run stopped by its channel's error resumes the
     * channel, and with it every run that waited for that channel.
     */
    async resume(documentId: string) {
      const announcement = await announcements().requirePublished(documentId);
      // Runs waiting for a second person's approval go on only with that approval (approval/).
      const paused = (await runState.runsOf(documentId)).filter((run) => run.state === 'paused' && reasonKind(run.reason) !== 'awaiting-approval');
      if (!paused.length) throw applicationError('Only a paused broadcast can be resumed (one waiting for approval goes on once it is approved)');
      const channelHeld = paused.filter((run) => ['channel-error', 'channel-paused'].includes(reasonKind(run.reason) ?? '')).map((run) => run.channel);
      for (const channel of new Set(channelHeld)) await api.resumeChannel(channel);
      await api.continueRuns(documentId, paused.map((run) => run.channel), announcement);
      return announcements().requirePublished(documentId);
    },

    /** A stopped channel goes again (an admin says the cause is fixed): every run held by it continues. */
    async resumeChannel(channel: ChannelId) {
      const queue = runtime().queue();
      if (await queue.isPaused(channel)) await queue.resume(channel);
      const held = rowsOf(await runsQuery().findMany({ where: { channel, state: 'paused' }, select: ['announcementDocumentId', 'reason'] }), runReasonOf);
      for (const run of held) {
        if (!['channel-error', 'channel-paused'].includes(reasonKind(run.reason) ?? '')) continue;
        const announcement = await announcements().findPublished(run.announcementDocumentId);
        if (announcement) await api.continueRuns(run.announcementDocumentId, [channel], announcement);
      }
    },

    /** Paused runs go back to where they belong now, with the reason that holds them, and their work is enqueued afresh. */
    async continueRuns(documentId: string, channels: ChannelId[], announcement: { fanOutDoneAt?: unknown; sendAt?: unknown; urgency?: Urgency | null }) {
      const now = new Date();
      const hold = holdOf(runtime().config().broadcast.quietHours, announcement, now);
      const fannedOut = Boolean(toDate(announcement.fanOutDoneAt));
      const state: RunState = fannedOut ? 'sending' : hold ? 'scheduled' : 'queued';
      const moved = await runState.transition(documentId, state, { channels, reason: hold?.reason ?? null, resumesAt: hold?.until ?? null, from: ['paused'] });
      if (!moved.length) return;
      if (fannedOut) await scheduler.requeueOpen(documentId, { channels: moved, delayMs: hold ? hold.until.getTime() - now.getTime() : 0 });
      else api.enqueueFanOut(documentId, hold ? hold.until.getTime() - now.getTime() : 0);
    },

    async cancel(documentId: string) {
      await announcements().requirePublished(documentId);
      const moved = await runState.transition(documentId, 'cancelled', { reason: 'cancelled-by-editor' });
      if (!moved.length) throw applicationError('This broadcast is already finished');
      await scheduler.skipOpen(documentId);
      await announcements().refreshCounters(documentId);
      return announcements().requirePublished(documentId);
    },

    /** Gives failed deliveries another go, except those whose recipient can never be reached. */
    async retryFailed(documentId: string) {
      await announcements().requirePublished(documentId);
      const runs = await runState.runsOf(documentId);
      if (runs.length && runs.every((run) => run.state === 'cancelled')) throw applicationError('A cancelled broadcast cannot be retried');
      const reopened = await deliveriesStore(strapi).reopenFailed(documentId);
      // A run paused by a template error (since fixed) goes again from where it stopped: its
      // deliveries not yet sent are all still open.
      const rejected = runs.filter((run) => run.state === 'paused' && reasonKind(run.reason) === 'template-error').map((run) => run.channel);
      if (rejected.length) await api.continueRuns(documentId, rejected, await announcements().requirePublished(documentId));
      const others = reopened.channels.filter((channel) => !rejected.includes(channel));
      if (others.length) {
        await runState.transition(documentId, 'sending', { channels: others, from: ['sent', 'failed', 'sending'] });
        await scheduler.requeueOpen(documentId, { channels: others });
      }
      await announcements().refreshCounters(documentId);
      return { reopened: reopened.count, continued: rejected.length };
    },

    /** The news was unpublished mid-broadcast: its runs pause and say so; publishing again continues them. */
    async unpublished(documentId: string) {
      await runState.transition(documentId, 'paused', { reason: 'unpublished', from: ['scheduled', 'queued', 'sending'] });
    },

    /** A re-publish continues runs held by unpublishing or by a missing link (once the link is there). */
    async republished(documentId: string) {
      const runs = (await runState.runsOf(documentId)).filter((run) => run.state === 'paused' && ['unpublished', 'link-missing'].includes(reasonKind(run.reason) ?? ''));
      if (!runs.length) return;
      const announcement = await announcements().findPublished(documentId);
      if (!announcement) return;
      if (runs.some((run) => run.reason === 'link-missing')) {
        const missing = await announcements().refreshLink(announcement);
        if (missing.length) return;
      }
      await api.continueRuns(documentId, runs.map((run) => run.channel), (await announcements().findPublished(documentId)) ?? announcement);
    },

    // ——— Fan-out ———

    /**
     * Fan-out asks before it pages subscribers: answers the channels whose rows to create and
     * those whose jobs to add now, or null when it should not run (it was enqueued again if it waits).
     */
    async beginFanOut(documentId: string): Promise<{ rows: ChannelId[]; jobs: ChannelId[] } | null> {
      const announcement = await announcements().findPublished(documentId);
      if (!announcement || toDate(announcement.fanOutDoneAt)) return null;
      const runs = await runState.runsOf(documentId);
      // Paused runs get their rows too (the admin counts who is waiting); their jobs come with resume.
      const open = runs.filter((run) => (OPEN_RUN_STATES as readonly string[]).includes(run.state));
      const startable = open.filter((run) => run.state !== 'paused');
      if (!open.length) return null;
      const now = new Date();
      const hold = startable.length ? holdOf(runtime().config().broadcast.quietHours, announcement, now) : null;
      if (hold) {
        await runState.transition(documentId, 'scheduled', { channels: startable.map((run) => run.channel), reason: hold.reason, resumesAt: hold.until, from: ['scheduled', 'queued'] });
        api.enqueueFanOut(documentId, hold.until.getTime() - now.getTime());
        return null;
      }
      const moved = startable.length ? await runState.transition(documentId, 'sending', { channels: startable.map((run) => run.channel), from: ['scheduled', 'queued', 'sending'] }) : [];
      return { rows: open.map((run) => run.channel), jobs: moved };
    },

    async fanOutDone(documentId: string) {
      await announcementQuery().updateMany({ where: { documentId }, data: { fanOutDoneAt: new Date() } });
      await api.finishIfDone(documentId);
    },

    /** Runs whose deliveries are all settled are finished: `sent`, or `failed` when not one message went out. */
    async finishIfDone(documentId: string) {
      const announcement = await announcements().findPublished(documentId);
      if (!announcement || !toDate(announcement.fanOutDoneAt)) return;
      const runs = (await runState.runsOf(documentId)).filter((run) => (MOVING_RUN_STATES as readonly string[]).includes(run.state));
      if (!runs.length) return;
      const byChannel = await countsByChannel(strapi, documentId);
      const done = runs.filter((run) => (byChannel.get(run.channel)?.open ?? 0) === 0);
      if (!done.length) return;
      // Counters first: whoever sees the broadcast `sent` sees its final numbers.
      await announcements().refreshCounters(documentId);
      for (const run of done) {
        const counts = byChannel.get(run.channel) ?? { open: 0, failed: 0, total: 0 };
        const allFailed = counts.total > 0 && counts.failed === counts.total;
        await runState.transition(documentId, allFailed ? 'failed' : 'sent', { channels: [run.channel], reason: allFailed ? 'all-deliveries-failed' : null, from: ['queued', 'sending'] });
      }
    },
  };
  return api;
};

export type Lifecycle = ReturnType<typeof lifecycleOf>;
