import { useCallback, type ReactNode } from 'react';
import { useIntl } from 'react-intl';
import { Alert, Box, Button, Flex, Loader, Typography } from '@strapi/design-system';
import type { ApiError } from '../api/client';
import type { Broadcast, BroadcastStatus, CountCell } from '../api/client';
import { useT } from '../hooks/useT';

/**
 * One date format for the whole plugin: day, month, four-digit year and time, in the admin's
 * language ("30.11.2026, 07:00" in German, "30/11/2026, 07:00" in British English). Mixed short and
 * medium styles made the same day look different from one table to the next.
 */
export const DATE_TIME: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };

export const useDateTime = () => {
  const { formatDate } = useIntl();
  return useCallback((iso: string | Date) => formatDate(iso, DATE_TIME), [formatDate]);
};

/** White on dark red and white on dark blue: 4.5:1 and more at the badge's small size (WCAG 1.4.3). */
export const BADGE = { display: 'inline-block', padding: '2px 8px', borderRadius: 4, fontSize: 12, fontWeight: 700, lineHeight: '18px', color: '#ffffff' } as const;
export const SANDBOX_BADGE = { ...BADGE, background: '#b72b1a' } as const;
export const LIVE_BADGE = { ...BADGE, background: '#271fe0' } as const;

export const CHANNEL_NAMES: Record<string, string> = { whatsapp: 'WhatsApp', email: 'E-Mail', telegram: 'Telegram', webpush: 'Web Push', activitypub: 'Fediverse (ActivityPub)', mastodon: 'Mastodon', bluesky: 'Bluesky', signal: 'Signal' };
export const channelName = (id: string) => CHANNEL_NAMES[id] ?? id;

/** A titled white panel, the building block of every view. */
export const Panel = ({ title, action, children, testId }: { title?: ReactNode; action?: ReactNode; children: ReactNode; testId?: string }) => (
  <Box background="neutral0" hasRadius shadow="tableShadow" padding={5} data-testid={testId}>
    {(title || action) && (
      <Flex justifyContent="space-between" alignItems="center" paddingBottom={3} gap={2}>
        {title ? (
          <Typography variant="delta" tag="h2">
            {title}
          </Typography>
        ) : (
          <span />
        )}
        {action}
      </Flex>
    )}
    {children}
  </Box>
);

export const StatCard = ({ label, value, hint, testId, tone }: { label: ReactNode; value: ReactNode; hint?: ReactNode; testId: string; tone?: 'success' | 'danger' }) => (
  <Box background="neutral0" hasRadius shadow="tableShadow" padding={5} height="100%" data-testid={testId}>
    <Flex direction="column" alignItems="flex-start" gap={1}>
      <Typography variant="sigma" textColor="neutral600">
        {label}
      </Typography>
      <Typography variant="alpha" tag="p" data-testid={`${testId}-value`} textColor={tone === 'success' ? 'success600' : tone === 'danger' ? 'danger600' : 'neutral800'}>
        {value}
      </Typography>
      {hint && (
        <Typography variant="pi" textColor="neutral600">
          {hint}
        </Typography>
      )}
    </Flex>
  </Box>
);

export const Loading = () => {
  const t = useT();
  return (
    <Flex justifyContent="center" padding={8}>
      <Loader>{t('common.loading', 'Loading…')}</Loader>
    </Flex>
  );
};

/** What went wrong, in the server's words, with a way to try again. */
export const LoadError = ({ error, onRetry }: { error: ApiError; onRetry?: () => void }) => {
  const t = useT();
  const title =
    error.status === 403
      ? t('common.error.forbidden', 'Your role may not see this.')
      : error.status === 401
        ? t('common.error.unauthorized', 'Please log in again.')
        : t('common.error.title', 'This could not be loaded.');
  return (
    <Alert
      variant="danger"
      title={title}
      closeLabel={t('common.close', 'Close')}
      action={onRetry ? <Button variant="tertiary" onClick={onRetry}>{t('common.retry', 'Try again')}</Button> : undefined}
    >
      {error.message}
    </Alert>
  );
};

/**
 * Badge colours: dark text on a light tint, 4.5:1 or more at 12 px (the design system's warning
 * and danger badges measure 3.6:1 to 3.9:1, below WCAG 1.4.3).
 */
export const TONES = {
  info: { background: '#eaf5ff', color: '#0b4a7d' },
  primary: { background: '#f0f0ff', color: '#271fe0' },
  warning: { background: '#fdf4dc', color: '#7a3e00' },
  success: { background: '#eafbe7', color: '#1e5e2f' },
  neutral: { background: '#eaeaef', color: '#32324d' },
  danger: { background: '#fcecea', color: '#9e1b12' },
} as const;

export const Pill = ({ tone, children, testId }: { tone: keyof typeof TONES; children: ReactNode; testId?: string }) => (
  <span
    data-testid={testId}
    style={{ ...TONES[tone], display: 'inline-block', padding: '2px 8px', borderRadius: 4, fontSize: 12, fontWeight: 700, lineHeight: '18px', textTransform: 'uppercase', whiteSpace: 'nowrap' }}
  >
    {children}
  </span>
);

const STATUS_TONES: Record<BroadcastStatus, keyof typeof TONES> = {
  scheduled: 'info',
  queued: 'info',
  sending: 'primary',
  paused: 'warning',
  sent: 'success',
  cancelled: 'neutral',
  failed: 'danger',
};

