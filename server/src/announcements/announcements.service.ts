import type { Core } from '@strapi/strapi';
import { applicationError, notFoundError } from '../http/errors';
import type { ContentTypeMapping } from '../config/schema';
import type { AnnouncementContent } from '../channels/channel';
import type { FollowUpContext } from './follow-ups.service';
import { UID, type AnnouncementStatus, type FollowUpKind, type Urgency } from '../constants';
import { getService } from '../utils/get-service';
import { fillUrl, missingUrlPlaceholders } from './link';
import { plainTextOf } from './plain-text';
import { entryUrgency } from './urgency';
import { contentInLanguage, languageOfLocale, type Language, type LanguageVersion, type LanguageVersions } from '../languages/languages';
import { decodeVillages, resolveVillages, villageValuesOf } from '../villages/villages';
import { slugify } from '../utils/slugify';
import { entryOrNull, maybeRowOf, rowOf, rowsOf } from '../database/row';
import { announcementDocumentIdOf, announcementFromRow, announcementsFromRows, languageVersionsRowOf, type AnnouncementRow } from './announcement.rows';
import { isAccountChannel } from '../../../shared/contracts/channels';
import { deliveryCounts } from '../stats/broadcast-totals';

export type { AnnouncementRow } from './announcement.rows';

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

/** The mapped fields that are relations and must be populated to read their slugs (topics, villages). */
export function relationFields(mapping: ContentTypeMapping, attributes: Record<string, { type?: string }> | undefined): string[] {
  return [mapping.topics, mapping.villages].filter((field): field is string => Boolean(field) && attributes?.[field as string]?.type === 'relation');
}

