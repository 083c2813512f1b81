import { createHash } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { pluginApiUrl } from '../http/public-links';
import { Feed } from 'feed';
import { UID } from '../constants';
import { feedAnnouncementFromRow, feedOriginalFromRow, type FeedAnnouncement } from './feed.rows';
import { followUpTexts, localeOf, titleWithFollowUp } from '../messages/texts';
import { getService } from '../utils/get-service';

export type FeedFormat = 'rss' | 'atom';

export interface RenderedFeed {
  body: string;
  contentType: string;
  etag: string;
  lastModified: Date;
}


const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * The privacy-friendly channel nobody signs up for: a public RSS/Atom feed of the announcements
 * whose broadcast has started. It is built from announcement fields only, so it holds no
 * personal data by construction.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async render(format: FeedFormat): Promise<RenderedFeed> {
    const config = getService(strapi, 'runtime').config();
    const base = config.publicUrl.replace(/\/$/, '');
    const feedUrl = (suffix: string) => pluginApiUrl(strapi, config.publicUrl, suffix);

    const stored: unknown[] = await strapi.db.query(UID.announcement).findMany({
      where: { publishedAt: { $notNull: true }, broadcastStatus: { $in: ['sending', 'sent'] } },
      select: ['documentId', 'title', 'text', 'url', 'publishedAt', 'sendAt', 'updateOf', 'followUpKind'],
      populate: { topics: { select: ['name'] } },
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      limit: config.feed.limit,
    });
    const announcements = stored.map(feedAnnouncementFromRow);

    // A follow-up names and links the news it continues (its thread's original).
    const originalIds = [...new Set(announcements.map((item) => item.updateOf).filter((id): id is string => Boolean(id)))];
    const originals = new Map<string, { documentId: string; title: string; url: string | null }>(
      originalIds.length
        ? (
            await strapi.db.query(UID.announcement).findMany({
              where: { documentId: { $in: originalIds }, publishedAt: { $notNull: true } },
              select: ['documentId', 'title', 'url'],
            })
          )
            .map(feedOriginalFromRow)
            .map((row) => [row.documentId, row])
        : []
    );
    const locale = localeOf(config.defaultLocale);

    const dateOf = (item: FeedAnnouncement) => item.sendAt ?? item.publishedAt;
    // A fixed date for an empty feed keeps its ETag stable between requests.
    const lastModified = announcements.length ? new Date(Math.max(...announcements.map((a) => dateOf(a).getTime()))) : new Date(0);

    const feed = new Feed({
      id: feedUrl('feed.atom'),
      title: config.feed.title ?? `${config.town.name}: Nachrichten`,
      description: config.feed.description ?? `Neuigkeiten aus ${config.town.name}`,
      link: config.feed.siteUrl ?? base,
      language: config.defaultLocale,
      updated: lastModified,
      generator: 'strapi-plugin-town-crier',
      copyright: config.town.name,
      feedLinks: { rss: feedUrl('feed.xml'), atom: feedUrl('feed.atom') },
      // Atom requires an author on the feed or on every entry; the town speaks, nobody else.
      author: { name: config.town.name, link: config.feed.siteUrl ?? base },
    });
    for (const announcement of announcements) {
      const original = announcement.updateOf ? originals.get(announcement.updateOf) : undefined;
      const followUp = original ? { kind: announcement.followUpKind ?? 'update', originalTitle: original.title } : undefined;
      const originalLink = original
        ? original.url
          ? `<p><a href="${escapeHtml(original.url)}" rel="related">${escapeHtml(followUpTexts.original[locale])}: ${escapeHtml(original.title)}</a></p>`
          : `<p>${escapeHtml(followUpTexts.original[locale])}: ${escapeHtml(original.title)}</p>`
        : null;
      feed.addItem({
        title: titleWithFollowUp({ title: announcement.title, followUp }, locale),
        ...(originalLink
          ? { content: `${originalLink}\n${announcement.text.split(/\n{2,}/).map((part) => `<p>${escapeHtml(part.trim())}</p>`).join('\n')}` }
          : {}),
        // Announcements without a web article still need a link; the feed itself is the honest fallback.
        link: announcement.url ?? (config.feed.siteUrl ?? base),
        id: `urn:town-crier:announcement:${announcement.documentId}`,
        guid: `urn:town-crier:announcement:${announcement.documentId}`,
        date: dateOf(announcement),
        description: announcement.text,
        category: announcement.topics.map((topic) => ({ name: topic.name })),
      });
    }

    const body = format === 'rss' ? feed.rss2() : feed.atom1();
    return {
      body,
      contentType: format === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      lastModified,
    };
  },
});
