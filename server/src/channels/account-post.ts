import type { HashtagConfig } from './hashtags.config';
import { titleWithFollowUp, type Locale } from '../messages/texts';
import type { AnnouncementContent } from './channel';

/**
 * What the account channels (Mastodon, Bluesky) share: a post of title, text, link and
 * hashtags, cut to the platform's own measure without ever splitting a character a reader sees
 * as one (an emoji with its skin tone, a flag, a letter with a combining accent).
 */

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** The user-perceived characters (extended grapheme clusters) of a text. */
export const graphemesOf = (text: string): string[] => Array.from(segmenter.segment(text), (part) => part.segment);
export const graphemeCount = (text: string): number => {
  let n = 0;
  for (const _ of segmenter.segment(text)) n++;
  return n;
};
export const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

const ELLIPSIS = '…';

/**
 * Cuts `text` so that `fits(result)` holds, at a grapheme boundary, preferring the end of a word
 * when one is near, and marks the cut with `…`. `fits` is the platform's measure (graphemes,
 * bytes, or both), so one routine serves each. Answers '' when not even the ellipsis fits.
 */
export function cutToFit(text: string, fits: (candidate: string) => boolean): string {
  if (fits(text)) return text;
  const parts = graphemesOf(text);
  const fitsPrefix = (n: number) => fits(parts.slice(0, n).join('').trimEnd() + ELLIPSIS);
  // Galloping, then binary search for the longest prefix that fits with the ellipsis (the measure
  // only grows with length): candidates stay near the answer's size, so a long article costs
  // little more than a short one.
  let low = 0;
  let high = 1;
  while (high < parts.length && fitsPrefix(high)) {
    low = high;
    high *= 2;
  }
  high = Math.min(high, parts.length);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fitsPrefix(mid)) low = mid;
    else high = mid - 1;
  }
  if (low === 0) return fits(ELLIPSIS) ? ELLIPSIS : '';
  let kept = parts.slice(0, low);
  // Back to the last space when it costs at most a fifth of what is kept: words stay whole.
  const lastSpace = kept.lastIndexOf(' ');
  if (lastSpace > 0 && lastSpace >= kept.length * 0.8) kept = kept.slice(0, lastSpace);
  return kept.join('').trimEnd() + ELLIPSIS;
}

/** The hashtags for a news item: always, then per topic, then per village; each once, in that order. */
export function hashtagsFor(config: HashtagConfig, content: Pick<AnnouncementContent, 'topicSlugs' | 'villageSlugs'>): string[] {
  const tags = [...config.always];
  for (const slug of content.topicSlugs ?? []) tags.push(...(config.byTopic[slug] ?? []));
  for (const slug of content.villageSlugs ?? []) tags.push(...(config.byVillage[slug] ?? []));
  const seen = new Set<string>();
  return tags.filter((tag) => {
    const key = tag.toLocaleLowerCase('de');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const urgencyPrefix = {
  de: { emergency: '🚨 Eilmeldung: ', important: 'Wichtig: ' },
  en: { emergency: '🚨 Emergency: ', important: 'Important: ' },
  'de-x-ls': { emergency: '🚨 Gefahr: ', important: 'Wichtig: ' },
} as const;

/** The post's parts before cutting: the headline (with follow-up and urgency words), the text, the link, the hashtags. */
export interface PostParts {
  headline: string;
  text: string;
  url: string | null;
  hashtags: string[];
}

export function postParts(content: AnnouncementContent, locale: Locale, hashtags: string[]): PostParts {
  const allClear = content.followUp?.kind === 'all-clear';
  const prefix = allClear ? '✅ ' : content.urgency === 'emergency' || content.urgency === 'important' ? urgencyPrefix[locale][content.urgency] : '';
  return {
    headline: `${prefix}${titleWithFollowUp(content, locale)}`.trim(),
    text: content.text.replace(/\r\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim(),
    url: content.url,
    hashtags,
  };
}

/**
 * The post as one text: headline, text, link, hashtags, separated by blank lines. Only the text
 * is cut (then the headline, should the rest alone be too long): the link and the hashtags stay,
 * so the post always leads to the full news.
 */
export function composePost(parts: PostParts, fits: (candidate: string) => boolean): { text: string; linkStart: number | null } {
  const tail = [parts.url, parts.hashtags.length ? parts.hashtags.map((tag) => `#${tag}`).join(' ') : null].filter((part): part is string => Boolean(part));
  const join = (headline: string, text: string) => [headline, text, ...tail].filter(Boolean).join('\n\n');
  let headline = parts.headline;
  let text = parts.text;
  if (!fits(join(headline, text))) {
    const withoutText = join(headline, '');
    if (fits(withoutText)) {
      text = cutToFit(text, (candidate) => fits(join(headline, candidate)));
    } else {
      text = '';
      headline = cutToFit(headline, (candidate) => fits(join(candidate, '')));
    }
  }
  const full = join(headline, text);
  // Where the link starts, in UTF-16 units of the composed text (Bluesky turns it into a byte range).
  const linkStart = parts.url ? full.lastIndexOf(parts.url) : null;
  return { text: full, linkStart: linkStart !== null && linkStart >= 0 ? linkStart : null };
}

/** A message an account channel cannot carry (a confirmation, a one-to-one text): nobody subscribes there. */
export class AccountPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountPayloadError';
  }
}
