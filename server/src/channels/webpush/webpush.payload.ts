import { createHash } from 'node:crypto';
import type { AnnouncementContent } from '../channel';
import { titleWithFollowUp } from '../../messages/texts';
import { shorten } from '../../utils/shorten';
import type { Language } from '../../../../shared/languages';

/** What the service worker (server/src/signup/service-worker.ts) reads from each push. */
export interface WebpushPayload {
  title: string;
  body: string;
  url: string | null;
  icon: string | null;
  urgency: AnnouncementContent['urgency'];
  /** Same as the `Topic` header: the device replaces an older notification about the same news. */
  tag: string;
  /** POSTed by the notification's "abbestellen" action (JSON `{ token }`). */
  unsubscribeUrl: string | null;
  unsubscribeToken: string | null;
  locale: Language;
}

/** Short enough for a notification; push services take about 4 kB of encrypted payload in all. */
export const MAX_BODY_CHARS = 280;


/**
 * RFC 8030 `Topic`: at most 32 characters of the base64url alphabet. Derived from the article's
 * link (or its title when it has none), so a corrected re-publish replaces the first on devices
 * that have not shown it yet.
 */
export function topicOf(content: Pick<AnnouncementContent, 'url' | 'title'>): string {
  return createHash('sha256')
    .update(content.url ?? `title:${content.title}`)
    .digest('base64url')
    .slice(0, 32);
}

export function announcementPayload(
  content: AnnouncementContent,
  options: { icon: string | null; unsubscribeUrl: string | null; unsubscribeToken: string | null; locale: Language }
): WebpushPayload {
  return {
    // A follow-up says which news it continues: "Entwarnung: Sturmwarnung – Sturm vorbei".
    title: shorten(titleWithFollowUp(content, options.locale), 120),
    body: shorten(content.text.replace(/\s+/g, ' ').trim(), MAX_BODY_CHARS),
    url: content.url,
    icon: options.icon,
    urgency: content.urgency,
    tag: topicOf(content),
    unsubscribeUrl: options.unsubscribeUrl,
    unsubscribeToken: options.unsubscribeToken,
    locale: options.locale,
  };
}
