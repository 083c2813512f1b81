import { useIntl } from 'react-intl';
import { usePersistentState } from '@strapi/strapi/admin';
import { Box, Button, Flex, Grid, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { PLUGIN_ID } from '../pluginId';
import { queries, useAdminClient, useQuery, type CountCell } from '../api/client';
import { CsvDownloadButton } from '../components/CsvDownloadButton';
import { useT } from '../hooks/useT';
import { GrowthChart } from '../components/GrowthChart';
import { DATE_TIME, LoadError, Loading, Meter, Panel, StatCard, channelName, formatCell } from '../components/ui';
import { BudgetPanel, MonthlyCostPanel } from '../components/CostPanels';

const RANGES = [30, 90, 365] as const;


/** Growth green, loss red, no change plain. */
const toneOf = (change: number) => (change > 0 ? ('success' as const) : change < 0 ? ('danger' as const) : undefined);
export const OverviewPage = () => {
  const t = useT();
  const { formatNumber, formatDate } = useIntl();
  // The chosen period survives a reload and the next visit (local to this browser).
  const [storedDays, setDays] = usePersistentState<number>('town-crier-growth-days', 90);
  const days = (RANGES as readonly number[]).includes(storedDays) ? (storedDays as (typeof RANGES)[number]) : 90;
  const overview = useQuery(queries.overview(), { pollMs: 60_000 });
  const growth = useQuery(queries.growth({ days }));

  if (overview.loading && !overview.data) return <Loading />;
  if (!overview.data) return overview.error ? <LoadError error={overview.error} onRetry={overview.reload} /> : null;
  const stats = overview.data;
  const signed = (value: number) => `${value > 0 ? '+' : ''}${formatNumber(value)}`;

  return (
    <Flex direction="column" alignItems="stretch" gap={6}>
      <Grid.Root gap={4}>
        <Grid.Item col={2} s={6} xs={12} direction="column" alignItems="stretch">
          <StatCard testId="card-active" label={t('overview.active', 'Active')} value={formatNumber(stats.subscribers.active)} />
        </Grid.Item>
        <Grid.Item col={2} s={6} xs={12} direction="column" alignItems="stretch">
          <StatCard
            testId="card-pending"
            label={t('overview.pending', 'Pending')}
            value={formatNumber(stats.subscribers.pending)}
            hint={t('overview.pending.hint', 'not confirmed yet')}
          />
        </Grid.Item>
        <Grid.Item col={2} s={6} xs={12} direction="column" alignItems="stretch">
          <StatCard testId="card-unsubscribed" label={t('overview.unsubscribed', 'Unsubscribed')} value={formatNumber(stats.subscribers.unsubscribed)} />
        </Grid.Item>
        <Grid.Item col={2} s={6} xs={12} direction="column" alignItems="stretch">
          <StatCard
            testId="card-net7"
            label={t('overview.net7', 'Net change, 7 days')}
            value={signed(stats.netChange.days7)}
            tone={toneOf(stats.netChange.days7)}
          />
        </Grid.Item>
        <Grid.Item col={2} s={6} xs={12} direction="column" alignItems="stretch">
          <StatCard
            testId="card-net30"
            label={t('overview.net30', 'Net change, 30 days')}
            value={signed(stats.netChange.days30)}
            tone={toneOf(stats.netChange.days30)}
          />
        </Grid.Item>
        <Grid.Item col={2} s={6} xs={12} direction="column" alignItems="stretch">
          <Box background="neutral0" hasRadius shadow="tableShadow" padding={5} height="100%" data-testid="card-target">
            <Flex direction="column" alignItems="stretch" gap={2}>
              <Typography variant="sigma" textColor="neutral600">
                {t('overview.target', 'Target')}
              </Typography>
              <Typography variant="alpha" tag="p" data-testid="card-target-value">
                {formatNumber(Math.round(stats.target.percent))} %
              </Typography>
              <Meter percent={stats.target.percent} label={t('overview.target', 'Target')} />
              <Typography variant="pi" textColor="neutral600">
                {t('overview.target.hint', '{reached} of {value}', { reached: formatNumber(stats.target.reached), value: formatNumber(stats.target.value) })}
              </Typography>
            </Flex>
          </Box>
        </Grid.Item>
      </Grid.Root>

      <Panel
        testId="growth-panel"
        title={t('overview.growth', 'Growth')}
        action={
          <Flex gap={2}>
            {RANGES.map((range) => (
              <Button key={range} size="S" variant={range === days ? 'default' : 'tertiary'} aria-pressed={range === days} onClick={() => setDays(range)} data-testid={`range-${range}`}>
                {t('overview.range', '{days} days', { days: range })}
              </Button>
            ))}
            <CsvExportButton days={days} />
          </Flex>
        }
      >
        {growth.error && !growth.data ? (
          <LoadError error={growth.error} onRetry={growth.reload} />
        ) : growth.data ? (
          <GrowthChart days={growth.data.days} target={growth.data.target} />
        ) : (
          <Loading />
        )}
      </Panel>

      <Grid.Root gap={4}>
        <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
          <Breakdown
            testId="breakdown-channel"
            title={t('overview.byChannel', 'By channel')}
            rows={stats.byChannel.map((row) => ({ key: row.key, label: channelName(row.key), count: row.count }))}
          />
        </Grid.Item>
        <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
          <Breakdown testId="breakdown-topic" title={t('overview.byTopic', 'By topic')} rows={stats.byTopic.map((row) => ({
              key: row.key,
              // '*' is the server's key for subscribers who chose no topic and so get all news.
              label: row.key === '*' ? t('overview.topic.all', 'All news (no topic chosen)') : row.label,
              count: row.count,
            }))} />
        </Grid.Item>
        {stats.byVillage.length ? (
          <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
            <Breakdown
              testId="breakdown-village"
              title={t('overview.byVillage', 'By village')}
              rows={stats.byVillage.map((row) => ({
                key: row.key,
                // '*' is the server's key for subscribers who chose no village and so get the news of every village.
                label: row.key === '*' ? t('overview.village.all', 'Whole town (no village chosen)') : row.label,
                count: row.count,
              }))}
            />
          </Grid.Item>
        ) : null}
        <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
          <Breakdown
            testId="breakdown-source"
            title={t('overview.bySource', 'By sign-up source')}
            rows={stats.bySource.map((row) => ({
              key: row.key,
              // The plugin's own sources get words; a town's own (e.g. "flyer") is shown as the town wrote it.
              label: row.key === 'unknown' ? t('overview.source.unknown', 'unknown') : row.key === 'signup-page' ? t('overview.source.signupPage', 'Sign-up page') : row.key,
              count: row.count,
            }))}
          />
        </Grid.Item>
      </Grid.Root>

      <Panel testId="deliveries-panel" title={t('overview.deliveries', 'Messages in the last 30 days')}>
        <Flex gap={8} wrap="wrap">
          {(['sent', 'delivered', 'read', 'failed'] as const).map((key) => (
            <Flex key={key} direction="column" alignItems="flex-start" data-testid={`deliveries-${key}`}>
              <Typography variant="beta" tag="p">
                {formatNumber(stats.deliveries.last30Days[key])}
              </Typography>
              <Typography variant="pi" textColor="neutral600">
                {key === 'sent'
                  ? t('progress.sent', 'sent')
                  : key === 'delivered'
                    ? t('progress.delivered', 'delivered')
                    : key === 'read'
                      ? t('progress.read', 'read')
                      : t('progress.failed', 'failed')}
              </Typography>
            </Flex>
          ))}
        </Flex>
      </Panel>

      <BudgetPanel budget={stats.whatsappBudget} latest={stats.costPerMonth.at(-1)} />
      <MonthlyCostPanel months={stats.costPerMonth} />

      <Typography variant="pi" textColor="neutral600">
        {t('overview.footnote', 'Aggregate figures only. Groups of fewer than 5 people are shown as "<5"; "*" hides a larger group where the total would otherwise give a "<5" away. Days in {timeZone}; as of {time}.', {
          timeZone: stats.timeZone,
          time: formatDate(stats.generatedAt, DATE_TIME),
        })}
      </Typography>
    </Flex>
  );
};

const Breakdown = ({ title, rows, testId }: { title: string; rows: Array<{ key: string; label: string; count: CountCell }>; testId: string }) => {
  const t = useT();
  const { formatNumber } = useIntl();
  return (
    <Panel title={title} testId={testId}>
      {rows.length === 0 ? (
        <Typography textColor="neutral600">{t('overview.breakdown.empty', 'No active subscribers yet.')}</Typography>
      ) : (
        <Table colCount={2} rowCount={rows.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">{t('overview.breakdown.group', 'Group')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('overview.breakdown.active', 'Active')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((row) => (
              <Tr key={row.key} data-testid={`${testId}-${row.key}`}>
                <Td>
                  <Typography>{row.label}</Typography>
                </Td>
                <Td>
                  <Typography fontWeight="bold" data-testid="count">
                    {formatCell(row.count, formatNumber)}
                  </Typography>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
    </Panel>
  );
};

const CsvExportButton = ({ days }: { days: number }) => {
  const t = useT();
  const client = useAdminClient();
  return <CsvDownloadButton fetchCsv={() => client.exportStatsCsv({ days })} fileName="town-crier-stats" label={t('overview.export', 'Export CSV')} testId="csv-export" />;
};
