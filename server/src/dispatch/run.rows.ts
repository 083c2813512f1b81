import { CHANNEL_IDS, RUN_STATES, type ChannelId, type RunState } from '../constants';
import { rowOf, rowsOf } from '../database/row';

/** A row of the run table (`broadcast-run`): one channel's part of a broadcast. Written only by ./run-state.ts. */
export interface RunRow {
  id: number;
  announcementDocumentId: string;
  channel: ChannelId;
  state: RunState;
  reason: string | null;
  resumesAt: Date | null;
  finishedAt: Date | null;
}

const TABLE = 'broadcast-run';

/** A run as the query engine answers it, read once (dates as Date). */
export function runFromRow(raw: unknown): RunRow {
  const row = rowOf(raw, TABLE);
  return {
    id: row.int('id'),
    announcementDocumentId: row.text('announcementDocumentId'),
    channel: row.oneOf('channel', CHANNEL_IDS),
    state: row.oneOf('state', RUN_STATES),
    reason: row.textOrNull('reason'),
    resumesAt: row.date('resumesAt'),
    finishedAt: row.date('finishedAt'),
  };
}

export const runsFromRows = (raw: unknown): RunRow[] => rowsOf(raw, runFromRow);

/** A run read with `select: ['channel']`. */
export const runChannelOf = (raw: unknown): ChannelId => rowOf(raw, TABLE).oneOf('channel', CHANNEL_IDS);

/** A run read with `select: ['announcementDocumentId', …]`. */
export const runAnnouncementOf = (raw: unknown): string => rowOf(raw, TABLE).text('announcementDocumentId');

/** A run read with `select: ['announcementDocumentId', 'reason']`. */
export const runReasonOf = (raw: unknown) => {
  const row = rowOf(raw, TABLE);
  return { announcementDocumentId: row.text('announcementDocumentId'), reason: row.textOrNull('reason') };
};
