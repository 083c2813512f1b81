import type { Core } from '@strapi/strapi';
import { applicationError, notFoundError } from '../http/errors';
import type { ContentTypeMapping } from '../config/schema';
import type { AnnouncementContent } from '../channels/channel';
import { CONTROL_QUEUE, JOB_NAMES, PLUGIN_ID, UID, type AnnouncementStatus, type Urgency } from '../constants';
import { jobIds } from '../queue/jobs';
import { getService } from '../utils/get-service';
import { toDate } from '../utils/time';
import { fillUrl } from './link';
import { plainTextOf } from './plain-text';
import { urgencyOf } from './urgency';

/** Worker-owned announcement fields; written to every row of the document (draft and published). */
export interface BroadcastState {
  broadcastStatus?: AnnouncementStatus | null;
  statusReason?: string | null;
  resumesAt?: Date | null;
  fanOutDoneAt?: Date | null;
  finishedAt?: Date | null;
  recipientsCount?: number;
  sentCount?: number;
  deliveredCount?: number;
  readCount?: number;
  failedCount?: number;
  skippedCount?: number;
}

export interface AnnouncementRow {
  id: number;
  documentId: string;
  title: string;
  text: string;
  url: string | null;
  urgency: Urgency | null;
  channels: string[] | null;
  topics?: Array<{ id: number; documentId: string; name: string; slug: string }>;
  sendAt: string | null;
  sourceUid: string | null;
  sourceDocumentId: string | null;
  sourceLocale: string | null;
  broadcastStatus: AnnouncementStatus | null;
  statusReason: string | null;
  resumesAt: string | null;
  fanOutDoneAt: string | null;
  finishedAt: string | null;
  recipientsCount: number;
  sentCount: number;
  deliveredCount: number;
  readCount: number;
  failedCount: number;
  skippedCount: number;
  publishedAt: string | null;
  createdAt: string;
}

/** Everything a channel needs to know, read from the news entry through the configured mapping. */
export function topicSlugsOf(value: unknown): string[] {
  if (!value) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(topicSlugsOf);
  if (typeof value === 'object') {
    const candidate = value as { slug?: unknown; name?: unknown };
    return [String(candidate.slug ?? candidate.name ?? '')].filter(Boolean);
  }
  return [];
}

export const slugify = (value: string) =>
  value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

