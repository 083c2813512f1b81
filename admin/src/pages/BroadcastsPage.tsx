import { Fragment, useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Box, Flex, Link as DSLink, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { useIsMobile } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../pluginId';
import { PAUSABLE_RUN_STATES, OPEN_RUN_STATES, isStateIn } from '../../../shared/contracts/broadcasts';
import { queries, useQuery, type Broadcast } from '../api/client';
import { useT } from '../hooks/useT';
import { useReasonLabel } from '../hooks/useReasonLabel';
import { BroadcastProgress, LoadError, Loading, Pager, Panel, ProgressLegend, StatusBadge, useDateTime } from '../components/ui';
import { BroadcastActions } from '../components/BroadcastActions';
import { ApprovalLine } from '../components/Approval';

const PAGE_SIZE = 20;

/**
 * Column widths of the list. Fixed layout with shares of the box, so the table is never wider
 * than the page (1280 px screens: about 1,070 px of content) and long texts wrap instead of
 * pushing the pause button out of sight. The estimated finish lives in the detail view.
 */
const COLUMNS = { title: '30%', status: '12%', progress: '24%', reason: '22%', actions: '12%' } as const;

/** Texts in a cell wrap: the design system's cells would otherwise keep a line as wide as its text. */
const Wrap = ({ children, testId, muted }: { children: ReactNode; testId?: string; muted?: boolean }) => (
  <Typography variant="pi" textColor={muted ? 'neutral600' : 'neutral800'} data-testid={testId} style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}>
    {children}
  </Typography>
);

export const BroadcastsPage = () => {
  const t = useT();
  const isMobile = useIsMobile();
  const [page, setPage] = useState(1);
  const list = useQuery(queries.broadcasts({ page, pageSize: PAGE_SIZE }), { pollMs: 5000 });

  if (list.loading && !list.data) return <Loading />;
  if (!list.data) return list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null;
  const rows = list.data.data;
  const { pagination } = list.data.meta;
  const pageCount = pagination.pageCount ?? Math.max(1, Math.ceil(pagination.total / pagination.pageSize));

  return (
    <Panel title={t('broadcasts.title', 'Broadcasts')} action={<ProgressLegend />} testId="broadcasts-panel">
      {list.error && <LoadError error={list.error} onRetry={list.reload} />}
      {rows.length === 0 ? (
        <Typography textColor="neutral600">{t('broadcasts.empty', 'Nothing has been broadcast yet.')}</Typography>
      ) : isMobile ? (
        // A phone gets one card per broadcast: the same five things, stacked.
        <Flex direction="column" alignItems="stretch" gap={3} tag="ul" data-testid="broadcasts-cards">
          {rows.map((broadcast) => (
            <Box tag="li" key={broadcast.documentId} borderColor="neutral200" borderStyle="solid" borderWidth="1px" hasRadius padding={3} data-testid={`broadcast-row-${broadcast.documentId}`}>
              <Flex direction="column" alignItems="stretch" gap={2}>
                <Flex justifyContent="space-between" alignItems="flex-start" gap={2}>
                  <TitleCell broadcast={broadcast} />
                  <StatusBadge status={broadcast.broadcastStatus} />
                </Flex>
                <BroadcastProgress counters={broadcast} compact />
                <ReasonCell broadcast={broadcast} />
                <BroadcastActions broadcast={broadcast} onDone={list.reload} compact />
                {(broadcast.followUps ?? []).map((followUp) => (
                  <Box key={followUp.documentId} paddingLeft={3} borderColor="neutral200" borderStyle="solid" borderWidth="0 0 0 3px" data-testid={`broadcast-follow-up-${followUp.documentId}`}>
                    <Flex direction="column" alignItems="stretch" gap={1}>
                      <Flex justifyContent="space-between" alignItems="flex-start" gap={2}>
                        <TitleCell broadcast={followUp} />
                        <StatusBadge status={followUp.broadcastStatus} />
                      </Flex>
                      <BroadcastProgress counters={followUp} compact />
                    </Flex>
                  </Box>
                ))}
              </Flex>
            </Box>
          ))}
        </Flex>
      ) : (
        <Table colCount={5} rowCount={rows.reduce((sum, story) => sum + 1 + (story.followUps?.length ?? 0), 1)} style={{ tableLayout: 'fixed', width: '100%' }} data-testid="broadcasts-table">
          <colgroup>
            {Object.entries(COLUMNS).map(([key, width]) => (
              <col key={key} style={{ width }} />
            ))}
          </colgroup>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.title', 'Title')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.status', 'Status')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.progress', 'Progress')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.reason', 'Why it waits')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.actions', 'Actions')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((story) => (
              // One story per thread: the original, then its updates and all-clear, indented.
              <Fragment key={story.documentId}>
                {[story, ...(story.followUps ?? [])].map((broadcast) => (
                  <Tr key={broadcast.documentId} data-testid={broadcast === story ? `broadcast-row-${broadcast.documentId}` : `broadcast-follow-up-${broadcast.documentId}`}>
                    <Td style={{ whiteSpace: 'normal' }}>
                      <TitleCell broadcast={broadcast} />
                    </Td>
                    <Td>
                      <StatusBadge status={broadcast.broadcastStatus} />
                    </Td>
                    <Td style={{ whiteSpace: 'normal' }}>
                      <BroadcastProgress counters={broadcast} compact />
                    </Td>
                    <Td style={{ whiteSpace: 'normal' }}>
                      <ReasonCell broadcast={broadcast} />
                    </Td>
                    <Td style={{ whiteSpace: 'normal' }}>
                      <BroadcastActions broadcast={broadcast} onDone={list.reload} compact />
                    </Td>
                  </Tr>
                ))}
              </Fragment>
            ))}
          </Tbody>
        </Table>
      )}
      <Pager page={page} pageCount={pageCount} onChange={setPage} />
    </Panel>
  );
};

