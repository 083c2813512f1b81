import type { Core } from '@strapi/strapi';
import { activitypubActivities } from '../activitypub/activities';
import { PLUGIN_ID, UID } from '../constants';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';
import { actorFromColumn, actorToColumn, currentActor, publishAuditIsCovered } from '../audit/actor';
import { changedCount, maybeRowOf } from '../database/row';
import { publishedFactsOf } from '../announcements/announcement.rows';
import { publishIntentFromRow, publishIntentsFromRows, type PublishIntent } from './publish-intent.rows';

/** What the audit's "published" says of a broadcast, and whether it came from a news entry. */
type PublishedFacts = ReturnType<typeof publishedFactsOf>;

export type { PublishIntent } from './publish-intent.rows';

/** How long the process that wrote an intent has to carry it out before the reconciler may (it normally takes milliseconds). */
export const PUBLISH_LEASE_MS = 60_000;
const ADOPT_BATCH = 100;

/**
 * Whether the intent was written before its announcement existed: a publish of several locales
 * at once writes one intent per locale, and the first one carried out creates the announcement
 * with every published locale's version (`versionsAtFirstPublish`). The others, carried out
 * right after or by the reconciler much later, found it `existed` but corrected nothing, so
 * they neither continue paused runs nor send the Fediverse an Update. A publish after the
 * announcement was created (a correction, a locale added later) is written after it and is one.
 */
function partOfFirstPublish(intent: PublishIntent, announcementCreatedAt: Date | null): boolean {
  return intent.recordedAt !== null && announcementCreatedAt !== null && intent.recordedAt.getTime() <= announcementCreatedAt.getTime();
}

