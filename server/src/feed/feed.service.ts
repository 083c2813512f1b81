import { createHash } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { Feed } from 'feed';
import { UID } from '../constants';
import { getService } from '../utils/get-service';

export type FeedFormat = 'rss' | 'atom';

export interface RenderedFeed {
  body: string;
  contentType: string;
  etag: string;
  lastModified: Date;
}

interface FeedAnnouncement {
  documentId: string;
  title: string;
  text: string;
  url: string | null;
  publishedAt: string | Date;
  sendAt: string | Date | null;
  topics?: Array<{ name: string }>;
}

/**
 * The privacy-friendly channel nobody signs up for: a public RSS/Atom feed of the announcements
 * whose broadcast has started. It is built from announcement fields only, so it holds no
 * personal data by construction.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async render(format: FeedFormat): Promise<RenderedFeed> {
    const config = getService(strapi, 'runtime').config();
    const base = config.publicUrl.replace(/\/$/, '');
    const feedUrl = (suffix: string) => `${base}/api/town-crier/${suffix}`;

    const announcements = (await strapi.db.query(UID.announcement).findMany({
      where: { publishedAt: { $notNull: true }, broadcastStatus: { $in: ['sending', 'sent'] } },
      select: ['documentId', 'title', 'text', 'url', 'publishedAt', 'sendAt'],
      populate: { topics: { select: ['name'] } },
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      limit: config.feed.limit,
    })) as FeedAnnouncement[];

    const dateOf = (item: FeedAnnouncement) => new Date(item.sendAt ?? item.publishedAt);
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
      feed.addItem({
        title: announcement.title,
        // Announcements without a web article still need a link; the feed itself is the honest fallback.
        link: announcement.url ?? (config.feed.siteUrl ?? base),
        id: `urn:town-crier:announcement:${announcement.documentId}`,
        guid: `urn:town-crier:announcement:${announcement.documentId}`,
        date: dateOf(announcement),
        description: announcement.text,
        category: (announcement.topics ?? []).map((topic) => ({ name: topic.name })),
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
