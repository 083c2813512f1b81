import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { getService } from '../utils/get-service';
import { relationFields, topicSlugsOf } from './announcements.service';
import { announcementFromRow, type AnnouncementRow } from './announcement.rows';
import { entryOrNull, maybeRowOf, rowOf, rowsOf } from '../database/row';
import { slugify } from '../utils/slugify';
import { resolveVillages, villageValuesOf } from '../villages/villages';
import type { DailyLimitSplit } from './audience.service';
import type { FollowUpContext } from './follow-ups.service';
import { toBroadcast } from './broadcast-insights.service';
import type { PublishPreview } from '../../../shared/contracts/admin-api';
import { fillUrl, missingUrlPlaceholders } from './link';
import { plainTextOf } from './plain-text';
import { buildAnnouncementRequest } from '../channels/whatsapp/whatsapp.payloads';
import type { ContentTypeMapping } from '../config/schema';
import { unmatchedTopicValues } from './topic-match';
import { urgencyOfValue } from './urgency';
import { countByLanguage } from '../languages/languages';
import { accountPostPreviews, whatsappChannelPreview } from './account-previews';
import { isAccountChannel } from '../../../shared/contracts/channels';

export type PreviewReason = 'not-mapped' | 'already-broadcast' | 'skip-flag';

export interface PreviewInput {
  uid: string;
  documentId?: string;
  locale?: string;
  /** The topic chosen in the editor's form; overrides the saved entry's. */
  topic?: string;
  /** The villages in the editor's form (comma-separated); override the saved entry's. */
  villages?: string;
  /** The urgency in the editor's form; overrides the saved entry's (for the approval's emergency rule). */
  urgency?: 'info' | 'important' | 'emergency';
}

/**
 * The broadcast as the side panel follows it. Before fan-out has made the delivery rows, the
 * recipients it will find are counted, so a held broadcast shows them as waiting, not as 0.
 */
export function progressOf(announcement: AnnouncementRow, expectedRecipients = 0): NonNullable<PublishPreview['announcement']> {
  const { documentId, broadcastStatus, statusReason, resumesAt, recipients, sent, delivered, read, failed, skipped } = toBroadcast(announcement);
  const total = announcement.fanOutDoneAt ? recipients : Math.max(recipients, expectedRecipients);
  return { documentId, broadcastStatus, statusReason, resumesAt, recipients: total, sent, delivered, read, failed, skipped, waiting: Math.max(0, total - sent - failed - skipped) };
}

