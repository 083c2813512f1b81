import { useState } from 'react';
import { Box, Button, Flex, Link as DSLink, Typography } from '@strapi/design-system';
import { useNotification } from '@strapi/strapi/admin';
import { queries, toApiError, useAdminClient, useQuery, type AccountPostPreview } from '../api/client';
import { useT } from '../hooks/useT';
import { Panel, channelName, useDateTime } from './ui';

/** Each platform's own colours; its name is the shared channel name (ui.tsx `channelName`). */
const PLATFORM_COLOURS = {
  mastodon: { color: '#563acc', background: '#f3f0ff' },
  bluesky: { color: '#0a6ad6', background: '#eef6ff' },
  activitypub: { color: '#1f5f8b', background: '#eef5fa' },
} as const;

/** The one post each account channel makes, drawn like the platform's timeline: the account, the text, the link, the length. */
export const AccountPostCards = ({ posts }: { posts: AccountPostPreview[] }) => {
  const t = useT();
  if (!posts.length) return null;
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid="town-crier-account-posts">
      {posts.map((post) => {
        if (post.channel === 'activitypub') return <FediverseNote key={post.channel} post={post} />;
        const platform = { name: channelName(post.channel), ...PLATFORM_COLOURS[post.channel] };
        return (
          <div key={post.channel} style={{ background: platform.background, borderRadius: 8, padding: 8, width: '100%' }} data-testid={`town-crier-account-post-${post.channel}`}>
            <Typography variant="pi" style={{ display: 'block', marginBottom: 4, color: platform.color, fontWeight: 600 }}>
              {t('accounts.postOn', 'On {platform} the town’s account {account} posts:', { platform: platform.name, account: post.account })}
            </Typography>
            <div style={{ background: '#ffffff', borderRadius: 8, padding: '6px 8px' }}>
              <Typography style={{ whiteSpace: 'pre-wrap', fontSize: 13, overflowWrap: 'anywhere' }}>{post.text}</Typography>
            </div>
            <Typography variant="pi" textColor={post.limit !== null && post.length > post.limit ? 'danger700' : 'neutral600'} style={{ display: 'block', marginTop: 2, textAlign: 'right' }}>
              {post.channel === 'mastodon'
                ? t('accounts.lengthMastodon', '{length} of {limit} characters (a link counts 23)', { length: post.length, limit: post.limit })
                : t('accounts.lengthBluesky', '{length} of {limit} characters', { length: post.length, limit: post.limit })}
            </Typography>
          </div>
        );
      })}
    </Flex>
  );
};

/**
 * The town's own actor's Note as a follower's Mastodon shows it: the display name and the handle
 * above, "replying to" for a follow-up, the title in bold (the Note's `<strong>`), the paragraphs,
 * and the link as a link. The text comes as the Note's paragraphs, title first.
 */
const FediverseNote = ({ post }: { post: AccountPostPreview }) => {
  const t = useT();
  const platform = PLATFORM_COLOURS.activitypub;
  const [title, ...paragraphs] = post.text.split(/\n{2,}/);
  return (
    <div style={{ background: platform.background, borderRadius: 8, padding: 8, width: '100%' }} data-testid="town-crier-account-post-activitypub">
      <Typography variant="pi" style={{ display: 'block', marginBottom: 4, color: platform.color, fontWeight: 600 }}>
        {t('accounts.fediverse', 'On Mastodon and the rest of the Fediverse, the followers of {account} read:', { account: post.account })}
      </Typography>
      <div style={{ background: '#ffffff', borderRadius: 8, padding: '8px 10px' }}>
        <Flex gap={2} alignItems="center" style={{ marginBottom: 6 }}>
          <span aria-hidden style={{ display: 'inline-flex', width: 32, height: 32, borderRadius: 6, background: platform.color, color: '#ffffff', alignItems: 'center', justifyContent: 'center', fontWeight: 700, flex: '0 0 auto' }}>
            {(post.name ?? post.account.replace(/^@/, '')).charAt(0).toUpperCase()}
          </span>
          <Flex direction="column" alignItems="flex-start" style={{ minWidth: 0 }}>
            <Typography fontWeight="bold" style={{ fontSize: 13, overflowWrap: 'anywhere' }} data-testid="fediverse-note-name">
              {post.name ?? post.account}
            </Typography>
            <Typography variant="pi" textColor="neutral600" style={{ overflowWrap: 'anywhere' }} data-testid="fediverse-note-handle">
              {post.account}
            </Typography>
          </Flex>
        </Flex>
        {post.replyTo && (
          <Typography variant="pi" textColor="neutral600" style={{ display: 'block', marginBottom: 4 }} data-testid="fediverse-note-reply">
            ↩ {t('accounts.replyTo', 'Reply in the thread of “{title}”', { title: post.replyTo })}
          </Typography>
        )}
        <div data-testid="fediverse-note-text">
          <Typography tag="p" fontWeight="bold" style={{ fontSize: 13, overflowWrap: 'anywhere', margin: '0 0 6px' }}>
            {title}
          </Typography>
          {paragraphs.map((paragraph, index) =>
            post.link && paragraph === post.link ? (
              <p key={index} style={{ margin: '0 0 6px', fontSize: 13, overflowWrap: 'anywhere' }}>
                <a href={post.link} target="_blank" rel="noreferrer" style={{ color: platform.color }} data-testid="fediverse-note-link">
                  {post.link}
                </a>
              </p>
            ) : (
              <Typography key={index} tag="p" style={{ whiteSpace: 'pre-wrap', fontSize: 13, overflowWrap: 'anywhere', margin: '0 0 6px' }}>
                {paragraph}
              </Typography>
            )
          )}
        </div>
      </div>
      <Typography variant="pi" textColor="neutral600" style={{ display: 'block', marginTop: 2, textAlign: 'right' }}>
        {t('accounts.fediverseWhole', 'The whole news, without a length limit')}
      </Typography>
    </div>
  );
};

