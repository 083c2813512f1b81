import type { PluginConfig } from '../config/schema';
import type { AnnouncementContent } from '../channels/channel';
import { buildStatus, DEFAULT_MASTODON_LIMITS, mastodonLength } from '../channels/mastodon/mastodon.status';
import { buildPost, BLUESKY_MAX_GRAPHEMES } from '../channels/bluesky/bluesky.post';
import { graphemeCount } from '../channels/account-post';
import { noteHtml, noteText } from '../channels/activitypub/documents';
import { actorHandle } from '../activitypub/context';
import { accountAddress } from '../subscribers/account-subscribers';
import { whatsappChannelText } from '../whatsapp-channel/handoff.service';
import type { AccountPostPreview } from '../../../shared/contracts/admin-api';

/**
 * The side panel's and the sandbox's view of the account channels: the post each enabled account
 * will make from this content, built by the adapters' own functions (so the preview is the post).
 * Mastodon is measured against Mastodon's default of 500; a server with a higher limit cuts later.
 * The town's own actor (ActivityPub) has no limit: its Note is the whole news, as followers' servers show it.
 */
export function accountPostPreviews(config: PluginConfig, content: AnnouncementContent, locale: 'de' | 'en' | 'de-x-ls'): AccountPostPreview[] {
  const message = { kind: 'announcement' as const, to: '', deliveryRef: 'preview', content, locale };
  const posts: AccountPostPreview[] = [];
  if (config.channels.mastodon.enabled) {
    const status = buildStatus(message, { limits: DEFAULT_MASTODON_LIMITS, visibility: config.channels.mastodon.visibility, hashtags: config.channels.mastodon.hashtags });
    posts.push({ channel: 'mastodon', account: accountAddress('mastodon', config), text: status.status, link: content.url, length: mastodonLength(status.status), limit: DEFAULT_MASTODON_LIMITS.maxCharacters });
  }
  if (config.channels.bluesky.enabled) {
    const record = buildPost(message, { hashtags: config.channels.bluesky.hashtags });
    posts.push({ channel: 'bluesky', account: accountAddress('bluesky', config), text: record.text, link: content.url, length: graphemeCount(record.text), limit: BLUESKY_MAX_GRAPHEMES });
  }
  if (config.channels.activitypub.enabled) {
    // The Note as a follower's Mastodon shows it: the actor's name and handle, the text (title in bold), the link; a follow-up answers the first news.
    const actor = actorHandle(config);
    const text = noteText(noteHtml(content));
    posts.push({
      channel: 'activitypub',
      account: `@${actor.username}@${actor.domain}`,
      name: actor.name,
      text,
      link: content.url,
      replyTo: content.followUp?.originalTitle ?? null,
      length: text.length,
      limit: null,
    });
  }
  return posts;
}

export const whatsappChannelPreview = (config: PluginConfig, content: AnnouncementContent, locale: 'de' | 'en' | 'de-x-ls') =>
  config.whatsappChannel.enabled ? whatsappChannelText(content, locale) : null;
