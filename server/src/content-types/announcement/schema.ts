import { ANNOUNCEMENT_STATUSES, FOLLOW_UP_KINDS, URGENCIES } from '../../constants';
import { EDITOR_CONTENT_TYPES } from '../../../../shared/contracts/content-types';

/**
 * What goes out. Draft & publish: the first publish broadcasts. Worker-owned fields (broadcastStatus,
 * counters, reasons) are written to every row of the document, so a re-publish that re-creates
 * the published row from the draft keeps them.
 */
/**
 * Fields only the plugin writes: where an announcement came from and how its broadcast goes.
 * The content manager hides them (`config.attributes.<field>.hidden`, which Strapi's content
 * manager reads from the schema for its edit form and list), and an update through the document
 * service drops them (./worker-fields.ts), so an editor can't corrupt a running broadcast. An
 * announcement written by hand keeps title, text, link, topics, urgency, channels and send time.
 */
export const WORKER_OWNED_FIELDS = [
  'sourceUid',
  'sourceDocumentId',
  'sourceLocale',
  'sourceKey',
  'languageVersions',
  'updateOf',
  'followUpKind',
  'followUpIncludeNew',
  'broadcastStatus',
  'statusReason',
  'resumesAt',
  'fanOutDoneAt',
  'finishedAt',
  'recipientsCount',
  'sentCount',
  'deliveredCount',
  'readCount',
  'failedCount',
  'skippedCount',
  'publishedBy',
] as const;

export default {
  kind: 'collectionType',
  collectionName: 'town_crier_announcements',
  info: { singularName: 'announcement', pluralName: 'announcements', displayName: EDITOR_CONTENT_TYPES.announcement.displayName },
  options: { draftAndPublish: true },
  pluginOptions: { 'content-manager': { visible: true }, 'content-type-builder': { visible: false } },
  config: { attributes: Object.fromEntries(WORKER_OWNED_FIELDS.map((field) => [field, { hidden: true }])) },
  attributes: {
    title: { type: 'string', required: true },
    text: { type: 'text', required: true },
    url: { type: 'string' },
    topics: { type: 'relation', relation: 'manyToMany', target: 'plugin::town-crier.topic' },
    urgency: { type: 'enumeration', enum: [...URGENCIES], default: 'info' },
    /** Village slugs (`town.villages`) the news is for, e.g. `["dakendorf"]`; empty or null: the whole town. */
    villages: { type: 'json' },
    channels: { type: 'json' },
    sendAt: { type: 'datetime' },
    sourceUid: { type: 'string' },
    sourceDocumentId: { type: 'string' },
    sourceLocale: { type: 'string' },
    /**
     * `uid|documentId|` (one broadcast per news document, whatever its locales; older rows carry
     * the locale of their first publish); unique among published rows (a partial index made in bootstrap).
     */
    sourceKey: { type: 'string' },
    /**
     * The news in each citizen language, `{ de: { title, text, url }, en: …, 'de-x-ls': … }`: one
     * per published Strapi locale, and Leichte Sprache from the plain-language summary. Each
     * citizen gets one of them (server/src/languages/). Null for an announcement written by hand.
     */
    languageVersions: { type: 'json' },
    /**
     * A follow-up's thread: the documentId of the thread's first announcement (the original).
     * Fan-out sends a follow-up to the citizens who received the thread, not by topic.
     */
    updateOf: { type: 'string' },
    /** `update` or `all-clear`, set together with `updateOf`. */
    followUpKind: { type: 'enumeration', enum: [...FOLLOW_UP_KINDS] },
    /** The follow-up also goes to matching subscribers who did not receive the original. */
    followUpIncludeNew: { type: 'boolean', default: false },
    /** Not `status`: that name is the draft/published switch of the document service. */
    broadcastStatus: { type: 'enumeration', enum: [...ANNOUNCEMENT_STATUSES] },
    statusReason: { type: 'string' },
    /** When the broadcast continues (daily reach limit, quiet hours, grace delay). */
    resumesAt: { type: 'datetime' },
    fanOutDoneAt: { type: 'datetime' },
    finishedAt: { type: 'datetime' },
    recipientsCount: { type: 'integer', default: 0 },
    sentCount: { type: 'integer', default: 0 },
    deliveredCount: { type: 'integer', default: 0 },
    readCount: { type: 'integer', default: 0 },
    failedCount: { type: 'integer', default: 0 },
    skippedCount: { type: 'integer', default: 0 },
    /** The admin user who published it (the request's user at publish; null for a script or API client): four-eyes approval's "not their own". */
    publishedBy: { type: 'integer' },
  },
} as const;
