import { useIntl } from 'react-intl';
import { Link, useParams } from 'react-router-dom';
import { Box, Flex, Grid, Link as DSLink, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { ArrowLeft } from '@strapi/icons';
import { FINISHED_RUN_STATES, isStateIn } from '../../../shared/contracts/broadcasts';
import { queries, useQuery } from '../api/client';
import { useT } from '../hooks/useT';
import { useReasonLabel } from '../hooks/useReasonLabel';
import { BroadcastProgress, DATE_TIME, LoadError, Loading, Panel, ProgressLegend, StatCard, StatusBadge } from '../components/ui';
import { BroadcastActions } from '../components/BroadcastActions';
import { ApprovalLine } from '../components/Approval';
import { BroadcastCostPanel } from '../components/CostPanels';
import { WhatsappChannelHandoffPanel } from '../components/AccountPosts';
import { FollowUpLabel } from './BroadcastsPage';

export const BroadcastDetailPage = () => {
  const t = useT();
  const { formatDate, formatNumber, locale } = useIntl();
  const reasonLabel = useReasonLabel();
  const { documentId } = useParams<{ documentId: string }>();
  const detail = useQuery(queries.broadcast(documentId ?? ''), { pollMs: 5000 });

  const back = (
    <DSLink tag={Link} to=".." relative="path" startIcon={<ArrowLeft />}>
      {t('detail.back', 'All broadcasts')}
    </DSLink>
  );

  if (detail.loading && !detail.data) return <Loading />;
  if (!detail.data)
    return (
      <Flex direction="column" alignItems="stretch" gap={4}>
        {back}
        {detail.error && <LoadError error={detail.error} onRetry={detail.reload} />}
      </Flex>
    );

  const broadcast = detail.data;
  const finished = isStateIn(FINISHED_RUN_STATES, broadcast.broadcastStatus);
  const open = Math.max(0, broadcast.recipients - broadcast.sent - broadcast.failed - broadcast.skipped);
  const time = (iso: string) => formatDate(iso, DATE_TIME);

  return (
    <Flex direction="column" alignItems="stretch" gap={6} data-testid="broadcast-detail">
      {back}
      <Panel
        title={
          <Flex gap={3}>
            <span data-testid="detail-title">{broadcast.title}</span>
            <StatusBadge status={broadcast.broadcastStatus} />
          </Flex>
        }
      >
        <Flex direction="column" alignItems="stretch" gap={4}>
          <BroadcastProgress counters={broadcast} />
          <ProgressLegend />
          {broadcast.waiting && !finished && (
            <Box background="warning100" padding={3} hasRadius data-testid="detail-waiting">
              <Typography textColor="neutral800">
                {reasonLabel(broadcast.waiting.reason)}
                {broadcast.waiting.until ? ` · ${t('broadcasts.until', 'until {time}', { time: time(broadcast.waiting.until) })}` : ''}
              </Typography>
            </Box>
          )}
          {!broadcast.waiting && broadcast.statusReason && (
            <Typography textColor="neutral600" data-testid="detail-reason">
              {reasonLabel(broadcast.statusReason)}
            </Typography>
          )}
          <ApprovalLine broadcast={broadcast} />
          {broadcast.runs.length > 1 || broadcast.runs.some((run) => run.later > 0) ? (
            <Flex direction="column" alignItems="stretch" gap={1} data-testid="detail-runs">
              {broadcast.runs.map((run) => (
                <Typography key={run.channel} variant="pi" data-testid={`detail-run-${run.channel}`}>
                  <StatusBadge status={run.state} /> {run.channel}
                  {run.reason ? ` · ${reasonLabel(run.reason)}` : ''}
                  {run.later > 0 ? ` · ${t('detail.runSplit', '{today} today, {later} later', { today: run.today, later: run.later })}` : ''}
                </Typography>
              ))}
            </Flex>
          ) : null}
          <BroadcastActions broadcast={broadcast} onDone={detail.reload} />
        </Flex>
      </Panel>

      <Grid.Root gap={4}>
        {(
          [
            ['recipients', t('detail.recipients', 'Recipients'), broadcast.recipients],
            ['open', t('detail.open', 'Still to send'), open],
            ['failed', t('detail.failed', 'Failed'), broadcast.failed],
            ['skipped', t('detail.skipped', 'Skipped (left or cancelled)'), broadcast.skipped],
          ] as const
        ).map(([key, label, value]) => (
          <Grid.Item key={key} col={3} s={6} xs={12} direction="column" alignItems="stretch">
            <StatCard testId={`detail-${key}`} label={label} value={formatNumber(value)} />
          </Grid.Item>
        ))}
      </Grid.Root>

      {broadcast.thread.length > 0 && (
        // A thread is one story: the original and every update and all-clear, oldest first.
        <Panel title={t('detail.thread', 'The whole story')} testId="detail-thread">
          <Flex direction="column" alignItems="stretch" gap={3} tag="ol">
            {broadcast.thread.map((member) => (
              <Flex tag="li" key={member.documentId} gap={3} alignItems="flex-start" justifyContent="space-between" data-testid={`thread-member-${member.documentId}`}>
                <Flex direction="column" alignItems="flex-start" gap={1} style={{ minWidth: 0, paddingLeft: member.followUpKind ? 16 : 0 }}>
                  {member.followUpKind ? <FollowUpLabel kind={member.followUpKind} /> : <Typography variant="sigma" textColor="neutral600">{t('followUp.label.original', 'Original')}</Typography>}
                  {member.current ? (
                    <Typography fontWeight="bold">{member.title}</Typography>
                  ) : (
                    <DSLink tag={Link} to={`../${member.documentId}`} relative="path">
                      {member.title}
                    </DSLink>
                  )}
                  {member.publishedAt && <Typography variant="pi" textColor="neutral600">{time(member.publishedAt)}</Typography>}
                </Flex>
                <Flex gap={2} alignItems="center">
                  <Typography variant="pi" textColor="neutral700">
                    {t('detail.threadReach', '{sent} of {recipients} sent', { sent: member.sent, recipients: member.recipients })}
                  </Typography>
                  <StatusBadge status={member.broadcastStatus} />
                </Flex>
              </Flex>
            ))}
          </Flex>
        </Panel>
      )}
      <Panel title={t('detail.timing', 'Timing')}>
        <Flex direction="column" alignItems="flex-start" gap={1}>
          {broadcast.publishedAt && <Typography>{t('detail.publishedAt', 'Published: {time}', { time: time(broadcast.publishedAt) })}</Typography>}
          <Typography data-testid="detail-estimated-finish">
            {finished
              ? t('detail.finished', 'Finished.')
              : broadcast.estimatedFinishAt
                ? t('detail.estimatedFinish', 'Estimated finish: {time}', { time: time(broadcast.estimatedFinishAt) })
                : t('detail.estimatedFinish.unknown', 'Estimated finish: not known yet')}
          </Typography>
        </Flex>
      </Panel>

      <WhatsappChannelHandoffPanel documentId={broadcast.documentId} />

      <BroadcastCostPanel cost={broadcast.cost} />

      <Panel title={t('detail.failures', 'Failures by error code')} testId="detail-failures">
        {broadcast.failuresByCode.length === 0 ? (
          <Typography textColor="neutral600">{t('detail.failures.none', 'No message has failed.')}</Typography>
        ) : (
          <Table colCount={3} rowCount={broadcast.failuresByCode.length + 1}>
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">{t('detail.failures.code', 'Code')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('detail.failures.count', 'Messages')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('detail.failures.explanation', 'What it means')}</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {broadcast.failuresByCode.map((failure) => (
                <Tr key={`${failure.code}-${failure.errorClass}`} data-testid={`failure-${failure.code}`}>
                  <Td>
                    <Flex direction="column" alignItems="flex-start">
                      <Typography fontWeight="bold">{failure.code}</Typography>
                      <Typography variant="pi" textColor="neutral600">
                        {failure.errorClass}
                      </Typography>
                    </Flex>
                  </Td>
                  <Td>
                    <Typography>{formatNumber(failure.count)}</Typography>
                  </Td>
                  <Td>
                    <Typography>{failure.explanations[locale.startsWith('de') ? 'de' : 'en']}</Typography>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
        {broadcast.runs
          .filter((run) => (run.becameUnreachable ?? 0) > 0)
          .map((run) => (
            <Box key={run.channel} paddingTop={3} data-testid={`detail-unreachable-${run.channel}`}>
              <Typography textColor="neutral800">
                {t('detail.unreachable', '{count} citizens can no longer be reached on {channel}; later news skips them there.', {
                  count: formatNumber(run.becameUnreachable ?? 0),
                  channel: run.channel,
                })}
              </Typography>
              {run.unreachableHintSent !== undefined && (
                <Typography textColor="neutral800" data-testid={`detail-unreachable-hint-${run.channel}`}>
                  {' '}
                  {t('detail.unreachableHint', 'Hint sent on another channel from the same sign-up: {sent}. Not possible: {notPossible} (no other confirmed channel from the same sign-up, or the hint is switched off). Point these people to the website and the other channels in your own communication.', {
                    sent: formatNumber(run.unreachableHintSent),
                    notPossible: formatNumber(run.unreachableHintNotPossible ?? 0),
                  })}
                </Typography>
              )}
            </Box>
          ))}
      </Panel>
    </Flex>
  );
};