/** Copies a text to the clipboard, saying so. */
export const CopyButton = ({ text, testId }: { text: string; testId?: string }) => {
  const t = useT();
  const { toggleNotification } = useNotification();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      toggleNotification({ type: 'success', message: t('whatsappChannel.copied', 'Copied. Paste it in your WhatsApp Channel.') });
    } catch {
      toggleNotification({ type: 'warning', message: t('whatsappChannel.copyFailed', 'The browser did not allow copying: select the text and copy it by hand.') });
    }
  };
  return (
    <Button variant="secondary" size="S" onClick={copy} data-testid={testId}>
      {t('whatsappChannel.copy', 'Copy text')}
    </Button>
  );
};

/** The text for the town's WhatsApp Channel, as WhatsApp will show it (the stars make bold), with a copy button. */
export const WhatsappChannelText = ({ text }: { text: string }) => (
  <Flex direction="column" alignItems="stretch" gap={2}>
    <div style={{ background: '#ece5dd', borderRadius: 8, padding: 8 }}>
      <div style={{ background: '#ffffff', borderRadius: 8, padding: '6px 8px' }} data-testid="whatsapp-channel-text">
        <Typography style={{ whiteSpace: 'pre-wrap', fontSize: 13, overflowWrap: 'anywhere' }}>{text}</Typography>
      </div>
    </div>
    <Flex>
      <CopyButton text={text} testId="whatsapp-channel-copy" />
    </Flex>
  </Flex>
);

/**
 * The WhatsApp Channel hand-off of one broadcast: Meta offers no API for Channels, so an editor
 * copies the text, posts it by hand and ticks "posted", which records who and when.
 */
export const WhatsappChannelHandoffPanel = ({ documentId, compact = false }: { documentId: string; compact?: boolean }) => {
  const t = useT();
  const dateTime = useDateTime();
  const client = useAdminClient();
  const { toggleNotification } = useNotification();
  const handoff = useQuery(queries.whatsappChannel(documentId));
  const [busy, setBusy] = useState(false);
  const data = handoff.data;
  if (!data?.enabled) return null;

  const tick = async (posted: boolean) => {
    setBusy(true);
    try {
      await client.markWhatsappChannel(documentId, { posted });
      await handoff.reload();
    } catch (error) {
      toggleNotification({ type: 'danger', message: toApiError(error).message });
    } finally {
      setBusy(false);
    }
  };

  const body = (
    <Flex direction="column" alignItems="stretch" gap={3} data-testid="whatsapp-channel-handoff">
      <Typography variant="pi" textColor="neutral700">
        {t('whatsappChannel.explain', 'WhatsApp offers no way to post to a Channel automatically: copy the text, post it in your Channel, then tick it here.')}
      </Typography>
      <WhatsappChannelText text={data.text} />
      {data.channelUrl && (
        <DSLink href={data.channelUrl} isExternal>
          {t('whatsappChannel.open', 'Open the Channel in WhatsApp')}
        </DSLink>
      )}
      {data.posted ? (
        <Flex gap={2} alignItems="center" data-testid="whatsapp-channel-posted">
          <Typography textColor="success700">
            ✓{' '}
            {t('whatsappChannel.postedBy', 'Posted to the Channel on {time} by {name}.', {
              time: dateTime(data.posted.at),
              name: data.posted.by ?? t('whatsappChannel.someone', 'an editor'),
            })}
          </Typography>
          <Button variant="tertiary" size="S" disabled={busy} onClick={() => tick(false)}>
            {t('whatsappChannel.untick', 'Undo')}
          </Button>
        </Flex>
      ) : (
        <Flex>
          <Button variant="default" size="S" disabled={busy} onClick={() => tick(true)} data-testid="whatsapp-channel-tick">
            {t('whatsappChannel.tick', 'Posted to the Channel')}
          </Button>
        </Flex>
      )}
    </Flex>
  );
  return compact ? <Box paddingTop={2}>{body}</Box> : <Panel title={t('whatsappChannel.title', 'WhatsApp Channel')} testId="detail-whatsapp-channel">{body}</Panel>;
};
