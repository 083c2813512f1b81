import type { Core } from '@strapi/strapi';
import { applicationError } from '../http/errors';
import {
  CONTROL_QUEUE,
  JOB_NAMES,
  MOVING_RUN_STATES,
  OPEN_RUN_STATES,
  PLUGIN_ID,
  UID,
  reasonKind,
  type ChannelId,
  type RunState,
  type Urgency,
} from '../constants';
import type { ClassifiedError } from '../channels/channel';
import { freshRound, jobIds, LiveDeliveries } from '../queue/jobs';
import { getService } from '../utils/get-service';
import { GroupCommit } from '../utils/group-commit';
import { isQuiet, quietHoursEnd } from '../utils/quiet-hours';
import { BOOKING_GRACE_MS, reachMember, reachWindowKey, reachWindowMs } from '../delivery/reach';
import { toDate } from '../utils/time';
import { RUN_TRANSITIONS, deriveStatus, isTimedReason, type RunRow } from './runs';
import { maskedMessage, maskPersonalData } from '../utils/log';

/** What the delivery step does with one recipient right now. */
export type Admission =
  | { kind: 'send' }
  /** The run is over (cancelled, failed): the delivery is skipped. */
  | { kind: 'skip' }
  /** The run is paused: the delivery waits without a job; resume re-enqueues it. */
  | { kind: 'park' }
  /** Wait until `untilMs` in a fresh job; waiting never uses up an attempt. */
  | { kind: 'hold'; untilMs: number; reason: string };

/** What happens after a failed send, decided from the adapter's classification only. */
export type Verdict =
  | { kind: 'retry' }
  /** `limited`: this wait counts against the error's `holdLimit` (the delivery's own counter). */
  | { kind: 'hold'; untilMs: number; reason: string; ambiguous: boolean; limited?: boolean }
  /** `code`/`errorClass`, when given, replace the provider's in the delivery's record (a limit was used up). */
  | { kind: 'failed'; recipientEffect: ClassifiedError['recipientEffect']; code?: string; errorClass?: ClassifiedError['errorClass'] }
  | { kind: 'failed-announcement' }
  | { kind: 'stop-channel' };

const RUN_CACHE_MS = 500;
/** Channels whose provider reports each message's status with our delivery reference (WhatsApp's `biz_opaque_callback_data`). */
const RECEIPT_CHANNELS: readonly ChannelId[] = ['whatsapp'];

