import { useState } from 'react';
import { useIntl } from 'react-intl';
import { Link } from 'react-router-dom';
import { Flex, Link as DSLink, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { PLUGIN_ID } from '../pluginId';
import { useApi } from '../api/useApi';
import { toBroadcast, toBroadcastDetail, type Broadcast, type BroadcastDetail, type Pagination as PaginationMeta } from '../api/types';
import { useT } from '../hooks/useT';
import { useReasonLabel } from '../hooks/useReasonLabel';
import { BroadcastProgress, LoadError, Loading, Pager, Panel, ProgressLegend, StatusBadge } from '../components/ui';
import { BroadcastActions } from '../components/BroadcastActions';

const PAGE_SIZE = 20;

interface BroadcastList {
  rows: Broadcast[];
  pagination: PaginationMeta;
}

/** Accepts the contract's `{ data, meta: { pagination } }` and the older `{ results, pagination }`. */
const selectList = (body: unknown): BroadcastList => {
  const value = body as { data?: unknown[]; results?: unknown[]; meta?: { pagination?: PaginationMeta }; pagination?: PaginationMeta };
  const rows = (value.data ?? value.results ?? []) as Array<Record<string, unknown>>;
  return { rows: rows.map(toBroadcast), pagination: value.meta?.pagination ?? value.pagination ?? { page: 1, pageSize: PAGE_SIZE, total: rows.length } };
};

const OPEN_STATUSES = ['scheduled', 'queued', 'sending', 'paused'];
const WAITING_STATUSES = ['scheduled', 'queued', 'sending'];

export const BroadcastsPage = () => {
  const t = useT();
  const { formatDate } = useIntl();
  const reasonLabel = useReasonLabel();
  const [page, setPage] = useState(1);
  const list = useApi<BroadcastList>(`/${PLUGIN_ID}/broadcasts?page=${page}&pageSize=${PAGE_SIZE}`, { pollMs: 5000, select: selectList });

  if (list.loading && !list.data) return <Loading />;
  if (!list.data) return list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null;
  const { rows, pagination } = list.data;
  const pageCount = pagination.pageCount ?? Math.max(1, Math.ceil(pagination.total / pagination.pageSize));

  return (
    <Panel title={t('broadcasts.title', 'Broadcasts')} action={<ProgressLegend />} testId="broadcasts-panel">
      {list.error && <LoadError error={list.error} onRetry={list.reload} />}
      {rows.length === 0 ? (
        <Typography textColor="neutral600">{t('broadcasts.empty', 'Nothing has been broadcast yet.')}</Typography>
      ) : (
        <Table colCount={6} rowCount={rows.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.title', 'Title')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.status', 'Status')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.progress', 'Sent / delivered / read / failed of recipients')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.reason', 'Why it waits')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.finish', 'Estimated finish')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('broadcasts.column.actions', 'Actions')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((broadcast) => (
              <Tr key={broadcast.documentId} data-testid={`broadcast-row-${broadcast.documentId}`}>
                <Td>
                  <Flex direction="column" alignItems="flex-start">
                    <DSLink tag={Link} to={broadcast.documentId}>
                      {broadcast.title}
                    </DSLink>
                    {broadcast.publishedAt && (
                      <Typography variant="pi" textColor="neutral600">
                        {formatDate(broadcast.publishedAt, { dateStyle: 'medium', timeStyle: 'short' })}
                      </Typography>
                    )}
                  </Flex>
                </Td>
                <Td>
                  <StatusBadge status={broadcast.broadcastStatus} />
                </Td>
                <Td>
                  <BroadcastProgress counters={broadcast} compact />
                </Td>
                <Td>
                  <Typography variant="pi" data-testid="broadcast-reason">
                    {OPEN_STATUSES.includes(broadcast.broadcastStatus ?? '') || broadcast.broadcastStatus === 'failed' ? reasonLabel(broadcast.statusReason) : ''}
                    {/* A pause keeps the resumesAt of the wait it interrupted; it only means something while the broadcast runs. */}
                    {broadcast.resumesAt && WAITING_STATUSES.includes(broadcast.broadcastStatus ?? '')
                      ? ` · ${t('broadcasts.until', 'until {time}', { time: formatDate(broadcast.resumesAt, { dateStyle: 'short', timeStyle: 'short' }) })}`
                      : ''}
                  </Typography>
                </Td>
                <Td>
                  {WAITING_STATUSES.includes(broadcast.broadcastStatus ?? '') ? <EstimatedFinish documentId={broadcast.documentId} /> : null}
                </Td>
                <Td>
                  <BroadcastActions broadcast={broadcast} onDone={list.reload} compact />
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      <Pager page={page} pageCount={pageCount} onChange={setPage} />
    </Panel>
  );
};

/**
 * The list rows do not carry the estimate (the API computes it per broadcast in the detail), so
 * a running broadcast's row reads its detail; finished ones need none.
 */
const EstimatedFinish = ({ documentId }: { documentId: string }) => {
  const { formatDate } = useIntl();
  const detail = useApi<BroadcastDetail>(`/${PLUGIN_ID}/broadcasts/${documentId}`, {
    pollMs: 15_000,
    select: (body) => toBroadcastDetail((body as { data: Record<string, unknown> }).data),
  });
  const at = detail.data?.estimatedFinishAt;
  return (
    <Typography variant="pi" data-testid="broadcast-estimated-finish">
      {at ? formatDate(at, { dateStyle: 'short', timeStyle: 'short' }) : '–'}
    </Typography>
  );
};
