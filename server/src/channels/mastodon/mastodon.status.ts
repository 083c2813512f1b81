import type { HashtagConfig } from '../hashtags.config';
import { localeOf } from '../../messages/texts';
import type { OutboundMessage } from '../channel';
import { composePost, graphemeCount, hashtagsFor, postParts } from '../account-post';

/** What `/api/v2/instance` says about statuses; Mastodon's own defaults when a server does not say. */
export interface MastodonLimits {
  maxCharacters: number;
  charactersReservedPerUrl: number;
}
export const DEFAULT_MASTODON_LIMITS: MastodonLimits = { maxCharacters: 500, charactersReservedPerUrl: 23 };

// Mastodon's own link pattern is Twitter's; any http(s) run up to whitespace is what we ever put in a post.
const URL_PATTERN = /https?:\/\/[^\s]+/g;

/**
 * A status's length as Mastodon counts it: user-perceived characters (grapheme clusters), with
 * every link counted as `charactersReservedPerUrl` (23) whatever its real length.
 */
export function mastodonLength(text: string, limits: MastodonLimits = DEFAULT_MASTODON_LIMITS): number {
  let urls = 0;
  const rest = text.replace(URL_PATTERN, () => {
    urls++;
    return '';
  });
  return graphemeCount(rest) + urls * limits.charactersReservedPerUrl;
}

/** The `POST /api/v1/statuses` parameters we send. */
export interface StatusParams {
  status: string;
  visibility: 'public' | 'unlisted' | 'private';
  language?: string;
  in_reply_to_id?: string;
}

/** ISO 639-1, as Mastodon wants `language`: Leichte Sprache is German. */
const languageOf = (locale: string | undefined) => (locale ? locale.slice(0, 2) : 'de');

export function buildStatus(message: Extract<OutboundMessage, { kind: 'announcement' }>, options: { limits: MastodonLimits; visibility: StatusParams['visibility']; hashtags: HashtagConfig }): StatusParams {
  const locale = localeOf(message.locale);
  const parts = postParts(message.content, locale, hashtagsFor(options.hashtags, message.content));
  const { text } = composePost(parts, (candidate) => mastodonLength(candidate, options.limits) <= options.limits.maxCharacters);
  // A follow-up answers the thread's latest post (the original, for the first follow-up): the story reads as one thread.
  const replyTo = message.threadMessageIds?.at(-1);
  return {
    status: text,
    visibility: options.visibility,
    language: languageOf(message.locale),
    ...(replyTo ? { in_reply_to_id: replyTo } : {}),
  };
}
