import { Link } from 'react-router-dom';
import { Box, Flex, Link as DSLink, Typography } from '@strapi/design-system';
import { queries, useQuery, type OfficialWarningOrigin, type WarningDraftNotice, type WarningSourceStatus } from '../api/client';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { Panel, useDateTime } from './ui';

export const useSourceName = () => {
  const t = useT();
  return (source: string) => (source === 'dwd' ? t('warnings.source.dwd', 'DWD (German weather service)') : t('warnings.source.nina', 'NINA (warnings of the district)'));
};

export const useSeverityLabel = () => {
  const t = useT();
  const labels: Record<string, string> = {
    minor: t('warnings.severity.minor', 'minor'),
    moderate: t('warnings.severity.moderate', 'moderate'),
    severe: t('warnings.severity.severe', 'severe'),
    extreme: t('warnings.severity.extreme', 'extreme'),
  };
  return (severity: string) => labels[severity] ?? severity;
};

const noticeText = (t: ReturnType<typeof useT>, notice: WarningDraftNotice) => {
  if (notice.autoPublished) return t('warnings.banner.autoPublished', 'Official warning published automatically, approval outstanding: {headline}', { headline: notice.headline });
  if (notice.kind === 'update') return t('warnings.banner.update', 'Update of an official warning as a draft: {headline}', { headline: notice.headline });
  if (notice.kind === 'all-clear') return t('warnings.banner.allClear', 'All-clear of an official warning as a draft: {headline}', { headline: notice.headline });
  return t('warnings.banner.new', 'New official warning as a draft: {headline}', { headline: notice.headline });
};

/**
 * Above every page of the plugin: drafts made from official warnings that nobody has published
 * yet, each linking to its entry in the content manager. Only for those who manage broadcasts.
 */
export const WarningDraftBanner = () => {
  const t = useT();
  const permissions = usePluginPermissions();
  const overview = useQuery(permissions.manageBroadcasts ? queries.warnings() : null, { pollMs: 30_000 });
  const drafts = overview.data?.drafts ?? [];
  if (!drafts.length) return null;
  return (
    <Box background="danger100" borderColor="danger600" borderStyle="solid" borderWidth="1px" hasRadius padding={3} marginBottom={4} data-testid="warning-draft-banner" role="status">
      <Flex direction="column" alignItems="flex-start" gap={1} tag="ul">
        {drafts.map((notice) => (
          <Typography key={notice.documentId} tag="li" textColor="danger700" fontWeight="bold">
            ⚠ {noticeText(t, notice)}{' '}
            <DSLink tag={Link} to={`/content-manager/collection-types/${notice.contentType}/${notice.documentId}`}>
              {notice.autoPublished ? t('warnings.banner.openPublished', 'Open') : t('warnings.banner.open', 'Check and publish')}
            </DSLink>
          </Typography>
        ))}
      </Flex>
    </Box>
  );
};

/** The channel status page: each configured warning source, when it last answered, and what is wrong. */
export const WarningSourcesPanel = () => {
  const t = useT();
  const dateTime = useDateTime();
  const permissions = usePluginPermissions();
  const sourceName = useSourceName();
  const overview = useQuery(permissions.manageBroadcasts ? queries.warnings() : null, { pollMs: 30_000 });
  const sources = overview.data?.sources ?? [];
  if (!sources.length) return null;
  const when = (iso: string | null) => (iso ? dateTime(iso) : t('channels.never', 'never'));
  return (
    <Panel title={t('warnings.sources.title', 'Official warnings')} testId="warning-sources">
      <Flex direction="column" alignItems="stretch" gap={3}>
        {sources.map((source: WarningSourceStatus) => (
          <Flex key={source.source} direction="column" alignItems="flex-start" gap={1} data-testid={`warning-source-${source.source}`}>
            <Typography fontWeight="bold">{sourceName(source.source)}</Typography>
            <Typography variant="pi" textColor="neutral600">
              {t('warnings.sources.lastSuccess', 'Last answer: {time}', { time: when(source.lastSuccessAt) })} ·{' '}
              {t('warnings.sources.active', '{count} warnings in force for the town', { count: source.activeWarnings })}
            </Typography>
            {source.failingSince && (
              <Typography textColor="danger700" fontWeight="bold" data-testid={`warning-source-problem-${source.source}`}>
                ⚠{' '}
                {t('warnings.sources.failing', 'Not reachable since {time} ({error}). Its last warnings stay as they were; nothing is lost when it answers again.', {
                  time: when(source.failingSince),
                  error: source.lastError ?? '?',
                })}
              </Typography>
            )}
          </Flex>
        ))}
      </Flex>
    </Panel>
  );
};

/** The side panel's lines for a draft made from an official warning. */
export const OfficialWarningOriginLines = ({ origin }: { origin: OfficialWarningOrigin }) => {
  const t = useT();
  const dateTime = useDateTime();
  const sourceName = useSourceName();
  const severityLabel = useSeverityLabel();
  const kind =
    origin.kind === 'update'
      ? t('panel.warning.kindUpdate', 'Update of an official warning')
      : origin.kind === 'all-clear'
        ? t('panel.warning.kindAllClear', 'All-clear of an official warning')
        : t('panel.warning.kindWarning', 'Official warning');
  return (
    <Box background="danger100" hasRadius padding={2} data-testid="town-crier-panel-official-warning">
      <Flex direction="column" alignItems="flex-start" gap={1}>
        <Typography variant="omega" fontWeight="bold">
          {t('panel.warning.from', '{kind} from {source}', { kind, source: sourceName(origin.source) })}
        </Typography>
        <Typography variant="pi">
          {t('panel.warning.severity', 'Severity: {severity}', { severity: severityLabel(origin.severity) })}
          {origin.areaName ? ` · ${t('panel.warning.area', 'Area: {area}', { area: origin.areaName })}` : ''}
        </Typography>
        {origin.sourceChangedAt && (
          <Typography variant="pi" textColor="neutral600">
            {t('panel.warning.changed', 'Last changed at the source: {time}', { time: dateTime(origin.sourceChangedAt) })}
          </Typography>
        )}
        {origin.link && (
          <DSLink href={origin.link} isExternal>
            {t('panel.warning.link', 'The official warning')}
          </DSLink>
        )}
      </Flex>
    </Box>
  );
};
