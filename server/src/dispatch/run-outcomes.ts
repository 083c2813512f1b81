import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID, type ChannelId, type Urgency } from '../constants';
import type { ClassifiedError } from '../channels/channel';
import { getService } from '../utils/get-service';
import { GroupCommit } from '../utils/group-commit';
import { rowsOf } from '../database/row';
import { runAnnouncementOf } from './run.rows';
import { maskedMessage, maskPersonalData } from '../utils/log';
import { BOOKING_GRACE_MS, reachMember, reachWindowKey, reachWindowMs } from '../delivery/reach';
import { quietHold, type Admission } from './policy';
import { isTimedReason } from './runs';
import type { RunStateAccess } from './run-state';

/**
 * What the send pipeline asks dispatch and reports to it: whether a run lets a delivery go,
 * admission (quiet hours, daily reach), and the run-level outcomes of sends (a hold shown on the
 * run, a message out, a template error, a stopped channel, a late failure with a wait). Also the
 * counters, kept by their owner as outcomes arrive.
 */
export const runOutcomesOf = (strapi: Core.Strapi, runState: RunStateAccess, finishIfDone: (documentId: string) => Promise<void>) => {
  const runtime = () => getService(strapi, 'runtime');
  const runsQuery = () => strapi.db.query(UID.run);

  // Sends that are admitted together go through the reach window in one atomic call (group
  // commit), each still counted right before its own send.
  const reachWindows = new Map<string, GroupCommit<{ member: string; limit: number }, { admitted: true } | { admitted: false; retryAtMs: number }>>();
  const reachWindow = (key: string) => {
    let found = reachWindows.get(key);
    if (!found) {
      found = new GroupCommit(async (asks) =>
        runtime()
          .limits()
          .admitOrBookMany(key, asks.map((ask) => ask.member), asks[0].limit, reachWindowMs(runtime().config()), Date.now(), BOOKING_GRACE_MS)
      );
      reachWindows.set(key, found);
    }
    return found;
  };

  // Counters are recomputed at most once a second per announcement (less often after a slow recount, below) instead of on every message.
  const pendingRefresh = new Map<string, NodeJS.Timeout>();
  // A recount reads every delivery row of the broadcast (twice: whether runs are done, then the
  // numbers), in every worker process: at 850,000 rows once a second that was most of what the
  // database read during a large broadcast (docs/performance.md, #26). The next recount waits
  // twenty times as long as the last one took, so recounts take at most a twentieth of the time;
  // a small broadcast's count takes milliseconds and still runs every second.
  const lastRecountMs = new Map<string, number>();
  const RECOUNT_SHARE = 20;

  const api = {
    /** Finishes runs that are done and recounts the announcement's numbers: at most once a second, and at most a twentieth of the time. */
    scheduleCounterRefresh(documentId: string) {
      if (pendingRefresh.has(documentId)) return;
      const delayMs = Math.min(60_000, Math.max(1000, RECOUNT_SHARE * (lastRecountMs.get(documentId) ?? 0)));
      const timer = setTimeout(() => {
        pendingRefresh.delete(documentId);
        const started = Date.now();
        finishIfDone(documentId)
          .then(() => getService(strapi, 'announcements').refreshCounters(documentId))
          .then(() => {
            if (lastRecountMs.size > 100) lastRecountMs.clear();
            lastRecountMs.set(documentId, Date.now() - started);
          })
          .catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] counters for ${documentId}: ${maskedMessage(error)}`));
      }, delayMs);
      timer.unref();
      pendingRefresh.set(documentId, timer);
    },

    stop() {
      for (const timer of pendingRefresh.values()) clearTimeout(timer);
      pendingRefresh.clear();
    },

    // ——— The hot path: admission and verdicts ———

    /** Whether the run of this delivery lets it go now, before anything about the recipient is looked at. */
    async runAdmits(documentId: string, channel: ChannelId): Promise<Admission> {
      const run = await runState.cachedRun(documentId, channel);
      if (!run) return { kind: 'park' };
      if (run.state === 'cancelled' || run.state === 'failed') return { kind: 'skip' };
      if (run.state === 'paused' || run.state === 'scheduled') return { kind: 'park' };
      return { kind: 'send' };
    },

    /** Quiet hours and the daily reach window, for one recipient; a hold is noted on the run. */
    async admit(documentId: string, channel: ChannelId, subscriberId: number, urgency: Urgency | null): Promise<Admission> {
      const now = new Date();
      const until = quietHold(runtime().config().broadcast.quietHours, urgency, now);
      if (until) {
        await api.noteHold(documentId, channel, 'quiet-hours', until);
        return { kind: 'hold', untilMs: until.getTime(), reason: 'quiet-hours' };
      }
      const adapter = runtime().channels().get(channel);
      if (adapter.dailyRecipientLimit) {
        const admission = await reachWindow(reachWindowKey(channel)).submit({ member: reachMember(subscriberId), limit: adapter.dailyRecipientLimit });
        if (!admission.admitted) {
          await api.noteHold(documentId, channel, 'daily-limit', new Date(admission.retryAtMs));
          return { kind: 'hold', untilMs: Math.max(now.getTime() + 1000, admission.retryAtMs), reason: 'daily-limit' };
        }
      }
      return { kind: 'send' };
    },

    /** Shows why a sending run waits, once per reason and moment, not once per message. */
    async noteHold(documentId: string, channel: ChannelId, reason: string, until: Date) {
      const run = await runState.cachedRun(documentId, channel);
      if (!run || run.state !== 'sending') return;
      const shown = run.resumesAt;
      if (run.reason === reason && shown && Math.abs(shown.getTime() - until.getTime()) < 60_000) return;
      run.reason = reason;
      run.resumesAt = until;
      await runState.transition(documentId, 'sending', { channels: [channel], reason, resumesAt: until, from: ['sending'] });
    },

    /** A message went out: a timed reason whose time has passed is taken off the run. */
    async sent(documentId: string, channel: ChannelId) {
      const run = await runState.cachedRun(documentId, channel);
      if (!run || run.state !== 'sending' || !run.reason || !isTimedReason(run.reason)) return;
      const until = run.resumesAt;
      if (until && until.getTime() > Date.now()) return;
      run.reason = null;
      run.resumesAt = null;
      await runState.transition(documentId, 'sending', { channels: [channel], reason: null, resumesAt: null, from: ['sending'] });
    },

    /**
     * A delivery of a run that had already finished went back to waiting (a provider reported a
     * failure with a wait later, in a status webhook: Meta's marketing cap). The run is sending
     * again until that delivery settles; `finishIfDone` closes it as before.
     */
    async reopenedForWait(documentId: string, channel: ChannelId, until: Date) {
      await runState.transition(documentId, 'sending', { channels: [channel], reason: 'retry-after', resumesAt: until, from: ['sent'] });
    },

    /**
     * The message itself was rejected (a template error): this channel's run pauses with the
     * reason; other channels go on. Every delivery not yet sent stays open, so once the town
     * fixes the template, resume (or "Retry failed") continues for everyone not yet reached.
     */
    async runRejected(documentId: string, channel: ChannelId, code: string) {
      const moved = await runState.transition(documentId, 'paused', { channels: [channel], reason: `template-error:${code}`, from: ['scheduled', 'queued', 'sending'] });
      if (moved.length) strapi.log.error(`[${PLUGIN_ID}] ${channel} refused the message of ${documentId} (code ${code}); its run is paused until the template is fixed and the broadcast resumed.`);
      api.scheduleCounterRefresh(documentId);
    },

    /** A fatal channel error stops the channel until an admin fixes it and resumes; only this channel's runs pause. */
    async channelStopped(channel: ChannelId, error: Pick<ClassifiedError, 'code' | 'message'>) {
      await runtime().queue().pause(channel);
      const affected = rowsOf(await runsQuery().findMany({ where: { channel, state: { $in: ['queued', 'sending'] } }, select: ['announcementDocumentId'] }), runAnnouncementOf);
      for (const announcementDocumentId of affected) {
        await runState.transition(announcementDocumentId, 'paused', { channels: [channel], reason: `channel-error:${channel}:${error.code}`, from: ['queued', 'sending'] });
      }
      strapi.log.error(`[${PLUGIN_ID}] ${channel} stopped: ${maskPersonalData(error.message)} (code ${error.code}). Fix the cause, then resume the broadcast.`);
    },
  };
  return api;
};
