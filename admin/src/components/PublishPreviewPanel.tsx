import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Flex, Link as DSLink, Typography } from '@strapi/design-system';
import { PLUGIN_ID } from '../pluginId';
import { useApi } from '../api/useApi';
import type { PublishPreview } from '../api/types';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { useReasonLabel } from '../hooks/useReasonLabel';
import { BroadcastProgress, StatusBadge, channelName } from './ui';

/** The part of the content manager's edit-view context this panel reads. */
export interface EditViewPanelProps {
  model: string;
  documentId?: string;
  document?: { locale?: string | null; updatedAt?: string | null } & Record<string, unknown>;
  activeTab: 'draft' | 'published' | null;
  collectionType: string;
}

const IN_PROGRESS = ['scheduled', 'queued', 'sending', 'paused'];

/**
 * Content-manager side panel: what Publish will do for this entry, and after publishing, how
 * far its broadcast got. Registered for every content type; it answers null (no panel) for
 * types the plugin does not broadcast, for roles without broadcasts.manage, and while loading.
 */
export const PublishPreviewPanel = (props: EditViewPanelProps): { title: string; content: ReactNode } | null => {
  const t = useT();
  const permissions = usePluginPermissions();
  const reasonLabel = useReasonLabel();
  const query = new URLSearchParams({ uid: props.model });
  if (props.documentId) query.set('documentId', props.documentId);
  if (props.document?.locale) query.set('locale', String(props.document.locale));
  const [settled, setSettled] = useState(false);
  // Nothing to follow on a type the plugin does not broadcast, or once the broadcast has ended.
  const preview = useApi<PublishPreview>(permissions.manageBroadcasts ? `/${PLUGIN_ID}/preview?${query.toString()}` : null, {
    pollMs: settled ? undefined : 10_000,
  });
  const nowSettled =
    preview.data?.reason === 'not-mapped' || (preview.data?.announcement != null && !IN_PROGRESS.includes(preview.data.announcement.broadcastStatus ?? ''));
  useEffect(() => setSettled(nowSettled), [nowSettled]);
  const { reload } = preview;
  const updatedAt = props.document?.updatedAt;
  // A save or publish changes updatedAt: read the preview again at once rather than at the next poll.
  const seenUpdatedAt = useRef(updatedAt);
  useEffect(() => {
    if (seenUpdatedAt.current === updatedAt) return;
    seenUpdatedAt.current = updatedAt;
    reload();
  }, [updatedAt, reload]);

  const data = preview.data;
  if (!data || data.reason === 'not-mapped') return null;
  const title = t('panel.title', 'Town Crier');

  if (data.announcement) {
    const announcement = data.announcement;
    return {
      title,
      content: (
        <Flex direction="column" alignItems="stretch" gap={2} data-testid="town-crier-panel">
          <Flex gap={2}>
            <Typography variant="omega">{t('panel.broadcast', 'Broadcast')}</Typography>
            <StatusBadge status={announcement.broadcastStatus} />
          </Flex>
          <BroadcastProgress counters={announcement} compact />
          {announcement.statusReason && IN_PROGRESS.includes(announcement.broadcastStatus ?? '') && (
            <Typography variant="pi" textColor="neutral600">
              {reasonLabel(announcement.statusReason)}
            </Typography>
          )}
          <DSLink tag={Link} to={`/plugins/${PLUGIN_ID}/broadcasts/${announcement.documentId}`}>
            {IN_PROGRESS.includes(announcement.broadcastStatus ?? '') ? t('panel.follow', 'Follow the broadcast') : t('panel.open', 'Open the broadcast')}
          </DSLink>
        </Flex>
      ),
    };
  }

  if (!data.broadcasts) {
    return {
      title,
      content: (
        <Typography variant="pi" textColor="neutral600" data-testid="town-crier-panel">
          {data.reason === 'skip-flag'
            ? t('panel.skip', 'Publishing will not send a message: this entry is marked not to be broadcast.')
            : t('panel.already', 'This entry has been broadcast already; publishing again sends nothing.')}
        </Typography>
      ),
    };
  }

  const channels = Object.entries(data.recipients.byChannel).filter(([, count]) => count > 0);
  const channelList = channels.map(([channel]) => channelName(channel)).join(', ') || channelName('whatsapp');
  const values = { total: data.recipients.total, channels: channelList, topic: data.topic?.name ?? '' };
  const limited = Object.entries(data.dailyLimit).filter(([, limit]) => limit.later > 0);

  return {
    title,
    content: (
      <Flex direction="column" alignItems="stretch" gap={2} data-testid="town-crier-panel">
        <Typography variant="omega" data-testid="town-crier-panel-summary">
          {data.recipients.total === 0
            ? t('panel.nobody', 'Publishing sends nothing yet: no subscriber follows this topic.')
            : data.topic
              ? t('panel.goesToTopic', 'Publishing sends this to {total} subscribers on {channels}, topic {topic}.', values)
              : t('panel.goesTo', 'Publishing sends this to {total} subscribers on {channels}.', values)}
        </Typography>
        {data.unmatchedTopics?.length ? (
          <Typography variant="pi" textColor="warning700" data-testid="town-crier-panel-unmatched-topic">
            {t('panel.unmatchedTopic', 'No topic is called “{values}”: the news goes to every subscriber. Create the topic or choose another one.', {
              values: data.unmatchedTopics.join('”, “'),
            })}
          </Typography>
        ) : null}
        {data.missingLinkFields?.length ? (
          <Typography variant="pi" textColor="warning700" data-testid="town-crier-panel-missing-link">
            {t('panel.missingLink', 'The link to the article is incomplete: {fields} is empty. Fill it in before publishing.', {
              fields: data.missingLinkFields.join(', '),
            })}
          </Typography>
        ) : null}
        {limited.map(([channel, limit]) => (
          <Typography key={channel} variant="pi" textColor="warning700" data-testid="town-crier-panel-limit">
            {t('panel.dailyLimit', '{channel}: {now} today, the other {later} tomorrow because of the daily limit.', {
              channel: channelName(channel),
              now: limit.sendableNow,
              later: limit.later,
            })}
          </Typography>
        ))}
      </Flex>
    ),
  };
};
