import type { Core } from '@strapi/strapi';
import { UID, type ChannelId, type RunState } from '../constants';
import { maybeRowOf, rowsOf } from '../database/row';
import { legacyStatusOf } from '../announcements/announcement.rows';
import { RUN_TRANSITIONS, deriveStatus, type RunRow } from './runs';
import { runChannelOf, runsFromRows } from './run.rows';

const RUN_CACHE_MS = 500;

/**
 * The runs of an announcement (one per channel) and the announcement's derived status: read,
 * cached for the hot path, and moved. The one writer of the run table and of the announcement's
 * `broadcastStatus`, `statusReason`, `resumesAt` and `finishedAt`.
 */
export const runStateOf = (strapi: Core.Strapi) => {
  const runsQuery = () => strapi.db.query(UID.run);
  const announcementQuery = () => strapi.db.query(UID.announcement);
  const runCache = new Map<string, { runs: Promise<RunRow[]>; until: number }>();
  const forget = (documentId: string) => runCache.delete(documentId);

  const api = {
    /** Drops the cached runs of an announcement (they were just written). */
    forget,

    async runsOf(documentId: string): Promise<RunRow[]> {
      const runs = runsFromRows(await runsQuery().findMany({ where: { announcementDocumentId: documentId }, orderBy: { id: 'asc' } }));
      if (runs.length) return runs;
      // An announcement started before runs existed (or written straight to the table) gets runs mirroring its status.
      const legacy = maybeRowOf(
        await announcementQuery().findOne({
          where: { documentId, publishedAt: { $notNull: true }, broadcastStatus: { $notNull: true } },
          select: ['broadcastStatus', 'statusReason', 'resumesAt', 'channels'],
        }),
        legacyStatusOf
      );
      if (!legacy?.channels?.length) return runs;
      for (const channel of legacy.channels) {
        await runsQuery()
          .create({ data: { announcementDocumentId: documentId, channel, state: legacy.broadcastStatus, reason: legacy.statusReason, resumesAt: legacy.resumesAt } })
          .catch(() => undefined);
      }
      return runsFromRows(await runsQuery().findMany({ where: { announcementDocumentId: documentId }, orderBy: { id: 'asc' } }));
    },

    /** The runs of many announcements at once, for the admin's list. */
    async runsOfMany(documentIds: string[]): Promise<Map<string, RunRow[]>> {
      const byAnnouncement = new Map<string, RunRow[]>();
      if (!documentIds.length) return byAnnouncement;
      const rows = runsFromRows(await runsQuery().findMany({ where: { announcementDocumentId: { $in: documentIds } }, orderBy: { id: 'asc' } }));
      for (const row of rows) byAnnouncement.set(row.announcementDocumentId, [...(byAnnouncement.get(row.announcementDocumentId) ?? []), row]);
      return byAnnouncement;
    },

    /** A run as the hot path sees it: read at most every half second per announcement and process. */
    async cachedRun(documentId: string, channel: ChannelId): Promise<RunRow | undefined> {
      const cached = runCache.get(documentId);
      if (cached && cached.until > Date.now()) return (await cached.runs).find((run) => run.channel === channel);
      // The sends of a batch ask together: one read serves all of them.
      const runs = api.runsOf(documentId);
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
      const movingChannels = async () => rowsOf(await runsQuery().findMany({ where, select: ['channel'] }), runChannelOf);
      let moving = await movingChannels();
      // A broadcast from before runs existed, not yet adopted by a reconciler, has no runs at all: it gets them
      // here (runsOf), so that every transition (pause, cancel, unpublish, …) acts on it, not only those that remember to.
      if (!moving.length && !(await runsQuery().count({ where: { announcementDocumentId: documentId } })) && (await api.runsOf(documentId)).length) {
        moving = await movingChannels();
      }
      if (!moving.length) return [];
      const terminal = ['sent', 'failed', 'cancelled'].includes(to);
      await runsQuery().updateMany({ where, data: { state: to, reason, resumesAt, finishedAt: terminal ? new Date() : null } });
      forget(documentId);
      await api.derive(documentId);
      return moving;
    },

    /** Changes what paused runs wait for (an approval given while the link is still missing: they wait for the link). */
    async relabelPaused(documentId: string, channels: ChannelId[], reason: string) {
      if (!channels.length) return;
      await runsQuery().updateMany({ where: { announcementDocumentId: documentId, channel: { $in: channels }, state: 'paused' }, data: { reason } });
      forget(documentId);
      await api.derive(documentId);
    },

    /** Writes the announcement's status, reason and resume time as its runs say. */
    async derive(documentId: string) {
      const derived = deriveStatus(await api.runsOf(documentId));
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
  };
  return api;
};

export type RunStateAccess = ReturnType<typeof runStateOf>;
