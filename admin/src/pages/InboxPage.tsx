import { useState } from 'react';
import { useIntl } from 'react-intl';
import { useNotification } from '@strapi/strapi/admin';
import { Badge, Box, Button, Field, Flex, Textarea, Typography } from '@strapi/design-system';
import { queries, toApiError, useAdminClient, useQuery, type CannedReply, type InboxMessage } from '../api/client';
import { useT } from '../hooks/useT';
import { DATE_TIME, LoadError, Loading, Pager, Panel, Pill, channelName } from '../components/ui';

type Filter = 'open' | 'handled' | 'all';
const PAGE_SIZE = 20;

export const InboxPage = () => {
  const t = useT();
  const [filter, setFilter] = useState<Filter>('open');
  const [page, setPage] = useState(1);
  const inbox = useQuery(queries.inbox({ status: filter, page, pageSize: PAGE_SIZE }), { pollMs: 15_000 });

  // A filter of one list, not separate views: toggle buttons (aria-pressed), not tabs without panels.
  const filters: Array<[Filter, string]> = [
    ['open', t('inbox.filter.open', 'Open')],
    ['handled', t('inbox.filter.handled', 'Handled')],
    ['all', t('inbox.filter.all', 'All')],
  ];
  const header = (
    <Flex gap={1} role="group" aria-label={t('inbox.filter', 'Which messages')}>
      {filters.map(([value, label]) => (
        <Button
          key={value}
          size="S"
          variant={filter === value ? 'default' : 'tertiary'}
          aria-pressed={filter === value}
          onClick={() => {
            setFilter(value);
            setPage(1);
          }}
        >
          {label}
        </Button>
      ))}
    </Flex>
  );

  if (inbox.loading && !inbox.data) return <Loading />;
  if (!inbox.data) return inbox.error ? <LoadError error={inbox.error} onRetry={inbox.reload} /> : null;
  const { data: messages, meta } = inbox.data;
  const pageCount = meta.pagination.pageCount ?? Math.max(1, Math.ceil(meta.pagination.total / meta.pagination.pageSize));

  if (!meta.enabled)
    return (
      <Panel title={t('inbox.title', 'Inbox')}>
        <Typography textColor="neutral600">
          {t('inbox.disabled', 'The inbox is switched off. Turn on `inbox.enabled` in the plugin configuration to read and answer citizens.')}
        </Typography>
      </Panel>
    );

  return (
    <Panel title={t('inbox.title', 'Inbox')} action={header} testId="inbox-panel">
      {inbox.error && <LoadError error={inbox.error} onRetry={inbox.reload} />}
      {messages.length === 0 ? (
        <Typography textColor="neutral600">{t('inbox.empty', 'No messages here.')}</Typography>
      ) : (
        <Flex direction="column" alignItems="stretch" gap={3}>
          {messages.map((message) => (
            <InboxItem key={message.id} message={message} cannedReplies={meta.cannedReplies} onChange={inbox.reload} />
          ))}
        </Flex>
      )}
      <Pager page={page} pageCount={pageCount} onChange={setPage} />
    </Panel>
  );
};

const InboxItem = ({ message, cannedReplies, onChange }: { message: InboxMessage; cannedReplies: CannedReply[]; onChange(): Promise<void> }) => {
  const t = useT();
  const { formatDate } = useIntl();
  const client = useAdminClient();
  const { toggleNotification } = useNotification();
  const [replying, setReplying] = useState(false);
  const [reply, setReply] = useState('');
  const [busy, setBusy] = useState(false);

  const call = async (request: () => Promise<unknown>, success: string) => {
    setBusy(true);
    try {
      await request();
      toggleNotification({ type: 'success', message: success });
      setReplying(false);
      setReply('');
      await onChange();
    } catch (error) {
      toggleNotification({ type: 'danger', message: toApiError(error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box padding={4} hasRadius borderColor="neutral200" background={message.handledAt ? 'neutral100' : 'neutral0'} data-testid={`inbox-message-${message.id}`}>
      <Flex direction="column" alignItems="stretch" gap={2}>
        <Flex justifyContent="space-between" gap={2} wrap="wrap">
          <Flex gap={2}>
            <Typography fontWeight="bold">{message.name ?? message.from}</Typography>
            {message.name && (
              <Typography variant="pi" textColor="neutral600">
                {message.from}
              </Typography>
            )}
            <Badge>{channelName(message.channel)}</Badge>
            {message.handledAt ? (
              <Pill tone="success">{t('inbox.handled', 'Handled')}</Pill>
            ) : (
              <Pill tone="warning">{t('inbox.open', 'Open')}</Pill>
            )}
          </Flex>
          <Typography variant="pi" textColor="neutral600">
            {message.receivedAt ? formatDate(message.receivedAt, DATE_TIME) : ''}
          </Typography>
        </Flex>
        <Typography style={{ whiteSpace: 'pre-wrap' }} data-testid="inbox-text">
          {message.text}
        </Typography>
        {!message.windowOpen && (
          <Typography variant="pi" textColor="neutral600">
            {t('inbox.windowClosed', 'More than 24 hours ago: WhatsApp only allows a free reply within 24 hours of the citizen’s last message.')}
          </Typography>
        )}
        {replying && (
          <Flex direction="column" alignItems="stretch" gap={2}>
            {cannedReplies.length > 0 && (
              <Flex gap={2} wrap="wrap">
                {cannedReplies.map((canned) => (
                  <Button key={canned.id} size="S" variant="tertiary" onClick={() => setReply(canned.text)}>
                    {canned.label}
                  </Button>
                ))}
              </Flex>
            )}
            <Field.Root name={`reply-${message.id}`}>
              <Field.Label>{t('inbox.reply.label', 'Your answer')}</Field.Label>
              <Textarea value={reply} onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => setReply(event.target.value)} maxLength={4096} />
            </Field.Root>
          </Flex>
        )}
        <Flex gap={2} justifyContent="flex-end">
          {replying ? (
            <>
              <Button variant="tertiary" onClick={() => setReplying(false)}>
                {t('common.close', 'Close')}
              </Button>
              <Button loading={busy} disabled={!reply.trim()} onClick={() => call(() => client.replyInbox(message.id, { text: reply.trim() }), t('inbox.reply.sent', 'Answer sent'))}>
                {t('inbox.reply.send', 'Send answer')}
              </Button>
            </>
          ) : (
            <>
              {!message.handledAt && (
                <Button variant="tertiary" loading={busy} onClick={() => call(() => client.markInboxHandled(message.id), t('inbox.markedHandled', 'Marked as handled'))} data-testid="inbox-mark-handled">
                  {t('inbox.markHandled', 'Mark handled')}
                </Button>
              )}
              <Button variant="secondary" disabled={!message.windowOpen} onClick={() => setReplying(true)} data-testid="inbox-reply">
                {t('inbox.reply', 'Reply')}
              </Button>
            </>
          )}
        </Flex>
      </Flex>
    </Box>
  );
};
