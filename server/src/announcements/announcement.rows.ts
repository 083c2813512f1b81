import { ANNOUNCEMENT_STATUSES, FOLLOW_UP_KINDS, URGENCIES, type AnnouncementStatus, type FollowUpKind, type Urgency } from '../constants';
import { isRecord, rowOf, rowsOf, type RowFields } from '../database/row';
import { languageVersionsOf, type LanguageVersions } from '../languages/languages';

/**
 * A row of the announcement table, as every reader in the plugin sees it. The writers: the
 * document service (editors, `announceSource`, `sendUpdate`), dispatch (status, reason, resume
 * time, finished: dispatch/run-state.ts; fan-out done: dispatch/lifecycle.ts), the counters (./announcements.service.ts).
 */
export interface AnnouncementRow {
  id: number;
  documentId: string;
  title: string;
  text: string;
  url: string | null;
  urgency: Urgency | null;
  channels: string[] | null;
  topics?: AnnouncementTopic[];
  /** Village slugs (JSON list); empty or null: the whole town. Read by `villages/decodeVillages`. */
  villages?: unknown;
  sendAt: Date | null;
  sourceUid: string | null;
  sourceDocumentId: string | null;
  sourceLocale: string | null;
  sourceKey?: string | null;
  /** A follow-up's thread: the original's documentId. */
  updateOf?: string | null;
  followUpKind?: FollowUpKind | null;
  followUpIncludeNew?: boolean | null;
  languageVersions?: LanguageVersions | null;
  broadcastStatus: AnnouncementStatus | null;
  statusReason: string | null;
  resumesAt: Date | null;
  fanOutDoneAt: Date | null;
  finishedAt: Date | null;
  recipientsCount: number;
  sentCount: number;
  deliveredCount: number;
  readCount: number;
  failedCount: number;
  skippedCount: number;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt?: Date | null;
  locale?: string | null;
  /** The admin user who published it (four-eyes approval); null for a script or API client. */
  publishedBy?: number | null;
}

export interface AnnouncementTopic {
  id: number;
  documentId: string;
  name: string;
  slug: string;
}

const TABLE = 'announcement';

const topicsOf = (value: unknown): AnnouncementTopic[] | undefined => {
  if (value === undefined || value === null) return undefined;
  return rowsOf(value, (raw) => {
    const topic = rowOf(raw, 'topic');
    return { id: topic.int('id'), documentId: topic.text('documentId'), name: topic.text('name'), slug: topic.text('slug') };
  });
};

/** An announcement as the query engine answers it (`topics` when populated), read once: dates as Date, counters as numbers. */
export function announcementFromRow(raw: unknown): AnnouncementRow {
  const row = rowOf(raw, TABLE);
  return {
    id: row.int('id'),
    documentId: row.text('documentId'),
    // Required by the schema, but a row written past the document service (a migration, a script) may lack them.
    title: row.textOrNull('title') ?? '',
    text: row.textOrNull('text') ?? '',
    url: row.textOrNull('url'),
    urgency: row.oneOfOrNull('urgency', URGENCIES),
    channels: row.textListOrNull('channels'),
    ...(isRecord(raw) && 'topics' in raw ? { topics: topicsOf(raw.topics) } : {}),
    villages: row.raw.villages ?? null,
    sendAt: row.date('sendAt'),
    sourceUid: row.textOrNull('sourceUid'),
    sourceDocumentId: row.textOrNull('sourceDocumentId'),
    sourceLocale: row.textOrNull('sourceLocale'),
    sourceKey: row.textOrNull('sourceKey'),
    updateOf: row.textOrNull('updateOf'),
    followUpKind: row.oneOfOrNull('followUpKind', FOLLOW_UP_KINDS),
    followUpIncludeNew: row.raw.followUpIncludeNew == null ? null : row.flag('followUpIncludeNew'),
    languageVersions: languageVersionsOf(row.raw.languageVersions),
    broadcastStatus: row.oneOfOrNull('broadcastStatus', ANNOUNCEMENT_STATUSES),
    statusReason: row.textOrNull('statusReason'),
    resumesAt: row.date('resumesAt'),
    fanOutDoneAt: row.date('fanOutDoneAt'),
    finishedAt: row.date('finishedAt'),
    recipientsCount: row.count('recipientsCount'),
    sentCount: row.count('sentCount'),
    deliveredCount: row.count('deliveredCount'),
    readCount: row.count('readCount'),
    failedCount: row.count('failedCount'),
    skippedCount: row.count('skippedCount'),
    publishedAt: row.date('publishedAt'),
    createdAt: row.requiredDate('createdAt'),
    updatedAt: row.date('updatedAt'),
    locale: row.textOrNull('locale'),
    publishedBy: row.intOrNull('publishedBy'),
  };
}