export type Counters = Pick<AnnouncementRow, 'recipientsCount' | 'sentCount' | 'deliveredCount' | 'readCount' | 'failedCount' | 'skippedCount'> & {
  /** Deliveries still pending or waiting. */
  open: number;
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const query = () => strapi.db.query(UID.announcement);

  /** Runs `task` after the surrounding transaction commits (at once when there is none). */
  const counterRefreshes = new Map<string, Promise<Counters>>();

  const afterCommit = async (task: () => void) => {
    await strapi.db.transaction(async ({ onCommit }) => {
      onCommit(task);
    });
  };

  return {
    async findPublished(documentId: string): Promise<AnnouncementRow | null> {
      return (await query().findOne({
        where: { documentId, publishedAt: { $notNull: true } },
        populate: ['topics'],
      })) as AnnouncementRow | null;
    },

    async setState(documentId: string, state: BroadcastState) {
      await query().updateMany({ where: { documentId }, data: state });
    },

    /**
     * The first publish of a news entry (per locale) creates exactly one published
     * announcement. Re-publishing finds the existing one and does nothing; the unique index
     * on `sourceKey` is the last guard against a concurrent duplicate.
     */
    async announceSource(uid: string, documentId: string, locale: string | null) {
      const mapping: ContentTypeMapping | undefined = runtime().config().contentTypes[uid];
      if (!mapping) return;
      const sourceKey = `${uid}|${documentId}|${locale ?? ''}`;
      const existing = await query().findOne({ where: { sourceKey }, select: ['id'] });
      if (existing) return;

      const attributes = strapi.contentTypes[uid as keyof typeof strapi.contentTypes]?.attributes as Record<string, { type?: string }> | undefined;
      const topicAttribute = mapping.topics ? attributes?.[mapping.topics] : undefined;
      const populate = mapping.topics && topicAttribute?.type === 'relation' ? [mapping.topics] : [];
      const entry = (await strapi.documents(uid as 'api::article.article').findOne({
        documentId,
        locale: locale ?? undefined,
        status: 'published',
        populate: populate as never,
      })) as Record<string, unknown> | null;
      if (!entry) return;
      if (mapping.skip && entry[mapping.skip] === true) return;

      const urgency = urgencyOf(mapping, entry);
      const slugs = mapping.topics ? topicSlugsOf(entry[mapping.topics]) : [];
      const topics = slugs.length
        ? await strapi.db.query(UID.topic).findMany({
            where: { $or: [{ slug: { $in: slugs } }, { slug: { $in: slugs.map(slugify) } }] },
            select: ['id', 'documentId'],
          })
        : [];

      await strapi.documents(UID.announcement).create({
        data: {
          title: String(entry[mapping.title] ?? '').slice(0, 255),
          text: plainTextOf(entry[mapping.text], attributes?.[mapping.text]?.type),
          url: fillUrl(mapping.url, entry),
          urgency,
          topics: topics.map((topic: { documentId: string }) => topic.documentId),
          sourceUid: uid,
          sourceDocumentId: documentId,
          sourceLocale: locale,
          sourceKey,
        } as never,
        status: 'published',
      });
    },

    /** Called on every publish of an announcement; only the first one starts a broadcast. */
    async startBroadcast(documentId: string) {
      const announcement = await this.findPublished(documentId);
      if (!announcement || announcement.broadcastStatus) return;
      const config = runtime().config();
      const now = Date.now();
      const sendAt = toDate(announcement.sendAt);
      const graceUntil = config.broadcast.graceSeconds > 0 ? now + config.broadcast.graceSeconds * 1000 : now;
      const startAt = Math.max(sendAt?.getTime() ?? now, graceUntil);
      const scheduled = startAt > now;
      const enabledChannels = runtime().channels().enabled().map((channel) => channel.id);
      const channels = announcement.channels?.length
        ? announcement.channels.filter((id) => enabledChannels.includes(id as never))
        : enabledChannels;

      await query().updateMany({
        where: { documentId },
        data: {
          broadcastStatus: scheduled ? 'scheduled' : 'queued',
          statusReason: scheduled ? (sendAt && sendAt.getTime() >= graceUntil ? 'send-at' : 'grace-period') : null,
          resumesAt: scheduled ? new Date(startAt) : null,
          channels,
        },
      });
      await afterCommit(() => this.enqueueFanOut(documentId, startAt - now));
    },

    /** Never awaited by a publish: Redis being down must not block or fail the editor. */
    enqueueFanOut(documentId: string, delayMs = 0) {
      runtime()
        .queue()
        .add(CONTROL_QUEUE, {
          name: JOB_NAMES.fanOut,
          id: jobIds.fanOut(documentId),
          data: { announcementDocumentId: documentId },
          delayMs,
        })
        .catch((error: Error) =>
          strapi.log.warn(`[${PLUGIN_ID}] could not enqueue announcement ${documentId} (${error.message}); the reconciler will retry.`)
        );
    },

    /** Recomputes the counters from the delivery rows: one grouped query, always consistent. */
    /**
     * Counters are a cache of the delivery rows. Refreshes of one announcement run one after
     * another in this process: two overlapping ones could otherwise finish in the wrong order and
     * leave an older count behind. (Across processes the admin's detail view refreshes again.)
     */
    refreshCounters(documentId: string): Promise<Counters> {
      const previous = counterRefreshes.get(documentId) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => this.countDeliveries(documentId));
      counterRefreshes.set(documentId, next);
      void next.finally(() => {
        if (counterRefreshes.get(documentId) === next) counterRefreshes.delete(documentId);
      }).catch(() => undefined);
      return next;
    },

    async countDeliveries(documentId: string): Promise<Counters> {
      const knex = strapi.db.connection;
      const table = strapi.db.metadata.get(UID.delivery).tableName;
      const rows: Array<{ status: string; n: number | string }> = await knex(table)
        .select('status')
        .count({ n: '*' })
        .where('announcement_document_id', documentId)
        .groupBy('status');
      const by = Object.fromEntries(rows.map((row) => [row.status, Number(row.n)])) as Record<string, number>;
      const count = (...statuses: string[]) => statuses.reduce((sum, status) => sum + (by[status] ?? 0), 0);
      const counters = {
        recipientsCount: count('pending', 'waiting', 'sent', 'failed', 'delivered', 'read', 'skipped'),
        // Cumulative: a read message was also delivered and sent.
        sentCount: count('sent', 'delivered', 'read'),
        deliveredCount: count('delivered', 'read'),
        readCount: count('read'),
        failedCount: count('failed'),
        skippedCount: count('skipped'),
      };
      await this.setState(documentId, counters);
      return { ...counters, open: count('pending', 'waiting') };
    },

    /** Marks a broadcast finished once fan-out is done and no delivery is open. */
    async finishIfDone(documentId: string) {
      const announcement = await this.findPublished(documentId);
      if (!announcement || !announcement.fanOutDoneAt) return;
      if (!['sending', 'queued'].includes(announcement.broadcastStatus ?? '')) return;
      const counters = await this.refreshCounters(documentId);
      if (counters.open > 0) return;
      const allFailed = counters.recipientsCount > 0 && counters.failedCount === counters.recipientsCount;
      await this.setState(documentId, {
        broadcastStatus: allFailed ? 'failed' : 'sent',
        statusReason: allFailed ? 'all-deliveries-failed' : null,
        resumesAt: null,
        finishedAt: new Date(),
      });
    },

    async list({ page = 1, pageSize = 20 }: { page?: number; pageSize?: number } = {}) {
      const where = { publishedAt: { $notNull: true } };
      const [results, total] = await Promise.all([
        query().findMany({ where, orderBy: { createdAt: 'desc' }, offset: (page - 1) * pageSize, limit: pageSize, populate: ['topics'] }),
        query().count({ where }),
      ]);
      return { results: results as AnnouncementRow[], pagination: { page, pageSize, total } };
    },

    /** A test may be sent before publishing, from the draft. */
    async requirePublishedOrDraft(documentId: string): Promise<AnnouncementRow> {
      const row = (await query().findOne({ where: { documentId }, orderBy: { publishedAt: 'asc' }, populate: ['topics'] })) as AnnouncementRow | null;
      if (!row) throw notFoundError('No announcement with this documentId');
      return row;
    },

    contentOf(announcement: AnnouncementRow): AnnouncementContent {
      return {
        title: announcement.title,
        text: announcement.text,
        url: announcement.url,
        urgency: announcement.urgency ?? 'info',
        topicNames: (announcement.topics ?? []).map((topic) => topic.name),
        townName: runtime().config().town.name,
      };
    },

    async requirePublished(documentId: string): Promise<AnnouncementRow> {
      const announcement = await this.findPublished(documentId);
      if (!announcement) throw notFoundError('No published announcement with this documentId');
      return announcement;
    },

    async pause(documentId: string) {
      const announcement = await this.requirePublished(documentId);
      if (!['scheduled', 'queued', 'sending'].includes(announcement.broadcastStatus ?? '')) {
        throw applicationError(`Cannot pause a broadcast that is ${announcement.broadcastStatus ?? 'not started'}`);
      }
      await this.setState(documentId, { broadcastStatus: 'paused', statusReason: 'paused-by-editor' });
      return this.requirePublished(documentId);
    },

    async resume(documentId: string) {
      const announcement = await this.requirePublished(documentId);
      if (announcement.broadcastStatus !== 'paused') throw applicationError('Only a paused broadcast can be resumed');
      await this.setState(documentId, { broadcastStatus: announcement.fanOutDoneAt ? 'sending' : 'queued', statusReason: null, resumesAt: null });
      await getService(strapi, 'delivery').requeueOpen(documentId, { resumeChannels: true });
      if (!announcement.fanOutDoneAt) this.enqueueFanOut(documentId);
      return this.requirePublished(documentId);
    },

    async cancel(documentId: string) {
      const announcement = await this.requirePublished(documentId);
      if (['sent', 'cancelled', 'failed'].includes(announcement.broadcastStatus ?? '')) {
        throw applicationError(`Cannot cancel a broadcast that is ${announcement.broadcastStatus}`);
      }
      await this.setState(documentId, { broadcastStatus: 'cancelled', statusReason: 'cancelled-by-editor', resumesAt: null, finishedAt: new Date() });
      await getService(strapi, 'delivery').skipOpen(documentId);
      await this.refreshCounters(documentId);
      return this.requirePublished(documentId);
    },

    /** Gives failed deliveries another go, except those whose recipient can never be reached. */
    async retryFailed(documentId: string) {
      const announcement = await this.requirePublished(documentId);
      if (announcement.broadcastStatus === 'cancelled') throw applicationError('A cancelled broadcast cannot be retried');
      const reopened = await getService(strapi, 'delivery').reopenFailed(documentId);
      if (reopened > 0) {
        await this.setState(documentId, { broadcastStatus: 'sending', statusReason: null, finishedAt: null });
        await getService(strapi, 'delivery').requeueOpen(documentId, { resumeChannels: true });
      }
      await this.refreshCounters(documentId);
      return { reopened };
    },

    /** An explicit second broadcast for an edited item: a new announcement pointing at the first. */
    async sendUpdate(documentId: string, input: { title?: string; text?: string }) {
      const original = await this.requirePublished(documentId);
      const created = await strapi.documents(UID.announcement).create({
        data: {
          title: (input.title ?? `Update: ${original.title}`).slice(0, 255),
          text: input.text ?? original.text,
          url: original.url,
          urgency: original.urgency ?? 'info',
          channels: original.channels,
          topics: (original.topics ?? []).map((topic) => topic.documentId),
          updateOf: documentId,
        } as never,
        status: 'published',
      });
      return this.requirePublished((created as { documentId: string }).documentId);
    },
  };
};
