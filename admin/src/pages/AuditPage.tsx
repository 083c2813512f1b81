import { useState, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useIntl } from 'react-intl';
import { useIsMobile } from '@strapi/strapi/admin';
import { Box, Button, DatePicker, Field, Flex, Grid, Link as DSLink, SingleSelect, SingleSelectOption, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Cross } from '@strapi/icons';
import { AUDIT_ACTIONS, type AuditAction, type AuditActor, type AuditEvent } from '../../../shared/contracts/audit';
import { queries, useAdminClient, useQuery, type AuditFilterQuery } from '../api/client';
import { CsvDownloadButton } from '../components/CsvDownloadButton';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { LoadError, Loading, Pager, Panel, channelName, useDateTime } from '../components/ui';

const PAGE_SIZE = 25;
const ALL = '';

/** Column widths: fixed layout, so long titles wrap instead of widening the table past the page. */
const COLUMNS = { time: '17%', action: '17%', actor: '18%', target: '26%', details: '22%' } as const;

/** A picked day (`YYYY-MM-DD`) as the local midnight it starts with, and back. */
const dayToDate = (day: string, plusDays = 0): Date | undefined => {
  if (!day) return undefined;
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year, month - 1, date + plusDays);
};
const dateToDay = (date: Date | undefined) =>
  date ? `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}` : '';
/** The day's start in the admin's own time zone, as the ISO moment the server filters by. */
const localDayStart = (day: string, plusDays = 0) => (dayToDate(day, plusDays) as Date).toISOString();

interface Filter {
  action: AuditAction | '';
  actor: string;
  from: string;
  to: string;
  broadcast: { id: string; title: string | null } | null;
}
const EMPTY: Filter = { action: ALL, actor: ALL, from: '', to: '', broadcast: null };

/** The page's filter as the API's query: a date picked here means that whole day, in local time. */
function queryOf(filter: Filter): AuditFilterQuery {
  const [actorKind, actorId] = filter.actor.split(':');
  return {
    action: filter.action || undefined,
    actorKind: filter.actor ? (actorKind as AuditFilterQuery['actorKind']) : undefined,
    actorId: actorId ? Number(actorId) : undefined,
    broadcastId: filter.broadcast?.id,
    from: filter.from ? localDayStart(filter.from) : undefined,
    to: filter.to ? localDayStart(filter.to, 1) : undefined,
  };
}
const actorKey = (actor: Pick<AuditActor, 'actorKind' | 'actorId'>) => `${actor.actorKind}:${actor.actorId ?? ''}`;

/**
 * The audit log ("Protokoll"): who did what to which broadcast or citizen, newest first, with
 * filters, paging and the CSV of what the filters show. Read only: nothing here changes an event.
 */