export const announcementsFromRows = (raw: unknown): AnnouncementRow[] => rowsOf(raw, announcementFromRow);

/**
 * Narrow reads: an announcement read with a `select`, through the one field vocabulary above.
 * Each names the fields it selected.
 */
const fieldsOf = (raw: unknown): RowFields => rowOf(raw, TABLE);

/** `select: ['documentId']`. */
export const announcementDocumentIdOf = (raw: unknown): string => fieldsOf(raw).text('documentId');

/** `select: ['documentId', 'updateOf']`: where its thread starts. */
export const threadOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return { documentId: row.text('documentId'), updateOf: row.textOrNull('updateOf') };
};

/** `select: ['urgency', 'updateOf', …]`. */
export const urgencyOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return { urgency: row.oneOfOrNull('urgency', URGENCIES), updateOf: row.textOrNull('updateOf') };
};

/** `select: ['documentId', 'title', 'url']`: what a follow-up's wording names of its original. */
export const originalOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return { documentId: row.text('documentId'), title: row.text('title'), url: row.textOrNull('url') };
};

/** `select: ['documentId', 'languageVersions']`. */
export const languageVersionsRowOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return { documentId: row.textOrNull('documentId') ?? '', languageVersions: languageVersionsOf(row.raw.languageVersions), createdAt: row.date('createdAt') };
};

/** `select: ['broadcastStatus', 'statusReason', 'resumesAt', 'channels']`: the status a broadcast from before runs had. */
export const legacyStatusOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return { broadcastStatus: row.oneOf('broadcastStatus', ANNOUNCEMENT_STATUSES), statusReason: row.textOrNull('statusReason'), resumesAt: row.date('resumesAt'), channels: row.textListOrNull('channels') };
};

/** `select: ['channels', 'urgency', 'updateOf', 'sourceUid']`: what the audit's "published" says of it. */
export const publishedFactsOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return { channels: row.textListOrNull('channels'), urgency: row.oneOfOrNull('urgency', URGENCIES), updateOf: row.textOrNull('updateOf'), sourceUid: row.textOrNull('sourceUid') };
};

/** `select: ['documentId', 'title', 'urgency', 'createdAt', 'updateOf']`: a broadcast the side panel offers to follow up. */
export const candidateOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return { documentId: row.text('documentId'), title: row.text('title'), urgency: row.oneOfOrNull('urgency', URGENCIES), createdAt: row.requiredDate('createdAt'), updateOf: row.textOrNull('updateOf') };
};

/** `select: ['documentId', 'title', 'updateOf', 'followUpKind', 'followUpIncludeNew']`: what a news entry became once broadcast (the side panel). */
export const broadcastFollowUpOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return {
    documentId: row.text('documentId'),
    title: row.text('title'),
    updateOf: row.textOrNull('updateOf'),
    followUpKind: row.oneOfOrNull('followUpKind', FOLLOW_UP_KINDS),
    followUpIncludeNew: row.raw.followUpIncludeNew == null ? null : row.flag('followUpIncludeNew'),
  };
};

/** `select: ['documentId', 'title']`. */
export const titledOf = (raw: unknown) => {
  const row = fieldsOf(raw);
  return { documentId: row.text('documentId'), title: row.text('title') };
};
