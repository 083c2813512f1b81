import type { Core } from '@strapi/strapi';
import { conflictError, notFoundError } from '../http/errors';
import { UID, type FollowUpKind, type Urgency } from '../constants';
import { tableName } from '../database/names';
import { countOf, maybeRowOf, rowOf, rowsOf } from '../database/row';
import { announcementDocumentIdOf, announcementsFromRows, broadcastFollowUpOf, candidateOf, originalOf, threadOf, titledOf, urgencyOf, type AnnouncementRow } from './announcement.rows';
import { countFollowUpRecipients } from '../fan-out/follow-up-recipients';
import { followUpMarkFromRow, followUpMarkIdOf } from './follow-up-mark.rows';

/** What a follow-up needs to know about the news it continues, for every channel's wording. */
export interface FollowUpContext {
  kind: FollowUpKind;
  originalDocumentId: string;
  originalTitle: string;
  originalUrl: string | null;
}

export interface FollowUpMark {
  originalDocumentId: string;
  kind: FollowUpKind;
  includeNew: boolean;
}

/** A broadcast an editor may follow up, as the side panel lists it. */
export interface FollowUpCandidate {
  documentId: string;
  title: string;
  urgency: Urgency | null;
  createdAt: Date;
  /** Set when the candidate is itself a follow-up: a new one joins the same thread. */
  updateOf: string | null;
}

const CONTEXT_CACHE_MS = 30_000;
/** How far back the side panel offers broadcasts to follow up. */
const CANDIDATE_DAYS = 60;
const CANDIDATE_LIMIT = 25;

export const entryKeyOf = (uid: string, documentId: string) => `${uid}|${documentId}`;

