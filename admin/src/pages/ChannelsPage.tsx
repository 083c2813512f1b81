import { useIntl } from 'react-intl';
import { Box, Flex, Grid, Typography } from '@strapi/design-system';
import { PLUGIN_ID } from '../pluginId';
import { queries, useQuery, type ChannelStatus } from '../api/client';
import { useT } from '../hooks/useT';
import { useProblemLabel } from '../hooks/useProblemLabel';
import { DATE_TIME, LIVE_BADGE, Pill, SANDBOX_BADGE, LoadError, Loading, Meter, Panel, channelName } from '../components/ui';
import { WhatsappAccountPanel } from '../components/WhatsappAccountPanel';
import { WarningSourcesPanel } from '../components/OfficialWarnings';

export const ChannelsPage = () => {
  const t = useT();
  const channels = useQuery(queries.channels(), { pollMs: 30_000 });
  if (channels.loading && !channels.data) return <Loading />;
  if (!channels.data) return channels.error ? <LoadError error={channels.error} onRetry={channels.reload} /> : null;
  if (channels.data.length === 0) return <Typography textColor="neutral600">{t('channels.none', 'No channel is set up.')}</Typography>;
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      {channels.data.map((channel) => (
        <ChannelCard key={channel.id} channel={channel} onChanged={channels.reload} />
      ))}
      <WarningSourcesPanel />
    </Flex>
  );
};

const ChannelCard = ({ channel, onChanged }: { channel: ChannelStatus; onChanged(): void | Promise<void> }) => {
  const t = useT();
  const { formatDate, formatNumber } = useIntl();
  const when = (iso: string | null) => (iso ? formatDate(iso, DATE_TIME) : t('channels.never', 'never'));
  const limit = channel.dailyRecipientLimit;
  const usedPercent = limit ? Math.min(100, (channel.usedLast24h / limit) * 100) : 0;
  const problemLabel = useProblemLabel();
  // Older servers send only the English sentences; newer ones send codes the admin words itself.
  // What Meta says about the WhatsApp account is shown in its own panel, in the admin's language.
  const problems = channel.issues.map(problemLabel);
  const sandbox = channel.enabled && channel.mode === 'sandbox';

  return (
    <Panel
      testId={`channel-${channel.id}`}
      title={
        <Flex gap={2} wrap="wrap">
          <span>{channelName(channel.id)}</span>
          <Pill tone={channel.enabled ? 'success' : 'neutral'}>{channel.enabled ? t('channels.enabled', 'on') : t('channels.disabled', 'off')}</Pill>
          {/* A switched-off channel sends nothing either way: its mode would only alarm. */}
          {channel.enabled && (
            <span data-testid="channel-mode" style={sandbox ? SANDBOX_BADGE : LIVE_BADGE}>
              {sandbox ? t('channels.sandbox', 'Sandbox') : t('channels.live', 'live')}
            </span>
          )}
        </Flex>
      }
    >
      <Flex direction="column" alignItems="stretch" gap={4}>
        {!channel.enabled && (
          <Typography textColor="neutral600" data-testid="channel-off">
            {t('channels.off', 'Switched off in the plugin configuration: this channel is not offered on the sign-up page and sends nothing.')}
          </Typography>
        )}
        {sandbox && (
          <Box background="warning100" borderColor="warning600" borderStyle="solid" borderWidth="1px" hasRadius padding={3} data-testid="channel-sandbox-warning">
            <Typography textColor="neutral800" fontWeight="bold">
              {t('channels.sandboxWarning', 'Nothing reaches citizens: messages only land in the sandbox outbox. Use the sandbox phone to see them.')}
            </Typography>
          </Box>
        )}
        {problems.length > 0 && (
          <Box background="danger100" hasRadius padding={3} data-testid="channel-problems">
            <Flex direction="column" alignItems="flex-start" gap={1} tag="ul">
              {problems.map((problem) => (
                <Typography key={problem} tag="li" textColor="danger700" fontWeight="bold">
                  ⚠ {problem}
                </Typography>
              ))}
            </Flex>
          </Box>
        )}
        <Grid.Root gap={4}>
          <Fact label={t('channels.configured', 'Configured')} testId="channel-configured">
            <Typography textColor={channel.configured ? 'success600' : 'danger600'} fontWeight="bold">
              {channel.configured ? t('common.yes', 'yes') : t('common.no', 'no')}
            </Typography>
          </Fact>
          <Fact label={t('channels.lastWebhook', 'Last webhook received')} testId="channel-last-webhook">
            <Typography>{when(channel.lastWebhookAt)}</Typography>
          </Fact>
          <Fact label={t('channels.lastVerifiedWebhook', 'Last verified webhook')} testId="channel-last-verified">
            <Typography>{when(channel.lastVerifiedWebhookAt)}</Typography>
          </Fact>
          <Fact label={t('channels.templates', 'Templates')} testId="channel-templates">
            <Typography>
              {t('channels.template.announcement', 'Announcement: {name}', { name: channel.templates.announcement ?? '–' })}
              <br />
              {t('channels.template.confirmation', 'Confirmation: {name}', { name: channel.templates.confirmation ?? '–' })}
            </Typography>
          </Fact>
          <Fact label={t('channels.rate', 'Speed')} testId="channel-rate">
            <Typography>{t('channels.rate.value', '{count} messages per second', { count: channel.messagesPerSecond })}</Typography>
          </Fact>
          <Fact label={t('channels.dailyLimit', 'Daily reach limit (last 24 h)')} testId="channel-daily-limit">
            <Flex direction="column" alignItems="stretch" gap={1}>
              <Typography>
                {limit
                  ? t('channels.dailyLimit.used', '{used} of {limit} used', { used: formatNumber(channel.usedLast24h), limit: formatNumber(limit) })
                  : t('channels.dailyLimit.none', '{used} sent, no limit', { used: formatNumber(channel.usedLast24h) })}
              </Typography>
              {limit ? <Meter percent={usedPercent} colour={usedPercent >= 90 ? '#d02b20' : '#4945ff'} label={t('channels.dailyLimit', 'Daily reach limit (last 24 h)')} /> : null}
            </Flex>
          </Fact>
        </Grid.Root>
        {channel.whatsapp && (channel.mode === 'live' || channel.whatsapp.fetchedAt) && <WhatsappAccountPanel account={channel.whatsapp} onChanged={onChanged} />}
      </Flex>
    </Panel>
  );
};

const Fact = ({ label, children, testId }: { label: string; children: React.ReactNode; testId: string }) => (
  <Grid.Item col={4} s={6} xs={12} direction="column" alignItems="flex-start" data-testid={testId}>
    <Typography variant="sigma" textColor="neutral600">
      {label}
    </Typography>
    {children}
  </Grid.Item>
);
