import type { Core, Modules } from '@strapi/strapi';
import { activitypubActivities } from '../activitypub/activities';
import { PLUGIN_ID, UID } from '../constants';
import { getService } from '../utils/get-service';
import { languageOfLocale } from '../languages/languages';
import { maskedMessage } from '../utils/log';
import { requestAdminId } from '../admins/request-admin';
import { isRecord } from '../database/row';

interface DocumentContext {
  uid: string;
  action: string;
  params?: { status?: string; documentId?: string; locale?: string | string[] };
}
type Next = () => Promise<unknown>;
interface PublishedEntry {
  documentId: string;
  locale?: string | null;
}

/**
 * Turns a publish of a mapped news type (or of an announcement itself) into a broadcast.
 * A publish reaches the document service three ways: the `publish` action, and `create` or
 * `update` with `status: 'published'` (which call the inner publish without the middleware
 * seeing a `publish`). All three are caught here. Which publish is the first one is decided
 * by the announcements service, so duplicated events cannot broadcast twice. What the publish
 * means is written as an intent in the publish's own transaction (`dispatch/publish-outbox.service.ts`).
 */
export function createPublishMiddleware(strapi: Core.Strapi): Modules.Documents.Middleware.Middleware {
  const middleware = async (ctx: DocumentContext, next: Next) => {
    const isPublish =
      ctx.action === 'publish' || ((ctx.action === 'create' || ctx.action === 'update') && ctx.params?.status === 'published');
    const isUnpublish = ctx.action === 'unpublish';
    if (!isPublish && !isUnpublish) return next();

    const runtime = getService(strapi, 'runtime');
    const isAnnouncement = ctx.uid === UID.announcement;
    const mapping = runtime.config().contentTypes[ctx.uid];
    if (!isAnnouncement && !mapping) return next();
    if (isUnpublish) return unpublishing(strapi, ctx, next, isAnnouncement);

    // The intent to broadcast commits with the publish (one transaction: Strapi's own joins it),
    // and is carried out right after; whatever a crash or an error leaves, the reconciler finishes.
    const outbox = getService(strapi, 'publish-outbox');
    const publishedBy = publishingAdmin(strapi);
    const { result, intents } = await strapi.db.transaction(async () => {
      const published = await next();
      return { result: published, intents: await outbox.record(ctx.uid, publishedEntries(ctx.action, published), publishedBy) };
    });
    // The editor's publish stands even when the broadcast cannot be prepared now; the error is logged.
    await outbox.carryOut(intents);
    return result;
  };
  // Strapi types `next` per action as a union of every repository method's result; this
  // middleware passes that result through untouched, so the narrower local types are safe.
  return middleware as unknown as Modules.Documents.Middleware.Middleware;
}

/**
 * Unpublishing news mid-broadcast pauses its runs with the reason `unpublished`; publishing again
 * continues them. Unpublishing one locale while another stays published only takes that
 * language's version back: citizens not reached yet get the next one in their chain.
 */
async function unpublishing(strapi: Core.Strapi, ctx: DocumentContext, next: Next, isAnnouncement: boolean) {
  const result = await next();
  const documentId = ctx.params?.documentId;
  if (!documentId) return result;
  try {
    const locales = Array.isArray(ctx.params?.locale) ? ctx.params.locale : [ctx.params?.locale ?? null];
    const announcements = getService(strapi, 'announcements');
    const announcementId = isAnnouncement ? documentId : await announcements.findBySource(ctx.uid, documentId);
    if (!announcementId) return result;
    const stillPublished = isAnnouncement ? 0 : await strapi.db.query(ctx.uid as 'api::article.article').count({ where: { documentId, publishedAt: { $notNull: true } } });
    if (!stillPublished) {
      await getService(strapi, 'dispatch').unpublished(announcementId);
      // Withdrawn news is withdrawn on the Fediverse too: a Delete to every follower server.
      await activitypubActivities(strapi).noteChanged(announcementId, 'delete');
      return result;
    }
    for (const locale of locales) {
      const language = languageOfLocale(locale);
      if (language) await announcements.removeLanguageVersion(announcementId, language);
    }
  } catch (error) {
    strapi.log.error(`[${PLUGIN_ID}] could not pause the broadcast of unpublished ${ctx.uid} ${documentId}: ${maskedMessage(error)}`);
  }
  return result;
}

/**
 * The admin user whose request publishes (the content manager's Publish, the admin's "send
 * update"): four-eyes approval never lets them approve their own. Null for a script, a cron job
 * or a Content API client: their broadcasts may be approved by any approver.
 */
function publishingAdmin(strapi: Core.Strapi): number | null {
  return requestAdminId(strapi.requestContext.get()?.state, { adminTokens: false });
}

function publishedEntries(action: string, result: unknown): PublishedEntry[] {
  if (!isRecord(result)) return [];
  const entryOf = (value: unknown): PublishedEntry[] => {
    if (!isRecord(value) || typeof value.documentId !== 'string' || !value.documentId) return [];
    return [{ documentId: value.documentId, locale: typeof value.locale === 'string' ? value.locale : null }];
  };
  // `publish` answers `{ entries }`; create and update with `status: 'published'` answer the entry.
  if (action === 'publish') return Array.isArray(result.entries) ? result.entries.flatMap(entryOf) : [];
  return entryOf(result);
}
