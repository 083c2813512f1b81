import type { Core } from '@strapi/strapi';
import type { ChannelId, Urgency } from '../constants';
import type { ClassifiedError } from '../channels/channel';
import { getService } from '../utils/get-service';
import { ambiguousWaitMs, holdOf, verdict, type Verdict } from './policy';
import { runStateOf } from './run-state';
import { lifecycleOf } from './lifecycle';
import { runOutcomesOf } from './run-outcomes';
import { reconcilerOf } from './reconciler';

export type { Admission, Verdict } from './policy';

/**
 * The dispatch layer: the one owner of broadcast state. Every run's state and reason, and the
 * announcement's derived `broadcastStatus`, are written here and nowhere else. Composed of its
 * parts (docs/architecture.md, "Module map"): run state (./run-state.ts), the lifecycle of a
 * broadcast (./lifecycle.ts), what the send pipeline asks and reports (./run-outcomes.ts), the
 * reconciler (./reconciler.ts), and the pure policy (./policy.ts: quiet hours, holds, verdicts,
 * waits, backoff). `delivery/`, `messages/` and the test-send route report outcomes; they do
 * not write broadcast state. Dispatch never calls the delivery service: its commands on delivery
 * rows use the deliveries store and the delivery scheduler.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const runState = runStateOf(strapi);
  const lifecycle = lifecycleOf(strapi, runState);
  const outcomes = runOutcomesOf(strapi, runState, (documentId) => lifecycle.finishIfDone(documentId));
  const reconciler = reconcilerOf(strapi, runState, lifecycle);

  return {
    /** A timed hold for the whole announcement: its send time, or quiet hours for non-urgent news. */
    holdOf: (announcement: { sendAt?: unknown; urgency?: Urgency | null }, now: Date) => holdOf(runtime().config().broadcast.quietHours, announcement, now),

    // Run state.
    runsOf: runState.runsOf,
    runsOfMany: runState.runsOfMany,
    cachedRun: runState.cachedRun,
    transition: runState.transition,
    derive: runState.derive,

    // Lifecycle: publish, editor actions, unpublish, fan-out.
    start: lifecycle.start,
    enqueueFanOut: lifecycle.enqueueFanOut,
    pause: lifecycle.pause,
    resume: lifecycle.resume,
    resumeChannel: lifecycle.resumeChannel,
    continueRuns: lifecycle.continueRuns,
    cancel: lifecycle.cancel,
    retryFailed: lifecycle.retryFailed,
    unpublished: lifecycle.unpublished,
    republished: lifecycle.republished,
    beginFanOut: lifecycle.beginFanOut,
    fanOutDone: lifecycle.fanOutDone,
    finishIfDone: lifecycle.finishIfDone,

    // Four-eyes approval's decisions (asked only by the approval service).
    releaseApproval: lifecycle.releaseApproval,
    rejectApproval: lifecycle.rejectApproval,

    // The hot path: admission and the outcomes the send pipeline reports.
    runAdmits: outcomes.runAdmits,
    admit: outcomes.admit,
    noteHold: outcomes.noteHold,
    sent: outcomes.sent,
    reopenedForWait: outcomes.reopenedForWait,
    runRejected: outcomes.runRejected,
    channelStopped: outcomes.channelStopped,
    scheduleCounterRefresh: outcomes.scheduleCounterRefresh,
    stop: outcomes.stop,

    /** See `ambiguousWaitMs` in ./policy.ts. */
    ambiguousWaitMs: (channel: ChannelId, urgency: Urgency | null): number => ambiguousWaitMs(runtime().config().broadcast, channel, urgency),
    /** See `verdict` in ./policy.ts. */
    verdict: (error: ClassifiedError, attemptsMade: number, maxAttempts: number, ambiguousWait: number, limitedHolds = 0): Verdict => verdict(error, attemptsMade, maxAttempts, ambiguousWait, limitedHolds),

    // The reconciler.
    reconcile: reconciler.reconcile,
    adoptLegacy: reconciler.adoptLegacy,
  };
};