/**
 * What the editor's Publish will do, for the content manager's side panel. It reads the entry
 * and resolves its topic the way `announceSource` will, and counts recipients with fan-out's
 * filter, so "goes to 634 subscribers, 250 today" is what then happens.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const audience = () => getService(strapi, 'audience');

  const isLocalized = (uid: string) =>
    Boolean((strapi.contentTypes[uid as keyof typeof strapi.contentTypes]?.pluginOptions as { i18n?: { localized?: boolean } } | undefined)?.i18n?.localized);

  const resolveTopics = async (slugs: string[]) =>
    slugs.length
      ? rowsOf(
          await strapi.db.query(UID.topic).findMany({
            where: { $or: [{ slug: { $in: slugs } }, { slug: { $in: slugs.map(slugify) } }] },
            select: ['id', 'name', 'slug'],
            orderBy: { name: 'asc' },
          }),
          (raw) => {
            const topic = rowOf(raw, 'topic');
            return { id: topic.int('id'), name: topic.text('name'), slug: topic.text('slug') };
          }
        )
      : [];

  /** The news an entry marked as a follow-up in the side panel continues; null for news of its own. */
  const followUpOfMark = async (uid: string, documentId: string): Promise<FollowUpContext | null> => {
    const followUps = getService(strapi, 'follow-ups');
    const mark = await followUps.markOf(uid, documentId);
    if (!mark) return null;
    const root = await followUps.rootOf(mark.originalDocumentId).catch(() => null);
    return root ? followUps.contextOf({ updateOf: root, followUpKind: mark.kind }) : null;
  };

  return {
    /** `viewerId`: the admin looking, who would publish (their village rights; they are never their own approver). */
    async preview(input: PreviewInput, viewerId: number | null = null) {
      const config = runtime().config();
      const mapping = config.contentTypes[input.uid];
      const empty = { topic: null, recipients: { total: 0, byChannel: {} as Record<string, number> }, dailyLimit: {} as Record<string, DailyLimitSplit>, announcement: null };
      if (!mapping || !strapi.contentTypes[input.uid as keyof typeof strapi.contentTypes]) {
        return { broadcasts: false, reason: 'not-mapped' as PreviewReason, ...empty };
      }
      const locale = isLocalized(input.uid) ? (input.locale ?? null) : null;

      let announcement: AnnouncementRow | null = null;
      let entry: Record<string, unknown> | null = null;
      if (input.documentId) {
        // One broadcast per document: another locale of news already sent is "already broadcast" too.
        announcement = maybeRowOf(
          await strapi.db.query(UID.announcement).findOne({ where: { sourceUid: input.uid, sourceDocumentId: input.documentId, publishedAt: { $notNull: true } }, orderBy: { id: 'asc' } }),
          announcementFromRow
        );
        const attributes = strapi.contentTypes[input.uid as keyof typeof strapi.contentTypes]?.attributes as Record<string, { type?: string }> | undefined;
        entry = entryOrNull(
          await strapi.documents(input.uid as 'api::article.article').findOne({
            documentId: input.documentId,
            locale: locale ?? undefined,
            status: 'draft',
            populate: relationFields(mapping, attributes) as never,
          })
        );
      }

      const slugs = input.topic !== undefined ? (input.topic ? [input.topic] : []) : mapping.topics && entry ? topicSlugsOf(entry[mapping.topics]) : [];
      const topics = await resolveTopics(slugs);
      // An unknown topic reaches everyone, exactly as announceSource then broadcasts it.
      const topicIds = topics.map((topic) => topic.id);

      // Villages as announceSource maps them: values naming no village are left out (and warned about).
      const villageValues =
        input.villages !== undefined ? villageValuesOf(input.villages) : mapping.villages && entry ? villageValuesOf(entry[mapping.villages]) : [];
      const villages = resolveVillages(config.town.villages, villageValues);
      const villageSlugs = villages.known.map((village) => village.slug);

      const byChannel: Record<string, number> = {};
      const dailyLimit: Record<string, DailyLimitSplit> = {};
      const perVillage: Record<string, number> = {};
      let wholeTown = 0;
      const byLocale: Array<{ locale: string | null; n: number }> = [];
      // Recipients are citizens; an account channel's one post is shown as the post (accountPosts).
      for (const channel of runtime().channels().enabled().filter((adapter) => !isAccountChannel(adapter.id))) {
        const total = await audience().countRecipients(channel.id, topicIds, villageSlugs);
        byLocale.push(...(await audience().countRecipientsByLocale(channel.id, topicIds, villageSlugs)));
        byChannel[channel.id] = total;
        dailyLimit[channel.id] = await audience().splitByDailyLimit(channel, total, (ids) => audience().countRecipientsAmong(channel.id, topicIds, ids, villageSlugs));
        if (config.town.villages.length) {
          const split = await audience().countByVillage(channel.id, topicIds, villageSlugs);
          for (const [slug, n] of Object.entries(split.byVillage)) perVillage[slug] = (perVillage[slug] ?? 0) + n;
          wholeTown += split.wholeTown;
        }
      }

      const reason: PreviewReason | null = announcement ? 'already-broadcast' : mapping.skip && entry?.[mapping.skip] === true ? 'skip-flag' : null;
      const total = Object.values(byChannel).reduce((sum, n) => sum + n, 0);
      const whatsappCost = byChannel.whatsapp
        ? getService(strapi, 'costs').estimate(byChannel.whatsapp, getService(strapi, 'whatsapp-account').templateCategory('announcement') ?? 'marketing')
        : null;
      const urgencyValue = mapping.urgency && entry ? entry[mapping.urgency] : undefined;
      // This broadcast's WhatsApp estimate against what is left of the month's budget (absent without a budget).
      const whatsappBudget =
        whatsappCost && runtime().config().channels.whatsapp.budget.amountPerMonth !== null ? await getService(strapi, 'budget').verdictForEstimate(whatsappCost.cost ?? 0) : null;
      // Four-eyes approval before Publish: whether it will wait for a second person, why (a WhatsApp part over budget too), and who could approve.
      const approval = await getService(strapi, 'approval').preview(
        { urgency: input.urgency ?? urgencyOfValue(mapping, urgencyValue) ?? 'info', channels: runtime().channels().enabled().map((channel) => channel.id), villages: villageSlugs, recipientsByChannel: byChannel },
        viewerId,
        whatsappBudget?.wouldExceed ?? false
      );
      return {
        approval,
        broadcasts: reason === null,
        reason,
        // Which of the entry's fields hold topic and urgency, so the side panel can follow the unsaved form.
        fields: { topics: mapping.topics ?? null, urgency: mapping.urgency ?? null, ...(mapping.villages ? { villages: mapping.villages } : {}) },
        topic: topics[0] ? { slug: topics[0].slug, name: topics[0].name } : null,
        recipients: { total, byChannel },
        // Recipients per language they will read it in ("17 in English"); each gets the news once.
        recipientsByLanguage: countByLanguage(byLocale, config),
        dailyLimit,
        // WhatsApp bills each delivered template: the news template's category at Meta (marketing if unknown).
        whatsappCost,
        ...(whatsappBudget ? { whatsappBudget } : {}),
        // The WhatsApp message as citizens will read it: the template's text (Meta's, or the plugin's wording, marked unconfirmed).
        ...(entry
          ? this.accountViews(input.uid, mapping, entry, urgencyOfValue(mapping, urgencyValue) ?? 'info', topics, villages.known.map((village) => village.slug), input.documentId ? await followUpOfMark(input.uid, input.documentId) : null)
          : {}),
        whatsappMessage: byChannel.whatsapp !== undefined && entry ? this.whatsappMessage(input.uid, mapping, entry, urgencyOfValue(mapping, urgencyValue) ?? 'info', topics.map((topic) => topic.name)) : null,
        startsAt: this.startsAt(urgencyOfValue(mapping, urgencyValue) === 'emergency' ? 'emergency' : 'info'),
        announcement: announcement ? progressOf(announcement, total) : null,
        // Warnings before publish: topic values no topic has (the news then goes to everyone),
        // and link placeholders the saved entry leaves empty (the link would be broken).
        unmatchedTopics: unmatchedTopicValues(slugs, topics.map((topic) => topic.slug)),
        missingLinkFields: entry ? missingUrlPlaceholders(mapping.url, entry) : [],
        // Per village ("goes to 212 in Dakendorf and Gnissau"); absent when the town has no villages.
        // `selected` is empty for news to the whole town. A citizen who named two of the villages
        // counts in both; `wholeTown` are those who chose the whole town (all of them, for such news).
        ...(config.town.villages.length
          ? {
              villages: {
                selected: villages.known.map((village) => ({ slug: village.slug, name: village.name, recipients: perVillage[village.slug] ?? 0 })),
                wholeTown,
                unmatched: villages.unknown,
              },
            }
          : {}),
        // A draft made from an official warning (DWD, NINA): where from, how severe, for which area, last changed when.
        officialWarning: input.documentId ? await getService(strapi, 'official-warnings').originOf(input.documentId) : null,
      };
    },

    /** The saved draft as each account channel's post and as the WhatsApp Channel's text. */
    accountViews(
      uid: string,
      mapping: ContentTypeMapping,
      entry: Record<string, unknown>,
      urgency: NonNullable<ReturnType<typeof urgencyOfValue>>,
      topics: Array<{ name: string; slug: string }>,
      villageSlugs: string[],
      followUp: FollowUpContext | null = null
    ) {
      const config = runtime().config();
      const attributes = strapi.contentTypes[uid as keyof typeof strapi.contentTypes]?.attributes as Record<string, { type?: string }> | undefined;
      const content = {
        title: String(entry[mapping.title] ?? '').slice(0, 255),
        text: plainTextOf(entry[mapping.text], attributes?.[mapping.text]?.type),
        url: fillUrl(mapping.url, entry),
        urgency,
        topicNames: topics.map((topic) => topic.name),
        topicSlugs: topics.map((topic) => topic.slug),
        villageSlugs,
        townName: config.town.name,
        // A follow-up reads as one: "Update: …" in the wording, a reply to the first news on the Fediverse.
        ...(followUp ? { followUp: { kind: followUp.kind, originalTitle: followUp.originalTitle, originalUrl: followUp.originalUrl } } : {}),
      };
      return { accountPosts: accountPostPreviews(config, content, config.defaultLocale), whatsappChannelText: whatsappChannelPreview(config, content, config.defaultLocale) };
    },

    /** The saved draft as the WhatsApp news message, rendered like the sandbox phone renders it; null when it cannot be built. */
    whatsappMessage(uid: string, mapping: ContentTypeMapping, entry: Record<string, unknown>, urgency: NonNullable<ReturnType<typeof urgencyOfValue>>, topicNames: string[]) {
      const attributes = strapi.contentTypes[uid as keyof typeof strapi.contentTypes]?.attributes as Record<string, { type?: string }> | undefined;
      const content = {
        title: String(entry[mapping.title] ?? '').slice(0, 255),
        text: plainTextOf(entry[mapping.text], attributes?.[mapping.text]?.type),
        url: fillUrl(mapping.url, entry),
        urgency,
        topicNames,
        townName: runtime().config().town.name,
      };
      try {
        const body = buildAnnouncementRequest({ kind: 'announcement', to: '', deliveryRef: 'preview', content }, runtime().config().channels.whatsapp.templates.announcement);
        return getService(strapi, 'whatsapp-account').render(body);
      } catch {
        // The URL does not fit the template's button: publishing reports it; the preview shows no message.
        return null;
      }
    },

    /** When Publish would start sending: now, after the grace period, or when quiet hours end (dispatch's rule). */
    startsAt(urgency: 'emergency' | 'info', now = new Date()): { at: string | null; reason: 'grace-period' | 'quiet-hours' | null } {
      const config = runtime().config();
      const start = new Date(now.getTime() + config.broadcast.graceSeconds * 1000);
      const hold = getService(strapi, 'dispatch').holdOf({ urgency }, start);
      if (hold) return { at: hold.until.toISOString(), reason: 'quiet-hours' };
      return config.broadcast.graceSeconds > 0 ? { at: start.toISOString(), reason: 'grace-period' } : { at: null, reason: null };
    },
  };
};