/**
 * The dispatch layer: the one owner of broadcast state. Every run's state and reason, and the
 * announcement's derived `broadcastStatus`, are written here and nowhere else. It also holds
 * the decisions between the delivery rows and the channel adapters: whether a recipient may be
 * sent to now (run state, quiet hours, daily reach admission) and what a failed send means
 * (retry, hold, fail the recipient, fail the run, stop the channel). `delivery/`, `messages/`
 * and the test-send route report outcomes; they do not write broadcast state.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const announcements = () => getService(strapi, 'announcements');
  const delivery = () => getService(strapi, 'delivery');
  const runsQuery = () => strapi.db.query(UID.run);
  const announcementQuery = () => strapi.db.query(UID.announcement);

  const runCache = new Map<string, { runs: Promise<RunRow[]>; until: number }>();

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
  const forget = (documentId: string) => runCache.delete(documentId);

  const afterCommit = async (task: () => void) => {
    await strapi.db.transaction(async ({ onCommit }) => {
      onCommit(task);
    });
  };

  /** A timed hold for the whole announcement: its send time, or quiet hours for non-urgent news. */
  const holdOf = (announcement: { sendAt?: unknown; urgency?: Urgency | null }, now: Date): { reason: string; until: Date } | null => {
    const sendAt = toDate(announcement.sendAt);
    if (sendAt && sendAt.getTime() > now.getTime()) return { reason: 'send-at', until: sendAt };
    const quiet = runtime().config().broadcast.quietHours;
    if (announcement.urgency !== 'emergency' && isQuiet(quiet, now)) return { reason: 'quiet-hours', until: quietHoursEnd(quiet, now) };
    return null;
  };

  const dispatch = {
    holdOf,

    async runsOf(documentId: string): Promise<RunRow[]> {
      const runs = (await runsQuery().findMany({ where: { announcementDocumentId: documentId }, orderBy: { id: 'asc' } })) as RunRow[];
      if (runs.length) return runs;
      // An announcement started before runs existed (or written straight to the table) gets runs mirroring its status.
      const legacy = (await announcementQuery().findOne({
        where: { documentId, publishedAt: { $notNull: true }, broadcastStatus: { $notNull: true } },
        select: ['broadcastStatus', 'statusReason', 'resumesAt', 'channels'],
      })) as { broadcastStatus: RunState; statusReason: string | null; resumesAt: unknown; channels: ChannelId[] | null } | null;
      if (!legacy?.channels?.length) return runs;
      for (const channel of legacy.channels) {
        await runsQuery()
          .create({ data: { announcementDocumentId: documentId, channel, state: legacy.broadcastStatus, reason: legacy.statusReason, resumesAt: toDate(legacy.resumesAt) } })
          .catch(() => undefined);
      }
      return (await runsQuery().findMany({ where: { announcementDocumentId: documentId }, orderBy: { id: 'asc' } })) as RunRow[];
    },

    /** The runs of many announcements at once, for the admin's list. */
    async runsOfMany(documentIds: string[]): Promise<Map<string, RunRow[]>> {
      const byAnnouncement = new Map<string, RunRow[]>();
      if (!documentIds.length) return byAnnouncement;
      const rows = (await runsQuery().findMany({ where: { announcementDocumentId: { $in: documentIds } }, orderBy: { id: 'asc' } })) as RunRow[];
      for (const row of rows) byAnnouncement.set(row.announcementDocumentId, [...(byAnnouncement.get(row.announcementDocumentId) ?? []), row]);
      return byAnnouncement;
    },

    /** A run as the hot path sees it: read at most every half second per announcement and process. */
    async cachedRun(documentId: string, channel: ChannelId): Promise<RunRow | undefined> {
      const cached = runCache.get(documentId);
      if (cached && cached.until > Date.now()) return (await cached.runs).find((run) => run.channel === channel);
      // The sends of a batch ask together: one read serves all of them.
      const runs = this.runsOf(documentId);
      if (runCache.size > 200) runCache.clear();
      const entry = { runs, until: Date.now() + RUN_CACHE_MS };
      runCache.set(documentId, entry);
      try {
        return (await runs).find((run) => run.channel === channel);
      } catch (error) {
        if (runCache.get(documentId) === entry) runCache.delete(documentId);
        throw error;
      }
    },

    /**
     * Moves the runs of `documentId` on `channels` (all when omitted) that are in a state `to`
     * may be reached from, then derives the announcement's status. Answers the channels moved.
     */
    async transition(
      documentId: string,
      to: RunState,
      { channels, reason = null, resumesAt = null, from }: { channels?: ChannelId[]; reason?: string | null; resumesAt?: Date | null; from?: readonly RunState[] } = {}
    ): Promise<ChannelId[]> {
      const allowed = (from ?? RUN_TRANSITIONS[to]).filter((state) => RUN_TRANSITIONS[to].includes(state));
      const where: Record<string, unknown> = { announcementDocumentId: documentId, state: { $in: allowed } };
      if (channels) where.channel = { $in: channels };
      const moving = (await runsQuery().findMany({ where, select: ['channel'] })) as Array<{ channel: ChannelId }>;
      if (!moving.length) return [];
      const terminal = ['sent', 'failed', 'cancelled'].includes(to);
      await runsQuery().updateMany({ where, data: { state: to, reason, resumesAt, finishedAt: terminal ? new Date() : null } });
      forget(documentId);
      await this.derive(documentId);
      return moving.map((run) => run.channel);
    },

    /** Writes the announcement's status, reason and resume time as its runs say. */
    async derive(documentId: string) {
      const derived = deriveStatus(await this.runsOf(documentId));
      if (!derived) return;
      await announcementQuery().updateMany({
        where: { documentId },
        data: {
          broadcastStatus: derived.broadcastStatus,
          statusReason: derived.statusReason,
          resumesAt: derived.resumesAt,
          finishedAt: derived.finished ? new Date() : null,
        },
      });
    },

    // ——— Lifecycle: publish, editor actions, unpublish ———

    /** The first publish of an announcement opens one run per channel and enqueues its fan-out. */
    async start(documentId: string) {
      const announcement = await announcements().findPublished(documentId);
      if (!announcement) return;
      const existing = await this.runsOf(documentId);
      if (existing.length || announcement.broadcastStatus) {
        await this.republished(documentId);
        return;
      }
      const config = runtime().config();
      const now = new Date();
      const enabled = runtime().channels().enabled().map((channel) => channel.id);
      const channels = announcement.channels?.length ? announcement.channels.filter((id) => enabled.includes(id as ChannelId)) : enabled;
      await announcementQuery().updateMany({ where: { documentId }, data: { channels } });

      const missingLink = await announcements().missingLinkPlaceholders(announcement);
      const grace = config.broadcast.graceSeconds > 0 ? { reason: 'grace-period', until: new Date(now.getTime() + config.broadcast.graceSeconds * 1000) } : null;
      const sendAt = toDate(announcement.sendAt);
      // A send time after the grace period is the reason shown; quiet hours are checked when fan-out runs.
      const hold = sendAt && sendAt.getTime() > now.getTime() && (!grace || sendAt >= grace.until) ? { reason: 'send-at', until: sendAt } : grace;
      const state: RunState = missingLink.length ? 'paused' : hold ? 'scheduled' : 'queued';
      const reason = missingLink.length ? 'link-missing' : (hold?.reason ?? null);
      const rows = channels.map((channel) => ({ announcementDocumentId: documentId, channel, state, reason, resumesAt: missingLink.length ? null : (hold?.until ?? null) }));
      for (const row of rows) {
        // The unique index on (announcement, channel) keeps a concurrent second start from opening a run twice;
        // any other error must fail the start, so the publish's intent stays for the reconciler (publish-outbox).
        await runsQuery()
          .create({ data: row })
          .catch(async (error: Error) => {
            if (!(await runsQuery().findOne({ where: { announcementDocumentId: documentId, channel: row.channel }, select: ['id'] }))) throw error;
          });
      }
      forget(documentId);
      await this.derive(documentId);
      if (!missingLink.length) await afterCommit(() => this.enqueueFanOut(documentId, hold ? hold.until.getTime() - now.getTime() : 0));
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
      // A broadcast from before runs existed may not have been adopted by a reconciler yet.
      await this.runsOf(documentId);
      const moved = await this.transition(documentId, 'paused', { reason: 'paused-by-editor', from: ['scheduled', 'queued', 'sending'] });
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
      const paused = (await this.runsOf(documentId)).filter((run) => run.state === 'paused');
      if (!paused.length) throw applicationError('Only a paused broadcast can be resumed');
      const channelHeld = paused.filter((run) => ['channel-error', 'channel-paused'].includes(reasonKind(run.reason) ?? '')).map((run) => run.channel);
      for (const channel of new Set(channelHeld)) await this.resumeChannel(channel);
      await this.continueRuns(documentId, paused.map((run) => run.channel), announcement);
      return announcements().requirePublished(documentId);
    },

    /** A stopped channel goes again (an admin says the cause is fixed): every run held by it continues. */
    async resumeChannel(channel: ChannelId) {
      const queue = runtime().queue();
      if (await queue.isPaused(channel)) await queue.resume(channel);
      const held = (await runsQuery().findMany({ where: { channel, state: 'paused' }, select: ['announcementDocumentId', 'reason'] })) as Array<{ announcementDocumentId: string; reason: string | null }>;
      for (const run of held) {
        if (!['channel-error', 'channel-paused'].includes(reasonKind(run.reason) ?? '')) continue;
        const announcement = await announcements().findPublished(run.announcementDocumentId);
        if (announcement) await this.continueRuns(run.announcementDocumentId, [channel], announcement);
      }
    },

    /** Paused runs go back to where they belong now, with the reason that holds them, and their work is enqueued afresh. */
    async continueRuns(documentId: string, channels: ChannelId[], announcement: { fanOutDoneAt?: unknown; sendAt?: unknown; urgency?: Urgency | null }) {
      const now = new Date();
      const hold = holdOf(announcement, now);
      const fannedOut = Boolean(toDate(announcement.fanOutDoneAt));
      const state: RunState = fannedOut ? 'sending' : hold ? 'scheduled' : 'queued';
      const moved = await this.transition(documentId, state, { channels, reason: hold?.reason ?? null, resumesAt: hold?.until ?? null, from: ['paused'] });
      if (!moved.length) return;
      if (fannedOut) await delivery().requeueOpen(documentId, { channels: moved, delayMs: hold ? hold.until.getTime() - now.getTime() : 0 });
      else this.enqueueFanOut(documentId, hold ? hold.until.getTime() - now.getTime() : 0);
    },

    async cancel(documentId: string) {
      await announcements().requirePublished(documentId);
      await this.runsOf(documentId);
      const moved = await this.transition(documentId, 'cancelled', { reason: 'cancelled-by-editor' });
      if (!moved.length) throw applicationError('This broadcast is already finished');
      await delivery().skipOpen(documentId);
      await announcements().refreshCounters(documentId);
      return announcements().requirePublished(documentId);
    },

    /** Gives failed deliveries another go, except those whose recipient can never be reached. */
    async retryFailed(documentId: string) {
      await announcements().requirePublished(documentId);
      const runs = await this.runsOf(documentId);
      if (runs.length && runs.every((run) => run.state === 'cancelled')) throw applicationError('A cancelled broadcast cannot be retried');
      const reopened = await delivery().reopenFailed(documentId);
      // A run paused by a template error (since fixed) goes again from where it stopped: its
      // deliveries not yet sent are all still open.
      const rejected = runs.filter((run) => run.state === 'paused' && reasonKind(run.reason) === 'template-error').map((run) => run.channel);
      if (rejected.length) await this.continueRuns(documentId, rejected, await announcements().requirePublished(documentId));
      const others = reopened.channels.filter((channel) => !rejected.includes(channel));
      if (others.length) {
        await this.transition(documentId, 'sending', { channels: others, from: ['sent', 'failed', 'sending'] });
        await delivery().requeueOpen(documentId, { channels: others });
      }
      await announcements().refreshCounters(documentId);
      return { reopened: reopened.count };
    },

    /** The news was unpublished mid-broadcast: its runs pause and say so; publishing again continues them. */
    async unpublished(documentId: string) {
      await this.runsOf(documentId);
      await this.transition(documentId, 'paused', { reason: 'unpublished', from: ['scheduled', 'queued', 'sending'] });
    },

    /** A re-publish continues runs held by unpublishing or by a missing link (once the link is there). */
    async republished(documentId: string) {
      const runs = (await this.runsOf(documentId)).filter((run) => run.state === 'paused' && ['unpublished', 'link-missing'].includes(reasonKind(run.reason) ?? ''));
      if (!runs.length) return;
      const announcement = await announcements().findPublished(documentId);
      if (!announcement) return;
      if (runs.some((run) => run.reason === 'link-missing')) {
        const missing = await announcements().refreshLink(announcement);
        if (missing.length) return;
      }
      await this.continueRuns(documentId, runs.map((run) => run.channel), (await announcements().findPublished(documentId)) ?? announcement);
    },

    // ——— Fan-out ———

    /**
     * Fan-out asks before it pages subscribers: answers the channels whose rows to create and
     * those whose jobs to add now, or null when it should not run (it was enqueued again if it waits).
     */
    async beginFanOut(documentId: string): Promise<{ rows: ChannelId[]; jobs: ChannelId[] } | null> {
      const announcement = await announcements().findPublished(documentId);
      if (!announcement || toDate(announcement.fanOutDoneAt)) return null;
      const runs = await this.runsOf(documentId);
      // Paused runs get their rows too (the admin counts who is waiting); their jobs come with resume.
      const open = runs.filter((run) => (OPEN_RUN_STATES as readonly string[]).includes(run.state));
      const startable = open.filter((run) => run.state !== 'paused');
      if (!open.length) return null;
      const now = new Date();
      const hold = startable.length ? holdOf(announcement, now) : null;
      if (hold) {
        await this.transition(documentId, 'scheduled', { channels: startable.map((run) => run.channel), reason: hold.reason, resumesAt: hold.until, from: ['scheduled', 'queued'] });
        this.enqueueFanOut(documentId, hold.until.getTime() - now.getTime());
        return null;
      }
      const moved = startable.length ? await this.transition(documentId, 'sending', { channels: startable.map((run) => run.channel), from: ['scheduled', 'queued', 'sending'] }) : [];
      return { rows: open.map((run) => run.channel), jobs: moved };
    },

    async fanOutDone(documentId: string) {
      await announcementQuery().updateMany({ where: { documentId }, data: { fanOutDoneAt: new Date() } });
      await this.finishIfDone(documentId);
    },

    /** Runs whose deliveries are all settled are finished: `sent`, or `failed` when not one message went out. */
    async finishIfDone(documentId: string) {
      const announcement = await announcements().findPublished(documentId);
      if (!announcement || !toDate(announcement.fanOutDoneAt)) return;
      const runs = (await this.runsOf(documentId)).filter((run) => (MOVING_RUN_STATES as readonly string[]).includes(run.state));
      if (!runs.length) return;
      const byChannel = await delivery().countByChannel(documentId);
      const done = runs.filter((run) => (byChannel.get(run.channel)?.open ?? 0) === 0);
      if (!done.length) return;
      // Counters first: whoever sees the broadcast `sent` sees its final numbers.
      await announcements().refreshCounters(documentId);
      for (const run of done) {
        const counts = byChannel.get(run.channel) ?? { open: 0, failed: 0, total: 0 };
        const allFailed = counts.total > 0 && counts.failed === counts.total;
        await this.transition(documentId, allFailed ? 'failed' : 'sent', { channels: [run.channel], reason: allFailed ? 'all-deliveries-failed' : null, from: ['queued', 'sending'] });
      }
    },

    // ——— The hot path: admission and verdicts ———

    /** Whether the run of this delivery lets it go now, before anything about the recipient is looked at. */
    async runAdmits(documentId: string, channel: ChannelId): Promise<Admission> {
      const run = await this.cachedRun(documentId, channel);
      if (!run) return { kind: 'park' };
      if (run.state === 'cancelled' || run.state === 'failed') return { kind: 'skip' };
      if (run.state === 'paused' || run.state === 'scheduled') return { kind: 'park' };
      return { kind: 'send' };
    },

    /** Quiet hours and the daily reach window, for one recipient; a hold is noted on the run. */
    async admit(documentId: string, channel: ChannelId, subscriberId: number, urgency: Urgency | null): Promise<Admission> {
      const now = new Date();
      const quiet = runtime().config().broadcast.quietHours;
      if (urgency !== 'emergency' && isQuiet(quiet, now)) {
        const until = quietHoursEnd(quiet, now);
        await this.noteHold(documentId, channel, 'quiet-hours', until);
        return { kind: 'hold', untilMs: until.getTime(), reason: 'quiet-hours' };
      }
      const adapter = runtime().channels().get(channel);
      if (adapter.dailyRecipientLimit) {
        const admission = await reachWindow(reachWindowKey(channel)).submit({ member: reachMember(subscriberId), limit: adapter.dailyRecipientLimit });
        if (!admission.admitted) {
          await this.noteHold(documentId, channel, 'daily-limit', new Date(admission.retryAtMs));
          return { kind: 'hold', untilMs: Math.max(now.getTime() + 1000, admission.retryAtMs), reason: 'daily-limit' };
        }
      }
      return { kind: 'send' };
    },

    /** Shows why a sending run waits, once per reason and moment, not once per message. */
    async noteHold(documentId: string, channel: ChannelId, reason: string, until: Date) {
      const run = await this.cachedRun(documentId, channel);
      if (!run || run.state !== 'sending') return;
      const shown = toDate(run.resumesAt);
      if (run.reason === reason && shown && Math.abs(shown.getTime() - until.getTime()) < 60_000) return;
      run.reason = reason;
      run.resumesAt = until;
      await this.transition(documentId, 'sending', { channels: [channel], reason, resumesAt: until, from: ['sending'] });
    },

    /** A message went out: a timed reason whose time has passed is taken off the run. */
    async sent(documentId: string, channel: ChannelId) {
      const run = await this.cachedRun(documentId, channel);
      if (!run || run.state !== 'sending' || !run.reason || !isTimedReason(run.reason)) return;
      const until = toDate(run.resumesAt);
      if (until && until.getTime() > Date.now()) return;
      run.reason = null;
      run.resumesAt = null;
      await this.transition(documentId, 'sending', { channels: [channel], reason: null, resumesAt: null, from: ['sending'] });
    },

    /**
     * How long a send that may have reached the provider waits for its status webhook before it
     * is sent again (see `broadcast.ambiguousWaitSeconds`).
     */
    ambiguousWaitMs(channel: ChannelId, urgency: Urgency | null): number {
      const config = runtime().config().broadcast;
      if (!RECEIPT_CHANNELS.includes(channel)) return config.receiptlessWaitSeconds * 1000;
      return (urgency === 'emergency' ? config.emergencyAmbiguousWaitSeconds : config.ambiguousWaitSeconds) * 1000;
    },

    /**
     * The retry decision for a failed send. `attemptsMade` counts this job's failed sends, never
     * waiting; `limitedHolds` counts the delivery's waits under an error's `holdLimit` (131049).
     */
    verdict(error: ClassifiedError, attemptsMade: number, maxAttempts: number, ambiguousWaitMs: number, limitedHolds = 0): Verdict {
      switch (error.errorClass) {
        case 'retry':
          return attemptsMade + 1 >= maxAttempts ? { kind: 'failed', recipientEffect: undefined } : { kind: 'retry' };
        case 'retry-later':
          if (!error.ambiguous && error.holdLimit) {
            // A wait that may only be repeated so often: once used up, the delivery ends for this recipient.
            if (limitedHolds >= error.holdLimit.max) return { kind: 'failed', recipientEffect: undefined, code: error.holdLimit.exhaustedCode, errorClass: 'permanent-recipient' };
            return { kind: 'hold', untilMs: Date.now() + (error.retryAfterMs ?? 60_000), reason: 'retry-after', ambiguous: false, limited: true };
          }
          return error.ambiguous
            ? { kind: 'hold', untilMs: Date.now() + ambiguousWaitMs, reason: 'ambiguous', ambiguous: true }
            : { kind: 'hold', untilMs: Date.now() + (error.retryAfterMs ?? 60_000), reason: 'retry-after', ambiguous: false };
        case 'permanent-recipient':
          return { kind: 'failed', recipientEffect: error.recipientEffect };
        case 'permanent-announcement':
          return { kind: 'failed-announcement' };
        case 'fatal-channel':
          return { kind: 'stop-channel' };
      }
    },

    /**
     * A delivery of a run that had already finished went back to waiting (a provider reported a
     * failure with a wait later, in a status webhook: Meta's marketing cap). The run is sending
     * again until that delivery settles; `finishIfDone` closes it as before.
     */
    async reopenedForWait(documentId: string, channel: ChannelId, until: Date) {
      await this.transition(documentId, 'sending', { channels: [channel], reason: 'retry-after', resumesAt: until, from: ['sent'] });
    },

    /**
     * The message itself was rejected (a template error): this channel's run pauses with the
     * reason; other channels go on. Every delivery not yet sent stays open, so once the town
     * fixes the template, resume (or "Retry failed") continues for everyone not yet reached.
     */
    async runRejected(documentId: string, channel: ChannelId, code: string) {
      const moved = await this.transition(documentId, 'paused', { channels: [channel], reason: `template-error:${code}`, from: ['scheduled', 'queued', 'sending'] });
      if (moved.length) strapi.log.error(`[${PLUGIN_ID}] ${channel} refused the message of ${documentId} (code ${code}); its run is paused until the template is fixed and the broadcast resumed.`);
      delivery().scheduleCounterRefresh(documentId);
    },

    /** A fatal channel error stops the channel until an admin fixes it and resumes; only this channel's runs pause. */
    async channelStopped(channel: ChannelId, error: Pick<ClassifiedError, 'code' | 'message'>) {
      await runtime().queue().pause(channel);
      const affected = (await runsQuery().findMany({ where: { channel, state: { $in: ['queued', 'sending'] } }, select: ['announcementDocumentId'] })) as Array<{ announcementDocumentId: string }>;
      for (const { announcementDocumentId } of affected) {
        await this.transition(announcementDocumentId, 'paused', { channels: [channel], reason: `channel-error:${channel}:${error.code}`, from: ['queued', 'sending'] });
      }
      strapi.log.error(`[${PLUGIN_ID}] ${channel} stopped: ${maskPersonalData(error.message)} (code ${error.code}). Fix the cause, then resume the broadcast.`);
    },

    // ——— The reconciler's part ———

    /**
     * The runs are the truth, Redis only carries work. For every open run: a stopped channel
     * pauses it with a reason; a fan-out or a delivery whose job is gone (Redis lost it, a
     * process died, a round was swallowed) is enqueued again in a fresh round, whatever other
     * queues hold; a quiet-hours hold is re-read from the current config; finished runs close.
     */
    async reconcile() {
      const queue = runtime().queue();
      await this.adoptLegacy();
      const open = (await runsQuery().findMany({ where: { state: { $in: [...OPEN_RUN_STATES] } } })) as RunRow[];
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
            await this.transition(documentId, 'paused', { channels: [run.channel], reason: `channel-paused:${run.channel}`, from: ['queued', 'sending'] });
          }
        }
        const current = await this.runsOf(documentId);
        const startable = current.filter((run) => ['scheduled', 'queued', 'sending'].includes(run.state));
        if (!startable.length) continue;

        // A quiet-hours hold follows the config of this start: lifted, moved, or kept.
        const heldByQuiet = startable.filter((run) => run.reason === 'quiet-hours' && (toDate(run.resumesAt)?.getTime() ?? 0) > now.getTime());
        const hold = holdOf(announcement, now);
        const rehold = heldByQuiet.filter((run) => hold?.reason !== 'quiet-hours' || Math.abs(hold.until.getTime() - (toDate(run.resumesAt) as Date).getTime()) >= 60_000);
        if (rehold.length) {
          const state: RunState = toDate(announcement.fanOutDoneAt) ? 'sending' : hold ? 'scheduled' : 'queued';
          await this.transition(documentId, state, { channels: rehold.map((run) => run.channel), reason: hold?.reason ?? null, resumesAt: hold?.until ?? null, from: ['scheduled', 'queued', 'sending'] });
          const delayMs = hold ? hold.until.getTime() - now.getTime() : 0;
          if (toDate(announcement.fanOutDoneAt)) await delivery().requeueOpen(documentId, { channels: rehold.map((run) => run.channel), delayMs });
          else this.enqueueFanOut(documentId, delayMs);
          continue;
        }

        if (!toDate(announcement.fanOutDoneAt)) {
          const prefix = jobIds.fanOutPrefix(documentId);
          if (![...liveControl].some((id) => id.startsWith(prefix))) {
            const until = Math.min(...startable.map((run) => toDate(run.resumesAt)?.getTime() ?? now.getTime()));
            this.enqueueFanOut(documentId, until - now.getTime());
          }
          continue;
        }
        await this.finishIfDone(documentId);
        for (const run of startable) {
          if (stopped.has(run.channel) || !(MOVING_RUN_STATES as readonly string[]).includes(run.state)) continue;
          const live = await liveOn(run.channel);
          await delivery().requeueOrphans(documentId, run.channel, (data) => live.has(data));
        }
      }
    },

    /** Announcements started before runs existed get runs that mirror their status, once (see `runsOf`). */
    async adoptLegacy() {
      const rows = (await announcementQuery().findMany({
        where: { broadcastStatus: { $in: [...OPEN_RUN_STATES] }, publishedAt: { $notNull: true } },
        select: ['documentId'],
      })) as Array<{ documentId: string }>;
      if (!rows.length) return;
      const have = await this.runsOfMany(rows.map((row) => row.documentId));
      for (const row of rows) if (!have.has(row.documentId)) await this.runsOf(row.documentId);
    },
  };
  return dispatch;
};