export const AuditPage = () => {
  const t = useT();
  const { locale } = useIntl();
  const isMobile = useIsMobile();
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [page, setPage] = useState(1);
  const query = queryOf(filter);
  const list = useQuery(queries.audit({ ...query, page, pageSize: PAGE_SIZE }));
  const actors = useQuery(queries.auditActors());
  const change = (next: Partial<Filter>) => {
    setFilter((current) => ({ ...current, ...next }));
    setPage(1);
  };
  const actionLabel = useActionLabel();
  const actorLabel = useActorLabel();

  const filters = (
    <Box paddingBottom={4}>
      <Grid.Root gap={3}>
        <Grid.Item col={3} s={6} xs={12} direction="column" alignItems="stretch">
          <Field.Root name="audit-action" width="100%">
            <Field.Label>{t('audit.filter.action', 'Action')}</Field.Label>
            <SingleSelect value={filter.action} onChange={(value: string | number) => change({ action: String(value) as AuditAction | '' })} data-testid="audit-filter-action">
              <SingleSelectOption value={ALL}>{t('audit.filter.all', 'All')}</SingleSelectOption>
              {AUDIT_ACTIONS.map((action) => (
                <SingleSelectOption key={action} value={action}>
                  {actionLabel(action)}
                </SingleSelectOption>
              ))}
            </SingleSelect>
          </Field.Root>
        </Grid.Item>
        <Grid.Item col={3} s={6} xs={12} direction="column" alignItems="stretch">
          <Field.Root name="audit-actor" width="100%">
            <Field.Label>{t('audit.filter.actor', 'Who')}</Field.Label>
            <SingleSelect value={filter.actor} onChange={(value: string | number) => change({ actor: String(value) })} data-testid="audit-filter-actor">
              <SingleSelectOption value={ALL}>{t('audit.filter.all', 'All')}</SingleSelectOption>
              {(actors.data ?? []).map((actor) => (
                <SingleSelectOption key={actorKey(actor)} value={actorKey(actor)}>
                  {actorLabel(actor)}
                </SingleSelectOption>
              ))}
            </SingleSelect>
          </Field.Root>
        </Grid.Item>
        <Grid.Item col={3} s={6} xs={12} direction="column" alignItems="stretch">
          <Field.Root name="audit-from" width="100%">
            <Field.Label>{t('audit.filter.from', 'From')}</Field.Label>
            <DatePicker
              locale={locale}
              value={dayToDate(filter.from)}
              maxDate={dayToDate(filter.to)}
              onChange={(date: Date | undefined) => change({ from: dateToDay(date) })}
              onClear={() => change({ from: '' })}
              clearLabel={t('audit.filter.clearFrom', 'Clear the start date')}
              data-testid="audit-filter-from"
            />
          </Field.Root>
        </Grid.Item>
        <Grid.Item col={3} s={6} xs={12} direction="column" alignItems="stretch">
          <Field.Root name="audit-to" width="100%">
            <Field.Label>{t('audit.filter.to', 'To')}</Field.Label>
            <DatePicker
              locale={locale}
              value={dayToDate(filter.to)}
              minDate={dayToDate(filter.from)}
              onChange={(date: Date | undefined) => change({ to: dateToDay(date) })}
              onClear={() => change({ to: '' })}
              clearLabel={t('audit.filter.clearTo', 'Clear the end date')}
              data-testid="audit-filter-to"
            />
          </Field.Root>
        </Grid.Item>
      </Grid.Root>
      <Flex gap={2} paddingTop={3} wrap="wrap" justifyContent="space-between">
        {filter.broadcast ? (
          <Button variant="secondary" size="S" endIcon={<Cross />} onClick={() => change({ broadcast: null })} data-testid="audit-filter-broadcast">
            {t('audit.filter.broadcastOnly', 'Only: {title}', { title: filter.broadcast.title ?? filter.broadcast.id })}
          </Button>
        ) : (
          <Typography variant="pi" textColor="neutral600">
            {t('audit.filter.broadcastHint', 'Choose a broadcast’s title below to see only its events.')}
          </Typography>
        )}
        <Flex gap={2}>
          <Button variant="tertiary" size="S" onClick={() => change(EMPTY)} disabled={JSON.stringify(filter) === JSON.stringify(EMPTY)}>
            {t('audit.filter.reset', 'Reset filters')}
          </Button>
          <CsvButton query={query} />
        </Flex>
      </Flex>
    </Box>
  );

  const rows = list.data?.data ?? [];
  const pagination = list.data?.meta.pagination;
  const pageCount = pagination ? (pagination.pageCount ?? Math.max(1, Math.ceil(pagination.total / pagination.pageSize))) : 1;
  const pickBroadcast = (event: AuditEvent) => event.broadcastId && change({ broadcast: { id: event.broadcastId, title: event.broadcastTitle } });

  return (
    <Panel title={t('audit.title', 'Audit log')} testId="audit-panel">
      <Typography variant="pi" textColor="neutral600" tag="p">
        {t('audit.intro', 'Who published, paused, cancelled or retried which broadcast, and who exported or erased a citizen’s data. Citizens appear by number only, never by address. Nobody can change or delete an entry; they are deleted after the retention period.')}
      </Typography>
      <Box paddingTop={3}>{filters}</Box>
      {list.error && <LoadError error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data ? (
        <Loading />
      ) : rows.length === 0 ? (
        <Typography textColor="neutral600" data-testid="audit-empty">
          {t('audit.empty', 'No entries for these filters.')}
        </Typography>
      ) : isMobile ? (
        <Flex direction="column" alignItems="stretch" gap={3} tag="ul" data-testid="audit-cards">
          {rows.map((event) => (
            <Box tag="li" key={event.id} borderColor="neutral200" borderStyle="solid" borderWidth="1px" hasRadius padding={3} data-testid={`audit-row-${event.id}`}>
              <Flex direction="column" alignItems="stretch" gap={1}>
                <Flex justifyContent="space-between" gap={2} wrap="wrap">
                  <Typography fontWeight="bold">{actionLabel(event.action)}</Typography>
                  <When event={event} />
                </Flex>
                <Cell>{actorLabel(event)}</Cell>
                <Target event={event} onPick={() => pickBroadcast(event)} />
                <Details event={event} />
              </Flex>
            </Box>
          ))}
        </Flex>
      ) : (
        <Table colCount={5} rowCount={rows.length + 1} style={{ tableLayout: 'fixed', width: '100%' }} data-testid="audit-table">
          <colgroup>
            {Object.entries(COLUMNS).map(([key, width]) => (
              <col key={key} style={{ width }} />
            ))}
          </colgroup>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">{t('audit.column.time', 'When')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('audit.column.action', 'Action')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('audit.column.actor', 'Who')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('audit.column.target', 'Concerns')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('audit.column.details', 'Details')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((event) => (
              <Tr key={event.id} data-testid={`audit-row-${event.id}`}>
                <Td>
                  <When event={event} />
                </Td>
                <Td style={{ whiteSpace: 'normal' }}>
                  <Cell>{actionLabel(event.action)}</Cell>
                </Td>
                <Td style={{ whiteSpace: 'normal' }}>
                  <Cell>{actorLabel(event)}</Cell>
                </Td>
                <Td style={{ whiteSpace: 'normal' }}>
                  <Target event={event} onPick={() => pickBroadcast(event)} />
                </Td>
                <Td style={{ whiteSpace: 'normal' }}>
                  <Details event={event} />
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

const Cell = ({ children, muted }: { children: ReactNode; muted?: boolean }) => (
  <Typography variant="pi" textColor={muted ? 'neutral600' : 'neutral800'} style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}>
    {children}
  </Typography>
);

const When = ({ event }: { event: AuditEvent }) => {
  const dateTime = useDateTime();
  return (
    <Typography variant="pi" textColor="neutral600">
      <time dateTime={event.occurredAt}>{dateTime(event.occurredAt)}</time>
    </Typography>
  );
};

/** The broadcast (its title filters the list; the link opens it) or the citizen by number. */
const Target = ({ event, onPick }: { event: AuditEvent; onPick(): void }) => {
  const t = useT();
  const permissions = usePluginPermissions();
  if (event.broadcastId) {
    const title = event.broadcastTitle ?? event.broadcastId;
    return (
      <Flex direction="column" alignItems="flex-start" gap={1}>
        <DSLink
          href="#"
          onClick={(click: React.MouseEvent) => {
            click.preventDefault();
            onPick();
          }}
          style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
          aria-label={t('audit.target.filterBy', 'Show only the events of “{title}”', { title })}
        >
          {title}
        </DSLink>
        {permissions.manageBroadcasts && (
          <DSLink tag={Link} to={`../broadcasts/${event.broadcastId}`}>
            {t('audit.target.open', 'Open broadcast')}
          </DSLink>
        )}
      </Flex>
    );
  }
  if (event.subscriberId) return <Cell>{t('audit.target.subscriber', 'Citizen no. {id}', { id: event.subscriberId })}</Cell>;
  return <Cell muted>{t('audit.target.none', 'No single broadcast or citizen')}</Cell>;
};

/** The action's own facts in words: counts, channels, templates, the approver's note. */
const Details = ({ event }: { event: AuditEvent }) => {
  const t = useT();
  const { formatList } = useIntl();
  const details = event.details as Record<string, unknown>;
  const number = (key: string) => Number(details[key] ?? 0);
  const text = (() => {
    switch (event.action) {
      case 'published': {
        const channels = Array.isArray(details.channels) ? (details.channels as string[]).map(channelName) : [];
        return channels.length ? t('audit.details.channels', 'Channels: {channels}', { channels: formatList(channels) }) : '';
      }
      case 'retried':
        return t('audit.details.reopened', '{count, plural, one {# failed message} other {# failed messages}} sent again', { count: number('reopened') });
      case 'update-sent':
        return details.kind === 'all-clear' ? t('audit.details.allClear', 'All-clear') : t('audit.details.update', 'Update');
      case 'test-sent':
      case 'inbox-replied':
        return typeof details.channel === 'string' ? channelName(details.channel) : '';
      case 'templates-submitted':
        return Array.isArray(details.templates) ? formatList(details.templates as string[]) : '';
      case 'purged':
        return t('audit.details.purged', '{subscribers} citizens’ records, {messages} inbox messages, {outbox} sandbox messages', {
          subscribers: number('subscribers'),
          messages: number('messages'),
          outbox: number('outbox'),
        });
      case 'approved':
      case 'rejected':
        return typeof details.note === 'string' ? details.note : '';
      case 'budget-changed':
        return t('audit.details.budget', 'from {previous} to {next}', { previous: String(details.previous ?? '–'), next: String(details.next ?? '–') });
      default:
        return '';
    }
  })();
  return <Cell muted>{text}</Cell>;
};

/** The CSV of what the filters show. */
const CsvButton = ({ query }: { query: AuditFilterQuery }) => {
  const t = useT();
  const client = useAdminClient();
  return <CsvDownloadButton fetchCsv={() => client.exportAuditCsv(query)} fileName="town-crier-protokoll" label={t('audit.export', 'Export CSV')} testId="audit-csv-export" />;
};

/** Each action in words (literal ids, so the translation test sees every one). */
function useActionLabel() {
  const t = useT();
  return (action: AuditAction): string => {
    switch (action) {
      case 'published':
        return t('audit.action.published', 'Published');
      case 'approved':
        return t('audit.action.approved', 'Approved');
      case 'rejected':
        return t('audit.action.rejected', 'Rejected');
      case 'paused':
        return t('audit.action.paused', 'Paused');
      case 'resumed':
        return t('audit.action.resumed', 'Resumed');
      case 'cancelled':
        return t('audit.action.cancelled', 'Cancelled');
      case 'retried':
        return t('audit.action.retried', 'Failed messages retried');
      case 'update-sent':
        return t('audit.action.updateSent', 'Update sent');
      case 'test-sent':
        return t('audit.action.testSent', 'Test message sent');
      case 'templates-submitted':
        return t('audit.action.templatesSubmitted', 'WhatsApp templates submitted');
      case 'inbox-replied':
        return t('audit.action.inboxReplied', 'Citizen answered from the inbox');
      case 'subscriber-exported':
        return t('audit.action.subscriberExported', 'Citizen’s data exported');
      case 'subscriber-erased':
        return t('audit.action.subscriberErased', 'Citizen’s data erased');
      case 'purged':
        return t('audit.action.purged', 'Deleted after retention');
      case 'budget-changed':
        return t('audit.action.budgetChanged', 'WhatsApp budget changed');
      default:
        return action;
    }
  };
}

/** An admin by the name they had then; the system and API tokens by what they are. */
function useActorLabel() {
  const t = useT();
  return (actor: Pick<AuditActor, 'actorKind' | 'actorId' | 'actorName'>): string => {
    if (actor.actorKind === 'system') return t('audit.actor.system', 'System (automatic)');
    if (actor.actorKind === 'api-token') return t('audit.actor.apiToken', 'API token {name}', { name: actor.actorName ?? '' });
    return actor.actorName ?? t('audit.actor.admin', 'Admin no. {id}', { id: actor.actorId ?? '?' });
  };
}