export const useStatusLabel = () => {
  const t = useT();
  return (status: BroadcastStatus | null) => {
    switch (status) {
      case 'scheduled':
        return t('status.scheduled', 'Scheduled');
      case 'queued':
        return t('status.queued', 'Queued');
      case 'sending':
        return t('status.sending', 'Sending');
      case 'paused':
        return t('status.paused', 'Paused');
      case 'sent':
        return t('status.sent', 'Sent');
      case 'cancelled':
        return t('status.cancelled', 'Cancelled');
      case 'failed':
        return t('status.failed', 'Failed');
      default:
        return t('status.none', 'Not broadcast');
    }
  };
};

export const StatusBadge = ({ status }: { status: BroadcastStatus | null }) => {
  const label = useStatusLabel();
  return (
    <Pill tone={status ? STATUS_TONES[status] : 'neutral'} testId="broadcast-status">
      {label(status)}
    </Pill>
  );
};

const SEGMENT_COLOURS = { read: '#2f6846', delivered: '#5cb176', sent: '#7b79ff', failed: '#d02b20', skipped: '#a5a5ba' } as const;

type Counters = Pick<Broadcast, 'recipients' | 'sent' | 'delivered' | 'read' | 'failed'> & { skipped?: number };

/**
 * One bar of all recipients. The counters are cumulative (a read message was also delivered
 * and sent), so each segment shows only the furthest state a message reached.
 */
export const BroadcastProgress = ({ counters, compact }: { counters: Counters; compact?: boolean }) => {
  const t = useT();
  const total = Math.max(counters.recipients, 0);
  const segments = [
    { key: 'read', value: counters.read },
    { key: 'delivered', value: counters.delivered - counters.read },
    { key: 'sent', value: counters.sent - counters.delivered },
    { key: 'failed', value: counters.failed },
    { key: 'skipped', value: counters.skipped ?? 0 },
  ] as const;
  const label = t('progress.summary', '{sent} sent · {delivered} delivered · {read} read · {failed} failed of {recipients}', {
    sent: counters.sent,
    delivered: counters.delivered,
    read: counters.read,
    failed: counters.failed,
    recipients: counters.recipients,
  });
  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      <div
        role="img"
        aria-label={label}
        style={{ display: 'flex', height: compact ? 8 : 14, borderRadius: 7, overflow: 'hidden', background: '#eaeaef', width: '100%' }}
      >
        {total > 0 &&
          segments
            .filter((segment) => segment.value > 0)
            .map((segment) => (
              <div key={segment.key} title={`${segment.key}: ${segment.value}`} style={{ width: `${(segment.value / total) * 100}%`, background: SEGMENT_COLOURS[segment.key] }} />
            ))}
      </div>
      <Typography variant="pi" textColor="neutral600" data-testid="broadcast-progress" style={{ whiteSpace: 'normal' }}>
        {label}
      </Typography>
    </Flex>
  );
};

export const ProgressLegend = () => {
  const t = useT();
  const items = [
    ['read', t('progress.read', 'read')],
    ['delivered', t('progress.delivered', 'delivered')],
    ['sent', t('progress.sent', 'sent')],
    ['failed', t('progress.failed', 'failed')],
    ['skipped', t('progress.skipped', 'skipped')],
  ] as const;
  return (
    <Flex gap={3} wrap="wrap">
      {items.map(([key, text]) => (
        <Flex key={key} gap={1}>
          <span style={{ display: 'inline-block', width: 10, height: 10, borderRadius: 2, background: SEGMENT_COLOURS[key] }} />
          <Typography variant="pi">{text}</Typography>
        </Flex>
      ))}
    </Flex>
  );
};

/** "<5" stays as the server sent it; numbers get the locale's grouping. */
export const formatCell = (cell: CountCell, formatNumber: (value: number) => string) => (typeof cell === 'number' ? formatNumber(cell) : cell);

export const Pager = ({ page, pageCount, onChange }: { page: number; pageCount: number; onChange(page: number): void }) => {
  const t = useT();
  if (pageCount <= 1) return null;
  return (
    <Flex justifyContent="flex-end" gap={2} paddingTop={4}>
      <Button variant="tertiary" size="S" disabled={page <= 1} onClick={() => onChange(page - 1)}>
        {t('common.previous', 'Previous page')}
      </Button>
      <Typography variant="pi">{t('common.pageOf', 'Page {page} of {pageCount}', { page, pageCount })}</Typography>
      <Button variant="tertiary" size="S" disabled={page >= pageCount} onClick={() => onChange(page + 1)}>
        {t('common.next', 'Next page')}
      </Button>
    </Flex>
  );
};

/** A plain bar for "how much of X": the design system's ProgressBar is styled for dark backgrounds. */
export const Meter = ({ percent, colour = '#4945ff', label }: { percent: number; colour?: string; label: string }) => (
  <div
    role="meter"
    aria-label={label}
    aria-valuemin={0}
    aria-valuemax={100}
    aria-valuenow={Math.round(percent)}
    style={{ height: 8, borderRadius: 4, background: '#eaeaef', overflow: 'hidden', width: '100%' }}
  >
    <div style={{ width: `${Math.max(0, Math.min(100, percent))}%`, height: '100%', background: colour }} />
  </div>
);