export type Counters = Pick<AnnouncementRow, 'recipientsCount' | 'sentCount' | 'deliveredCount' | 'readCount' | 'failedCount' | 'skippedCount'> & {
  /** Deliveries still pending or waiting. */
  open: number;
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const query = () => strapi.db.query(UID.announcement);
  const followUps = () => getService(strapi, 'follow-ups');

  const counterRefreshes = new Map<string, Promise<Counters>>();

  return {
    async findPublished(documentId: string): Promise<AnnouncementRow | null> {
      return maybeRowOf(await query().findOne({ where: { documentId, publishedAt: { $notNull: true } }, populate: ['topics'] }), announcementFromRow);
    },

    /** Counters are a cache of the delivery rows, written to every row of the document. Broadcast state is dispatch's. */
    async writeCounters(documentId: string, counters: Omit<Counters, 'open'>) {
      await query().updateMany({ where: { documentId }, data: counters });
    },

    /** The placeholders of the source's link that are empty now (none for an announcement written by hand). */
    async missingLinkPlaceholders(announcement: AnnouncementRow): Promise<string[]> {
      const source = await this.sourceEntry(announcement);
      return source ? missingUrlPlaceholders(source.mapping.url, source.entry) : [];
    },

    /** Fills the link again from the source entry as it is now; answers the placeholders still empty. */
    async refreshLink(announcement: AnnouncementRow): Promise<string[]> {
      const source = await this.sourceEntry(announcement);
      if (!source) return [];
      const missing = missingUrlPlaceholders(source.mapping.url, source.entry);
      if (!missing.length) await query().updateMany({ where: { documentId: announcement.documentId }, data: { url: fillUrl(source.mapping.url, source.entry) } });
      return missing;
    },

    async sourceEntry(announcement: Pick<AnnouncementRow, 'sourceUid' | 'sourceDocumentId' | 'sourceLocale'>) {
      if (!announcement.sourceUid || !announcement.sourceDocumentId) return null;
      const mapping: ContentTypeMapping | undefined = runtime().config().contentTypes[announcement.sourceUid];
      if (!mapping) return null;
      const entry = entryOrNull(
        await strapi.documents(announcement.sourceUid as 'api::article.article').findOne({
          documentId: announcement.sourceDocumentId,
          locale: announcement.sourceLocale ?? undefined,
          status: 'published',
        })
      );
      return entry ? { mapping, entry } : null;
    },

    /**
     * The first publish of a news document creates exactly one published announcement, whatever
     * its locales: a broadcast is per document, and each citizen gets it once, in their language
     * (docs/languages.md). A later publish of another locale adds that language's version for the
     * citizens not reached yet, and re-sends nothing; re-publishing a locale changes nothing. The
     * unique index on `sourceKey` is the last guard against a concurrent duplicate.
     */
    async announceSource(uid: string, documentId: string, locale: string | null, publishedBy: number | null = null): Promise<{ documentId: string; existed: boolean; createdAt?: Date | null } | null> {
      const config = runtime().config();
      const mapping: ContentTypeMapping | undefined = config.contentTypes[uid];
      if (!mapping) return null;
      const sourceKey = `${uid}|${documentId}|`;
      const existing = await this.findSourceRow(uid, documentId);

      const attributes = strapi.contentTypes[uid as keyof typeof strapi.contentTypes]?.attributes as Record<string, { type?: string }> | undefined;
      const populate = relationFields(mapping, attributes);
      const entry = entryOrNull(
        await strapi.documents(uid as 'api::article.article').findOne({
          documentId,
          locale: locale ?? undefined,
          status: 'published',
          populate: populate as never,
        })
      );
      // A type without i18n is written in the town's default language.
      const language = locale ? languageOfLocale(locale) : config.defaultLocale;
      if (existing) {
        if (entry) await this.addLanguageVersions(existing, this.versionsOf(mapping, entry, attributes, language));
        return { documentId: existing.documentId, existed: true, createdAt: existing.createdAt };
      }
      if (!entry) return null;
      if (mapping.skip && entry[mapping.skip] === true) return null;

      const entryUrgencyValue: Urgency = entryUrgency(mapping, entry);
      // An editor's follow-up mark from the side panel makes this broadcast continue an earlier one.
      const mark = await followUps().markOf(uid, documentId);
      const followUp = mark ? await followUps().followUpFields(mark.originalDocumentId, mark.kind, mark.includeNew, entryUrgencyValue).catch(() => null) : null;
      const urgency: Urgency = followUp?.urgency ?? entryUrgencyValue;
      const slugs = mapping.topics ? topicSlugsOf(entry[mapping.topics]) : [];
      const topics = slugs.length
        ? rowsOf(
            await strapi.db.query(UID.topic).findMany({ where: { $or: [{ slug: { $in: slugs } }, { slug: { $in: slugs.map(slugify) } }] }, select: ['documentId'] }),
            (row) => rowOf(row, 'topic').text('documentId')
          )
        : [];

      const created = await strapi.documents(UID.announcement).create({
        data: {
          title: String(entry[mapping.title] ?? '').slice(0, 255),
          text: plainTextOf(entry[mapping.text], attributes?.[mapping.text]?.type),
          url: fillUrl(mapping.url, entry),
          urgency,
          topics,
          // Values that name no village are left out; with none left the news is for the whole town.
          villages: mapping.villages ? resolveVillages(runtime().config().town.villages, villageValuesOf(entry[mapping.villages])).known.map((village) => village.slug) : [],
          sourceUid: uid,
          sourceDocumentId: documentId,
          sourceLocale: locale,
          sourceKey,
          ...(followUp ? { updateOf: followUp.updateOf, followUpKind: followUp.followUpKind, followUpIncludeNew: followUp.followUpIncludeNew } : {}),
          languageVersions: await this.versionsAtFirstPublish(uid, documentId, mapping, entry, attributes, language, populate),
          publishedBy,
        } as never,
        status: 'published',
      });
      return { documentId: announcementDocumentIdOf(created), existed: false };
    },

    /** Who published the announcement: the publishing request's admin user is the truth, whatever a create's data said. */
    async notePublisher(documentId: string, publishedBy: number) {
      await query().updateMany({ where: { documentId }, data: { publishedBy } });
    },

    /** The announcement of a mapped source document (any locale), if it was broadcast. */
    async findBySource(uid: string, documentId: string): Promise<string | null> {
      return (await this.findSourceRow(uid, documentId))?.documentId ?? null;
    },

    /** Found by source document, not `sourceKey`: rows from before per-document broadcasts carry their first locale in the key. */
    async findSourceRow(uid: string, documentId: string): Promise<{ documentId: string; languageVersions: LanguageVersions | null; createdAt: Date | null } | null> {
      return maybeRowOf(
        await query().findOne({ where: { sourceUid: uid, sourceDocumentId: documentId }, select: ['documentId', 'languageVersions', 'createdAt'], orderBy: { id: 'asc' } }),
        languageVersionsRowOf
      );
    },

    /**
     * One source entry's versions: its own language's, and, for a German entry whose type maps
     * `plainLanguageSummary` and has one filled in, the Leichte Sprache version (the summary as text).
     */
    versionsOf(mapping: ContentTypeMapping, entry: Record<string, unknown>, attributes: Record<string, { type?: string }> | undefined, language: Language | null): LanguageVersions {
      const version: LanguageVersion = {
        title: String(entry[mapping.title] ?? '').slice(0, 255),
        text: plainTextOf(entry[mapping.text], attributes?.[mapping.text]?.type),
        url: fillUrl(mapping.url, entry),
      };
      const versions: LanguageVersions = language ? { [language]: version } : {};
      if (mapping.plainLanguageSummary && language === 'de') {
        const summary = plainTextOf(entry[mapping.plainLanguageSummary], attributes?.[mapping.plainLanguageSummary]?.type).trim();
        if (summary) versions['de-x-ls'] = { ...version, text: summary };
      }
      return versions;
    },

    /**
     * The versions a new announcement starts with: the publishing locale's, and those of every
     * other locale already published. A publish of all locales at once writes one intent per
     * locale; the first one carried out starts the broadcast, so its announcement must hold the
     * others' versions too, or citizens reached before the next intent adds them get the wrong
     * language. The publishing locale's own version wins where two give the same language.
     */
    async versionsAtFirstPublish(
      uid: string,
      documentId: string,
      mapping: ContentTypeMapping,
      entry: Record<string, unknown>,
      attributes: Record<string, { type?: string }> | undefined,
      language: Language | null,
      populate: unknown
    ): Promise<LanguageVersions> {
      const own = this.versionsOf(mapping, entry, attributes, language);
      const localized = Boolean((strapi.contentTypes[uid as keyof typeof strapi.contentTypes]?.pluginOptions as { i18n?: { localized?: boolean } } | undefined)?.i18n?.localized);
      if (!localized || typeof entry.locale !== 'string') return own;
      const locales = rowsOf(
        await strapi.db.query(uid as 'api::article.article').findMany({ where: { documentId, publishedAt: { $notNull: true }, locale: { $ne: entry.locale } }, select: ['locale'] }),
        (row) => rowOf(row, uid).textOrNull('locale')
      );
      let versions: LanguageVersions = {};
      for (const locale of locales) {
        if (locale === null) continue;
        const other = languageOfLocale(locale);
        if (!other) continue;
        const published = entryOrNull(await strapi.documents(uid as 'api::article.article').findOne({ documentId, locale, status: 'published', populate: populate as never }));
        if (published) versions = { ...versions, ...this.versionsOf(mapping, published, attributes, other) };
      }
      return { ...versions, ...own };
    },

    /** Adds the versions the announcement lacks (the first published one of each language stays), on every row of the document. */
    async addLanguageVersions(announcement: { documentId: string; languageVersions: LanguageVersions | null }, added: LanguageVersions) {
      const current = announcement.languageVersions ?? {};
      const merged: LanguageVersions = { ...added, ...current };
      if (Object.keys(merged).length === Object.keys(current).length) return;
      await query().updateMany({ where: { documentId: announcement.documentId }, data: { languageVersions: merged } });
    },

    /** An unpublished locale's version is taken back, so citizens not reached yet get another language instead of withdrawn text. */
    async removeLanguageVersion(documentId: string, language: Language) {
      const row = maybeRowOf(await query().findOne({ where: { documentId }, select: ['languageVersions'] }), languageVersionsRowOf);
      if (!row?.languageVersions?.[language]) return;
      // Leichte Sprache made from the German entry's summary goes with it.
      const gone = language === 'de' ? ['de', 'de-x-ls'] : [language];
      const rest = Object.fromEntries(Object.entries(row.languageVersions).filter(([code]) => !gone.includes(code)));
      await query().updateMany({ where: { documentId }, data: { languageVersions: rest } });
    },

    /** The delivery hook: the announcement in the version this citizen gets, and the language the channel speaks to them in. */
    contentFor(announcement: AnnouncementRow, citizenLocale: string | null | undefined, followUp?: FollowUpContext | null) {
      return contentInLanguage(this.contentOf(announcement, followUp), announcement.languageVersions, citizenLocale, runtime().config());
    },

    /**
     * Counters are a cache of the delivery rows, written by the processes that change those rows
     * (fan-out, outcomes, editor actions), never by a read. Refreshes of one announcement run one after
     * another in this process: two overlapping ones could otherwise finish in the wrong order and
     * leave an older count behind. (The admin's detail view reads them fresh, without writing.)
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
      const { open, ...stored } = await this.currentCounters(documentId);
      await this.writeCounters(documentId, stored);
      return { ...stored, open };
    },

    /**
     * The counters as the delivery rows (and retention's tallies of deleted ones) say now,
     * without writing them: what a read such as the admin's broadcast detail shows.
     */
    async currentCounters(documentId: string): Promise<Counters> {
      const by: Record<string, number> = {};
      // Citizens only: an account channel's one post (Mastodon, Bluesky) is shown by its run, not counted as a recipient.
      for (const { channel, status, count } of await deliveryCounts(strapi, documentId)) if (!isAccountChannel(channel)) by[status] = (by[status] ?? 0) + count;
      const count = (...statuses: string[]) => statuses.reduce((sum, status) => sum + (by[status] ?? 0), 0);
      return {
        recipientsCount: count('pending', 'waiting', 'sent', 'failed', 'delivered', 'read', 'skipped'),
        // Cumulative: a read message was also delivered and sent.
        sentCount: count('sent', 'delivered', 'read'),
        deliveredCount: count('delivered', 'read'),
        readCount: count('read'),
        failedCount: count('failed'),
        skippedCount: count('skipped'),
        open: count('pending', 'waiting'),
      };
    },

    async list({ page = 1, pageSize = 20 }: { page?: number; pageSize?: number } = {}) {
      const where = { publishedAt: { $notNull: true } };
      const [results, total] = await Promise.all([
        query().findMany({ where, orderBy: { createdAt: 'desc' }, offset: (page - 1) * pageSize, limit: pageSize, populate: ['topics'] }),
        query().count({ where }),
      ]);
      return { results: announcementsFromRows(results), pagination: { page, pageSize, total } };
    },

    /** A test may be sent before publishing, from the draft. */
    async requirePublishedOrDraft(documentId: string): Promise<AnnouncementRow> {
      const row = maybeRowOf(await query().findOne({ where: { documentId }, orderBy: { publishedAt: 'asc' }, populate: ['topics'] }), announcementFromRow);
      if (!row) throw notFoundError('No announcement with this documentId');
      return row;
    },

    contentOf(announcement: AnnouncementRow, followUp?: FollowUpContext | null): AnnouncementContent {
      return {
        ...(followUp ? { followUp: { kind: followUp.kind, originalTitle: followUp.originalTitle, originalUrl: followUp.originalUrl } } : {}),
        title: announcement.title,
        text: announcement.text,
        url: announcement.url,
        urgency: announcement.urgency ?? 'info',
        topicNames: (announcement.topics ?? []).map((topic) => topic.name),
        topicSlugs: (announcement.topics ?? []).map((topic) => topic.slug),
        villageSlugs: decodeVillages(announcement.villages),
        townName: runtime().config().town.name,
      };
    },

    async requirePublished(documentId: string): Promise<AnnouncementRow> {
      const announcement = await this.findPublished(documentId);
      if (!announcement) throw notFoundError('No published announcement with this documentId');
      return announcement;
    },

    /** The documentIds whose recipients a follow-up goes to: its thread's original and the other follow-ups. */
    async threadDocumentIds(announcement: Pick<AnnouncementRow, 'documentId' | 'updateOf'>): Promise<string[]> {
      if (!announcement.updateOf) return [announcement.documentId];
      const rows = rowsOf(await query().findMany({ where: { updateOf: announcement.updateOf }, select: ['documentId'] }), announcementDocumentIdOf);
      return [...new Set([announcement.updateOf, ...rows])].filter((id) => id !== announcement.documentId);
    },

    /**
     * The admin's "send update": a new announcement in the thread of `documentId`, to whoever
     * received the thread (and new matching subscribers only when asked). Same fields as a follow-up
     * marked in the content manager.
     */
    async sendUpdate(documentId: string, input: { title?: string; text?: string; kind?: FollowUpKind; includeNew?: boolean }) {
      const original = await this.requirePublished(documentId);
      const kind = input.kind ?? 'update';
      const fields = await followUps().followUpFields(documentId, kind, input.includeNew ?? false, original.urgency ?? 'info');
      const created = await strapi.documents(UID.announcement).create({
        data: {
          title: (input.title ?? original.title).slice(0, 255),
          text: input.text ?? original.text,
          url: original.url,
          channels: original.channels,
          topics: (original.topics ?? []).map((topic) => topic.documentId),
          villages: original.villages ?? [],
          ...fields,
        } as never,
        status: 'published',
      });
      return this.requirePublished(announcementDocumentIdOf(created));
    },
  };
};