/**
 * Threads: an update or all-clear ("Entwarnung") continues an earlier broadcast. Every follow-up
 * points at the thread's first announcement (`updateOf`), so a second update reaches whoever
 * received the warning or the first update. The editor marks a news entry from the content
 * manager's side panel (a mark kept here, keyed by the entry, applied at its first publish); the
 * admin's "send update" creates the follow-up announcement directly.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const announcementsQuery = () => strapi.db.query(UID.announcement);
  const marks = () => strapi.db.query(UID.followUpMark);
  const contexts = new Map<string, { value: FollowUpContext | null; until: number }>();

  return {
    /**
     * The content manager's side panel for one entry of a broadcast type (`uid`): its mark, whom a
     * marked entry not yet published would reach, what it became once broadcast (with the original
     * it follows up), and otherwise the broadcasts it may follow up.
     */
    async state(uid: string, documentId: string | null) {
      const published = { publishedAt: { $notNull: true } };
      const ownAnnouncement = !documentId
        ? null
        : uid === UID.announcement
          ? documentId
          : maybeRowOf(await announcementsQuery().findOne({ where: { sourceUid: uid, sourceDocumentId: documentId, ...published }, select: ['documentId'] }), announcementDocumentIdOf);
      const broadcast = ownAnnouncement
        ? maybeRowOf(await announcementsQuery().findOne({ where: { documentId: ownAnnouncement, ...published }, select: ['documentId', 'title', 'updateOf', 'followUpKind', 'followUpIncludeNew'] }), broadcastFollowUpOf)
        : null;
      const original = broadcast?.updateOf
        ? maybeRowOf(await announcementsQuery().findOne({ where: { documentId: broadcast.updateOf, ...published }, select: ['documentId', 'title'] }), titledOf)
        : null;
      const mark = documentId ? await this.markOf(uid, documentId) : null;
      // Before publishing: whom the marked follow-up reaches (the thread's recipients still subscribed), per channel.
      let reach: { total: number; byChannel: Record<string, number> } | null = null;
      if (mark && !broadcast) {
        const root = await this.rootOf(mark.originalDocumentId).catch(() => null);
        if (root) {
          const thread = await this.thread(root);
          const byChannel = await countFollowUpRecipients(strapi, thread.map((member) => member.documentId));
          reach = { total: Object.values(byChannel).reduce((sum, n) => sum + n, 0), byChannel };
        }
      }
      return {
        mark,
        reach,
        broadcast: broadcast ? { ...broadcast, original } : null,
        candidates: broadcast ? [] : await this.candidates(ownAnnouncement),
      };
    },

    /** The thread an announcement belongs to: its original's documentId (itself for an original). */
    async rootOf(documentId: string): Promise<string> {
      const row = maybeRowOf(await announcementsQuery().findOne({ where: { documentId, publishedAt: { $notNull: true } }, select: ['documentId', 'updateOf'] }), threadOf);
      if (!row) throw notFoundError('No published announcement with this documentId');
      return row.updateOf ?? row.documentId;
    },

    /**
     * The fields that make an announcement a follow-up of `originalDocumentId`. An all-clear of
     * an emergency is itself an emergency, so quiet hours do not hold it back.
     */
    async followUpFields(originalDocumentId: string, kind: FollowUpKind, includeNew: boolean, urgency: Urgency) {
      const root = await this.rootOf(originalDocumentId);
      const original = maybeRowOf(await announcementsQuery().findOne({ where: { documentId: root, publishedAt: { $notNull: true } }, select: ['urgency', 'updateOf'] }), urgencyOf);
      const urgent = kind === 'all-clear' && original?.urgency === 'emergency';
      return { updateOf: root, followUpKind: kind, followUpIncludeNew: includeNew, urgency: urgent ? ('emergency' as const) : urgency };
    },

    /** The original's title and link for a follow-up's wording; null for an original. Cached briefly (read per delivery). */
    async contextOf(announcement: Pick<AnnouncementRow, 'updateOf' | 'followUpKind'>): Promise<FollowUpContext | null> {
      if (!announcement.updateOf) return null;
      const key = `${announcement.updateOf}|${announcement.followUpKind ?? 'update'}`;
      const cached = contexts.get(key);
      if (cached && cached.until > Date.now()) return cached.value;
      const original = maybeRowOf(
        await announcementsQuery().findOne({ where: { documentId: announcement.updateOf, publishedAt: { $notNull: true } }, select: ['documentId', 'title', 'url'] }),
        originalOf
      );
      const value: FollowUpContext | null = original
        ? { kind: announcement.followUpKind ?? 'update', originalDocumentId: original.documentId, originalTitle: original.title, originalUrl: original.url }
        : null;
      if (contexts.size > 100) contexts.clear();
      contexts.set(key, { value, until: Date.now() + CONTEXT_CACHE_MS });
      return value;
    },

    /** Every announcement of a thread: the original and its follow-ups, oldest first. */
    async thread(rootDocumentId: string): Promise<AnnouncementRow[]> {
      return announcementsFromRows(
        await announcementsQuery().findMany({
          where: { $or: [{ documentId: rootDocumentId }, { updateOf: rootDocumentId }], publishedAt: { $notNull: true } },
          orderBy: { createdAt: 'asc' },
          populate: ['topics'],
        })
      );
    },

    /**
     * The broadcast list as stories: one row per thread (an original, or a follow-up whose original
     * is gone), newest activity first, each with its follow-ups oldest first.
     */
    async listThreads({ page = 1, pageSize = 20 }: { page?: number; pageSize?: number } = {}) {
      const knex = strapi.db.connection;
      const table = tableName(strapi, UID.announcement);
      const threadKey = knex.raw('COALESCE(update_of, document_id)');
      const base = () => knex(table).whereNotNull('published_at');
      const [keys, totalRow] = await Promise.all([
        base()
          .select({ thread: threadKey })
          .max({ last: 'created_at' })
          .groupBy(threadKey)
          .orderBy([{ column: 'last', order: 'desc' }, { column: 'thread', order: 'desc' }])
          .offset((page - 1) * pageSize)
          .limit(pageSize),
        base().countDistinct({ n: threadKey }).first(),
      ]);
      const threadIds = rowsOf(keys, (key) => rowOf(key, 'announcement').text('thread'));
      const rows = threadIds.length
        ? announcementsFromRows(
            await announcementsQuery().findMany({
              where: { publishedAt: { $notNull: true }, $or: [{ documentId: { $in: threadIds } }, { updateOf: { $in: threadIds } }] },
              orderBy: { createdAt: 'asc' },
              populate: ['topics'],
            })
          )
        : [];
      const results = threadIds.flatMap((id) => {
        const members = rows.filter((row) => row.documentId === id || row.updateOf === id);
        const head = members.find((row) => row.documentId === id) ?? members[0];
        return head ? [{ head, followUps: members.filter((row) => row !== head) }] : [];
      });
      return { results, pagination: { page, pageSize, total: countOf(totalRow) } };
    },

    /** Recent broadcasts the side panel offers to follow up, newest first; never the entry's own. */
    async candidates(exceptDocumentId: string | null): Promise<FollowUpCandidate[]> {
      const since = new Date(Date.now() - CANDIDATE_DAYS * 86_400_000);
      return rowsOf(
        await announcementsQuery().findMany({
          where: { publishedAt: { $notNull: true }, createdAt: { $gte: since }, ...(exceptDocumentId ? { documentId: { $ne: exceptDocumentId } } : {}) },
          select: ['documentId', 'title', 'urgency', 'createdAt', 'updateOf'],
          orderBy: { createdAt: 'desc' },
          limit: CANDIDATE_LIMIT,
        }),
        candidateOf
      );
    },

    async markOf(uid: string, documentId: string): Promise<FollowUpMark | null> {
      const row = maybeRowOf(await marks().findOne({ where: { entryKey: entryKeyOf(uid, documentId) } }), followUpMarkFromRow);
      return row ? { originalDocumentId: row.originalDocumentId, kind: row.kind, includeNew: row.includeNew } : null;
    },

    /**
     * Marks a news entry as a follow-up; a second call changes the mark. Refused once the entry
     * was broadcast: its broadcast has already gone to its own recipients.
     */
    async setMark(uid: string, documentId: string, mark: FollowUpMark): Promise<FollowUpMark> {
      if (await this.entryBroadcast(uid, documentId)) throw conflictError('This entry has been broadcast already; its follow-up mark can no longer change');
      await this.rootOf(mark.originalDocumentId);
      const entryKey = entryKeyOf(uid, documentId);
      const data = { originalDocumentId: mark.originalDocumentId, kind: mark.kind, includeNew: mark.includeNew };
      const existing = maybeRowOf(await marks().findOne({ where: { entryKey }, select: ['id'] }), followUpMarkIdOf);
      if (existing !== null) await marks().update({ where: { id: existing }, data });
      else await marks().create({ data: { entryKey, ...data } });
      return data;
    },

    async clearMark(uid: string, documentId: string): Promise<void> {
      if (await this.entryBroadcast(uid, documentId)) throw conflictError('This entry has been broadcast already; its follow-up mark can no longer change');
      await marks().deleteMany({ where: { entryKey: entryKeyOf(uid, documentId) } });
    },

    /** Whether a news entry (any locale) or a hand-written announcement has been broadcast. */
    async entryBroadcast(uid: string, documentId: string): Promise<boolean> {
      const where =
        uid === UID.announcement
          ? { documentId, publishedAt: { $notNull: true } }
          : { sourceUid: uid, sourceDocumentId: documentId, publishedAt: { $notNull: true } };
      return (await announcementsQuery().count({ where })) > 0;
    },

    /**
     * A hand-written announcement marked in the side panel becomes a follow-up at its publish,
     * before dispatch reads it. (Mapped news types get their fields at `announceSource`.)
     */
    async applyMarkToAnnouncement(documentId: string): Promise<void> {
      const mark = await this.markOf(UID.announcement, documentId);
      if (!mark) return;
      const row = maybeRowOf(await announcementsQuery().findOne({ where: { documentId, publishedAt: { $notNull: true } }, select: ['urgency', 'updateOf'] }), urgencyOf);
      if (!row || row.updateOf) return;
      const fields = await this.followUpFields(mark.originalDocumentId, mark.kind, mark.includeNew, row.urgency ?? 'info');
      // Worker-owned fields are written to every row of the document (see content-types/announcement).
      await announcementsQuery().updateMany({ where: { documentId }, data: fields });
    },
  };
};