/**
 * Publish is atomic with its broadcast through an outbox. Strapi 5 runs each document-service
 * call in its own transaction, so the announcement, its runs and the news entry that caused them
 * cannot share one; instead the publish middleware writes an intent row in the publish's own
 * transaction, carries it out right after commit (announcement, then one run per channel) and
 * deletes it. A crash or an error in between leaves the intent behind, and the reconciler carries
 * it out: each step finds what an earlier try already did (the source's announcement, the runs),
 * so the news goes out once.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const intents = () => strapi.db.query(UID.publishIntent);

  return {
    /** Called inside the publish transaction: the intents commit or roll back with the publish. */
    async record(sourceUid: string, entries: Array<{ documentId: string; locale?: string | null }>, publishedBy: number | null = null, now = new Date()): Promise<PublishIntent[]> {
      const recorded: PublishIntent[] = [];
      // Who publishes is read now, from the request: the reconciler that may carry the intent out has no request.
      const actor = actorToColumn(currentActor(strapi));
      for (const entry of entries) {
        recorded.push(
          publishIntentFromRow(
            await intents().create({
              // `createdAt` is when the publish happened (see `partOfFirstPublish`), on the same clock as the lease.
              data: { sourceUid, entryDocumentId: entry.documentId, entryLocale: entry.locale ?? null, leaseUntil: new Date(now.getTime() + PUBLISH_LEASE_MS), attempts: 0, actor, publishedBy, createdAt: now },
            })
          )
        );
      }
      return recorded;
    },

    /**
     * Turns each intent into its broadcast and deletes it. An error is logged and the intent is
     * released for the reconciler's next round; the editor's publish stands either way.
     */
    async carryOut(recorded: PublishIntent[]) {
      for (const intent of recorded) {
        try {
          await this.broadcastOf(intent);
          await intents().delete({ where: { id: intent.id } });
        } catch (error) {
          strapi.log.error(
            `[${PLUGIN_ID}] could not prepare the broadcast for ${intent.sourceUid} ${intent.entryDocumentId}: ${maskedMessage(error)}; the reconciler tries again.`
          );
          await intents()
            .update({ where: { id: intent.id }, data: { leaseUntil: null, attempts: (intent.attempts ?? 0) + 1 } })
            .catch(() => undefined);
        }
      }
    },

    /**
     * What a publish means: an announcement's own publish starts it; a news entry's first publish creates its announcement.
     * The audit trail gets "published" once per broadcast (its once-key), whichever intent carries it out first and however
     * often: a hand-written announcement's own intent, or the news entry's intent (not the announcement's it causes,
     * which the reconciler may carry out without the editor's request).
     */
    async broadcastOf(intent: PublishIntent) {
      const dispatch = getService(strapi, 'dispatch');
      if (intent.sourceUid === UID.announcement) {
        // A hand-written announcement marked as a follow-up in the side panel becomes one before it starts.
        await getService(strapi, 'follow-ups').applyMarkToAnnouncement(intent.entryDocumentId);
        // Who published it, for four-eyes approval (the publisher never approves their own).
        if (intent.publishedBy) await getService(strapi, 'announcements').notePublisher(intent.entryDocumentId, intent.publishedBy);
        // Read before start opens the runs: a publish of news the Fediverse already has is a correction.
        const corrected = await activitypubActivities(strapi).wasBroadcast(intent.entryDocumentId);
        await dispatch.start(intent.entryDocumentId);
        if (corrected) await activitypubActivities(strapi).noteChanged(intent.entryDocumentId, 'update');
        // Read once: whether it is hand-written (a news entry's own intent records "published") and what the audit says of it.
        const own = await this.publishedFacts(intent.entryDocumentId);
        if (own && !own.sourceUid) await this.auditPublished(intent, intent.entryDocumentId, own);
        return;
      }
      // A first publish creates the announcement (whose own publish, with its own intent, starts it); a later one may continue it.
      const announced = await getService(strapi, 'announcements').announceSource(intent.sourceUid, intent.entryDocumentId, intent.entryLocale, intent.publishedBy ?? null);
      // A sibling of the first publish (another locale published with it) is no re-publish: its version is in already.
      if (announced?.existed && !partOfFirstPublish(intent, announced.createdAt ?? null)) {
        await dispatch.republished(announced.documentId);
        // The entry was published again, most likely corrected: the Fediverse's copy follows.
        await activitypubActivities(strapi).noteChanged(announced.documentId, 'update');
      }
      if (announced && !publishAuditIsCovered()) {
        const facts = await this.publishedFacts(announced.documentId);
        if (facts) await this.auditPublished(intent, announced.documentId, facts);
      }
    },

    async publishedFacts(documentId: string): Promise<PublishedFacts | null> {
      return maybeRowOf(
        await strapi.db.query(UID.announcement).findOne({ where: { documentId, publishedAt: { $notNull: true } }, select: ['sourceUid', 'channels', 'urgency', 'updateOf'] }),
        publishedFactsOf
      );
    },

    async auditPublished(intent: PublishIntent, documentId: string, announcement: PublishedFacts) {
      if (publishAuditIsCovered()) return;
      await getService(strapi, 'audit').record({
        action: 'published',
        actorId: actorFromColumn(intent.actor),
        broadcastId: documentId,
        details: { channels: announcement.channels ?? [], urgency: announcement.urgency ?? null, updateOf: announcement.updateOf ?? null },
        onceKey: `published:${documentId}`,
      });
    },

    /**
     * The reconciler's part: intents whose writer gave up or died (lease over) are claimed, one
     * process each (the claim is a conditional update), and carried out. Answers how many.
     */
    async adopt(now = new Date()): Promise<number> {
      const free = { $or: [{ leaseUntil: { $null: true } }, { leaseUntil: { $lt: now } }] };
      const rows = publishIntentsFromRows(await intents().findMany({ where: free, orderBy: { id: 'asc' }, limit: ADOPT_BATCH }));
      let adopted = 0;
      for (const row of rows) {
        const claimed = changedCount(await intents().updateMany({ where: { id: row.id, ...free }, data: { leaseUntil: new Date(now.getTime() + PUBLISH_LEASE_MS) } }));
        if (!claimed) continue;
        await this.carryOut([row]);
        adopted += 1;
      }
      return adopted;
    },
  };
};