/** How the list and detail name a follow-up: "Entwarnung" or "Update", above its title. */
export const FollowUpLabel = ({ kind }: { kind: Broadcast['followUpKind'] }) => {
  const t = useT();
  if (!kind) return null;
  return (
    <Typography variant="sigma" textColor={kind === 'all-clear' ? 'success700' : 'primary700'} data-testid="follow-up-label">
      {kind === 'all-clear' ? t('followUp.label.allClear', 'All-clear') : t('followUp.label.update', 'Update')}
    </Typography>
  );
};

const TitleCell = ({ broadcast }: { broadcast: Broadcast }) => {
  const dateTime = useDateTime();
  return (
    <Flex direction="column" alignItems="flex-start" gap={1} style={{ minWidth: 0, paddingLeft: broadcast.followUpKind ? 16 : 0 }}>
      <FollowUpLabel kind={broadcast.followUpKind} />
      <DSLink tag={Link} to={broadcast.documentId} style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}>
        {broadcast.title}
      </DSLink>
      {broadcast.publishedAt && <Wrap muted>{dateTime(broadcast.publishedAt)}</Wrap>}
    </Flex>
  );
};

const ReasonCell = ({ broadcast }: { broadcast: Broadcast }) => {
  const t = useT();
  const dateTime = useDateTime();
  const reasonLabel = useReasonLabel();
  const status = broadcast.broadcastStatus;
  // A rejection at approval says so in the list, with the note (ApprovalLine).
  const reason = isStateIn(OPEN_RUN_STATES, status) || status === 'failed' || broadcast.statusReason === 'approval-rejected' ? reasonLabel(broadcast.statusReason) : '';
  // A pause keeps the resumesAt of the wait it interrupted; it only means something while the broadcast runs.
  const until = broadcast.resumesAt && isStateIn(PAUSABLE_RUN_STATES, status) ? t('broadcasts.until', 'until {time}', { time: dateTime(broadcast.resumesAt) }) : '';
  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      <Wrap testId="broadcast-reason">{[reason, until].filter(Boolean).join(' · ')}</Wrap>
      <ApprovalLine broadcast={broadcast} />
    </Flex>
  );
};
