import { reasonKind, type AnnouncementStatus, type RunState } from '../constants';
import type { RunRow } from './run.rows';

export type { RunRow } from './run.rows';

/** Which states a run may move from, per target: declared once in shared/contracts/broadcasts.ts. */
export { RUN_TRANSITIONS } from '../constants';

const TERMINAL: readonly RunState[] = ['sent', 'failed', 'cancelled'];
/** The announcement shows its most active run: one channel sending means the news is going out. */
const OPEN_PRIORITY: readonly RunState[] = ['sending', 'queued', 'scheduled', 'paused'];

export interface DerivedStatus {
  broadcastStatus: AnnouncementStatus;
  statusReason: string | null;
  resumesAt: Date | null;
  finished: boolean;
}

/**
 * The announcement's status from its runs. Open runs win over finished ones; among open runs the
 * most active state wins. The reason is the chosen run's, or else a paused run's (WhatsApp waits
 * for a new token while e-mail sends: the broadcast is `sending`, and says why WhatsApp is not).
 */
export function deriveStatus(runs: RunRow[]): DerivedStatus | null {
  if (!runs.length) return null;
  const open = runs.filter((run) => !TERMINAL.includes(run.state));
  if (open.length) {
    const state = OPEN_PRIORITY.find((candidate) => open.some((run) => run.state === candidate)) as RunState;
    const chosen = open.filter((run) => run.state === state);
    const withReason = chosen.find((run) => run.reason) ?? open.find((run) => run.state === 'paused' && run.reason);
    const times = chosen.map((run) => run.resumesAt).filter((date): date is Date => date !== null);
    const resumesAt = times.length ? new Date(Math.min(...times.map((date) => date.getTime()))) : null;
    return { broadcastStatus: state, statusReason: withReason?.reason ?? null, resumesAt, finished: false };
  }
  // A rejected approval says so (the list shows "rejected" with the note), wherever an editor's cancel would.
  const rejected = runs.find((run) => run.state === 'cancelled' && run.reason === 'approval-rejected');
  if (runs.every((run) => run.state === 'cancelled')) return { broadcastStatus: 'cancelled', statusReason: rejected ? 'approval-rejected' : 'cancelled-by-editor', resumesAt: null, finished: true };
  const failed = runs.find((run) => run.state === 'failed');
  if (runs.some((run) => run.state === 'sent')) return { broadcastStatus: 'sent', statusReason: failed?.reason ?? rejected?.reason ?? null, resumesAt: null, finished: true };
  return { broadcastStatus: 'failed', statusReason: failed?.reason ?? null, resumesAt: null, finished: true };
}

/** True for a reason that a passing time lifts (quiet hours end, the window frees a slot). */
export const isTimedReason = (reason: string | null) => ['grace-period', 'send-at', 'quiet-hours', 'daily-limit', 'retry-after'].includes(reasonKind(reason) ?? '');
