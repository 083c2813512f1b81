import { useMemo, useState } from 'react';
import { useIntl } from 'react-intl';
import { useNotification } from '@strapi/strapi/admin';
import { Alert, Box, Button, Field, Flex, TextInput, Typography } from '@strapi/design-system';
import { queries, toApiError, useAdminClient, useQuery, type ApiError, type OutboxMessage } from '../api/client';
import { useT } from '../hooks/useT';
import { LoadError, Loading, Panel, channelName } from '../components/ui';
import { WhatsappMessageText } from '../components/WhatsappMessage';

interface CitizenAction {
  key: string;
  at: string;
  text: string;
}

/*
 * The sandbox outbox as the citizen's phone would show it. Taps and typed text go to
 * the sandbox's act route, which runs them through the same webhook processing as Meta's
 * callbacks, so the answers (confirmation, STOP receipt) appear here like on a real phone.
 */

/** A refusal of the sandbox API in the admin's language; the server's English for codes the admin does not know. */
export const useSandboxErrorLabel = () => {
  const t = useT();
  return (error: ApiError) => {
    switch (error.code) {
      case 'channel-not-enabled':
        return t('sandbox.error.channelNotEnabled', 'This channel is not switched on.');
      case 'channel-live':
        return t('sandbox.error.channelLive', 'This channel is live: the sandbox phone only acts on channels in sandbox mode.');
      case 'webpush-unsubscribe-only':
        return t('sandbox.error.webpushUnsubscribeOnly', 'A notification cannot be answered: its only button is “Mitteilungen abbestellen”.');
      case 'email-links-only':
        return t('sandbox.error.emailLinksOnly', 'An e-mail cannot be answered: use the confirm or unsubscribe link in the mail.');
      case 'invalid-number':
        return t('sandbox.error.invalidNumber', 'That is not a valid mobile number.');
      case 'invalid-chat-id':
        return t('sandbox.error.invalidChatId', 'A Telegram chat id is a number, e.g. 123456.');
      case 'no-receipts':
        return t('sandbox.error.noReceipts', 'Only WhatsApp reports delivered and read.');
      case 'account-channel':
        return t('sandbox.error.accountChannel', 'This is the town’s own account: nobody answers it here; replies stay on the platform.');
      case 'no-such-message':
        return t('sandbox.error.noSuchMessage', 'This sandbox message no longer exists.');
      default:
        return error.message;
    }
  };
};

/** What the operator types to pick a "phone": a number, an address or a chat id. */
const useAddressWords = () => {
  const t = useT();
  return (channel: string) =>
    channel === 'email'
      ? { label: t('sandbox.address.email', 'E-mail address'), hint: t('sandbox.address.email.hint', 'A test address, e.g. anna@example.org. Sandbox mails are test data.'), placeholder: 'name@example.org' }
      : channel === 'telegram'
        ? { label: t('sandbox.address.telegram', 'Telegram chat id'), hint: t('sandbox.address.telegram.hint', 'Any number stands for a test chat, e.g. 123456.'), placeholder: '123456' }
        : channel === 'mastodon' || channel === 'bluesky'
          ? { label: t('sandbox.address.account', 'The town’s account'), hint: t('sandbox.address.account.hint', 'Mastodon and Bluesky post once per news to the town’s own account.'), placeholder: '@…' }
        : channel === 'webpush'
          ? {
              label: t('sandbox.address.webpush', 'Browser (Web Push)'),
              hint: t('sandbox.address.webpush.hint', 'Each browser shows as wp: and a short code; its push service address is never shown.'),
              placeholder: 'wp:…',
            }
          : { label: t('sandbox.number', 'Phone number'), hint: t('sandbox.number.hint', 'A test number, e.g. +49 151 23456789. Sandbox numbers are test data.'), placeholder: '+49…' };
};

export const SandboxPage = () => {
  const t = useT();
  const addressWords = useAddressWords();
  const [number, setNumber] = useState('');
  const [active, setActive] = useState<{ address: string; channel: string } | null>(null);
  const everyone = useQuery(queries.outbox({}), { pollMs: 10_000 });
  const channels = everyone.data?.meta.channels ?? [];
  const [chosenChannel, setChosenChannel] = useState<string | null>(null);
  const channel = chosenChannel && channels.includes(chosenChannel) ? chosenChannel : (channels[0] ?? 'whatsapp');
  const recipients = useMemo(
    () => Array.from(new Set((everyone.data?.data ?? []).filter((message) => message.channel === channel).flatMap((message) => (message.to ? [message.to] : [])))).slice(0, 12),
    [everyone.data, channel]
  );
  const words = addressWords(channel);

  if (everyone.loading && !everyone.data) return <Loading />;
  if (!everyone.data && everyone.error)
    return everyone.error.status === 404 || everyone.error.status === 400 ? (
      <Alert variant="default" closeLabel={t('common.close', 'Close')} title={t('sandbox.off.title', 'No channel runs in sandbox mode')}>
        {t('sandbox.off', 'The sandbox phone only exists while a channel is in sandbox mode.')}
      </Alert>
    ) : (
      <LoadError error={everyone.error} onRetry={everyone.reload} />
    );

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <SandboxBanner />
      <Flex gap={6} alignItems="flex-start" wrap="wrap">
        <Box flex="1" minWidth="260px">
          <Panel title={t('sandbox.pick', 'Whose phone?')}>
            {channels.length > 1 && (
              <Flex gap={2} wrap="wrap" paddingBottom={3} role="group" aria-label={t('sandbox.channel', 'Channel')}>
                {channels.map((id) => (
                  <Button
                    key={id}
                    size="S"
                    variant={id === channel ? 'default' : 'tertiary'}
                    aria-pressed={id === channel}
                    data-testid={`sandbox-channel-${id}`}
                    onClick={() => {
                      setChosenChannel(id);
                      setNumber('');
                      setActive(null);
                    }}
                  >
                    {channelName(id)}
                  </Button>
                ))}
              </Flex>
            )}
            <form
              onSubmit={(event) => {
                event.preventDefault();
                setActive({ address: number.trim(), channel });
              }}
            >
              <Flex direction="column" alignItems="stretch" gap={3}>
                <Field.Root name="sandbox-number" hint={words.hint}>
                  <Field.Label>{words.label}</Field.Label>
                  <TextInput value={number} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setNumber(event.target.value)} placeholder={words.placeholder} />
                  <Field.Hint />
                </Field.Root>
                <Button type="submit" disabled={!number.trim()} data-testid="sandbox-open">
                  {t('sandbox.open', 'Show this phone')}
                </Button>
              </Flex>
            </form>
            {recipients.length > 0 && (
              <Flex direction="column" alignItems="flex-start" gap={2} paddingTop={4}>
                <Typography variant="sigma" textColor="neutral600">
                  {t('sandbox.recent', 'Recent recipients')}
                </Typography>
                <Flex gap={2} wrap="wrap">
                  {recipients.map((to) => (
                    <Button
                      key={to}
                      size="S"
                      variant={to === active?.address ? 'default' : 'tertiary'}
                      onClick={() => {
                        setNumber(to);
                        setActive({ address: to, channel });
                      }}
                    >
                      {to}
                    </Button>
                  ))}
                </Flex>
              </Flex>
            )}
          </Panel>
        </Box>
        {active ? (
          <Phone key={`${active.channel}:${active.address}`} number={active.address} channel={active.channel} />
        ) : (
          <Box flex="1" minWidth="260px" padding={6}>
            <Typography textColor="neutral600">{t('sandbox.choose', 'Choose a number to see what that phone received.')}</Typography>
          </Box>
        )}
      </Flex>
    </Flex>
  );
};

export const SandboxBanner = () => {
  const t = useT();
  return (
    <Box background="danger100" borderColor="danger600" borderStyle="solid" borderWidth="2px" hasRadius padding={4} data-testid="sandbox-banner">
      <Typography variant="beta" textColor="danger700" fontWeight="bold">
        {t('sandbox.banner', 'Sandbox mode: nothing is sent to citizens.')}
      </Typography>
    </Box>
  );
};

const RECEIPT_BUTTON = { border: '1px solid #8e8ea9', borderRadius: 10, background: '#ffffff', color: '#32324d', fontSize: 12, padding: '2px 8px', cursor: 'pointer' } as const;

const Phone = ({ number, channel: phoneChannel }: { number: string; channel: string }) => {
  const t = useT();
  const { formatTime } = useIntl();
  const client = useAdminClient();
  const { toggleNotification } = useNotification();
  const errorLabel = useSandboxErrorLabel();
  const outbox = useQuery(queries.outbox({ to: number }), { pollMs: 2000 });
  const [own, setOwn] = useState<CitizenAction[]>([]);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [marked, setMarked] = useState<Record<string, 'delivered' | 'read'>>({});
  const messages = (outbox.data?.data ?? []).filter((message) => message.channel === phoneChannel);
  // A mail cannot be answered: its citizen acts only through the mail's links (shown as buttons).
  // The town's Mastodon and Bluesky accounts only post: the phone shows what they would post.
  const accountChannel = phoneChannel === 'mastodon' || phoneChannel === 'bluesky';
  const canWrite = phoneChannel !== 'email' && !accountChannel;
  const stopWord = phoneChannel === 'telegram' ? '/stop' : 'STOP';

  const act = async (action: 'tap' | 'text', value: string, shown: string, channel = phoneChannel) => {
    setBusy(true);
    try {
      await client.sandboxAct({ channel, from: number, action, ...(action === 'tap' ? { payload: value } : { text: value }) });
      setOwn((previous) => [...previous, { key: `${Date.now()}-${previous.length}`, at: new Date().toISOString(), text: shown }]);
      setDraft('');
      await outbox.reload();
    } catch (error) {
      toggleNotification({ type: 'danger', message: errorLabel(toApiError(error)) });
    } finally {
      setBusy(false);
    }
  };

  /** WhatsApp's receipts, sent as Meta would: the broadcast's progress moves to delivered and read. */
  const mark = async (message: OutboxMessage, status: 'delivered' | 'read') => {
    if (!message.providerMessageId) return;
    setBusy(true);
    try {
      await client.sandboxAct({ channel: message.channel, from: number, action: 'status', messageId: message.providerMessageId, status });
      setMarked((previous) => ({ ...previous, [message.providerMessageId as string]: status }));
    } catch (error) {
      toggleNotification({ type: 'danger', message: errorLabel(toApiError(error)) });
    } finally {
      setBusy(false);
    }
  };

  const timeline = useMemo(() => {
    const incoming = messages.map((message) => ({ kind: 'town' as const, at: message.createdAt ?? '', message }));
    const outgoing = own.map((action) => ({ kind: 'citizen' as const, at: action.at, action }));
    return [...incoming, ...outgoing].sort((a, b) => a.at.localeCompare(b.at));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [outbox.data, own, phoneChannel]);

  return (
    <Box
      data-testid="sandbox-phone"
      style={{ width: 360, borderRadius: 36, border: '10px solid #212134', background: '#212134', boxShadow: '0 8px 24px rgba(33,33,52,0.25)' }}
    >
      <Box style={{ background: '#075e54', borderRadius: '26px 26px 0 0', padding: '14px 16px' }}>
        <Typography textColor="neutral0" fontWeight="bold">
          {number}
        </Typography>
      </Box>
      <Box style={{ background: '#ece5dd', height: 480, overflowY: 'auto', padding: 12 }}>
        {outbox.error && <LoadError error={outbox.error} onRetry={outbox.reload} />}
        {timeline.length === 0 && !outbox.loading && (
          <Typography variant="pi" textColor="neutral600">
            {t('sandbox.empty', 'Nothing sent to this number yet.')}
          </Typography>
        )}
        <Flex direction="column" alignItems="stretch" gap={2}>
          {timeline.map((entry) =>
            entry.kind === 'town' ? (
              <Box key={`m-${entry.message.id}`} style={{ alignSelf: 'flex-start', maxWidth: '85%' }} data-testid="sandbox-bubble">
                <Box style={{ background: '#ffffff', borderRadius: '0 10px 10px 10px', padding: '8px 10px' }}>
                  {entry.message.channel === 'whatsapp' ? (
                    <WhatsappMessageText preview={entry.message.preview} />
                  ) : (
                    <Typography style={{ whiteSpace: 'pre-wrap', fontSize: 14 }}>{entry.message.preview.text}</Typography>
                  )}
                  <Typography variant="pi" textColor="neutral500" style={{ display: 'block', textAlign: 'right' }}>
                    {entry.message.createdAt ? formatTime(entry.message.createdAt) : ''}
                    {entry.message.providerMessageId && marked[entry.message.providerMessageId] === 'read' ? ' ✓✓' : entry.message.providerMessageId && marked[entry.message.providerMessageId] ? ' ✓' : ''}
                  </Typography>
                </Box>
                {entry.message.channel === 'whatsapp' && entry.message.providerMessageId && (
                  <Flex gap={1} paddingTop={1}>
                    <button type="button" disabled={busy} onClick={() => mark(entry.message, 'delivered')} data-testid="sandbox-mark-delivered" style={RECEIPT_BUTTON}>
                      {t('sandbox.markDelivered', 'Mark delivered')}
                    </button>
                    <button type="button" disabled={busy} onClick={() => mark(entry.message, 'read')} data-testid="sandbox-mark-read" style={RECEIPT_BUTTON}>
                      {t('sandbox.markRead', 'Mark read')}
                    </button>
                  </Flex>
                )}
                {entry.message.preview.buttons.map((button) => (
                  <button
                    key={button.payload}
                    type="button"
                    disabled={busy}
                    onClick={() => act('tap', button.payload, button.title, entry.message.channel)}
                    data-testid="sandbox-button"
                    style={{ display: 'block', width: '100%', marginTop: 4, padding: '8px', border: 0, borderRadius: 10, background: '#ffffff', color: '#0b7cc1', fontSize: 14, cursor: 'pointer' }}
                  >
                    {button.title}
                  </button>
                ))}
              </Box>
            ) : (
              <Box key={entry.action.key} style={{ alignSelf: 'flex-end', maxWidth: '85%', background: '#dcf8c6', borderRadius: '10px 0 10px 10px', padding: '8px 10px' }}>
                <Typography style={{ whiteSpace: 'pre-wrap', fontSize: 14 }}>{entry.action.text}</Typography>
              </Box>
            )
          )}
        </Flex>
      </Box>
      {!canWrite ? (
        <Box style={{ padding: 12, background: '#f0f0f0', borderRadius: '0 0 26px 26px' }}>
          <Typography variant="pi" textColor="neutral800" data-testid="sandbox-email-note">
            {accountChannel
              ? t('sandbox.accountNote', 'The town’s own account: this is what it would post. Citizens follow it in their app.')
              : t('sandbox.emailNote', 'An e-mail cannot be answered: use the buttons under a mail, which do what its links would.')}
          </Typography>
        </Box>
      ) : (
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (draft.trim()) act('text', draft.trim(), draft.trim());
        }}
        style={{ display: 'flex', gap: 6, padding: 8, background: '#f0f0f0', borderRadius: '0 0 26px 26px' }}
      >
        <input
          aria-label={t('sandbox.type', 'Type as the citizen')}
          placeholder={t('sandbox.type', 'Type as the citizen')}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          style={{ flex: 1, border: 0, borderRadius: 18, padding: '8px 12px', fontSize: 14 }}
          data-testid="sandbox-input"
        />
        <button type="submit" disabled={busy || !draft.trim()} style={{ border: 0, borderRadius: 18, padding: '0 12px', background: '#075e54', color: '#fff' }}>
          {t('sandbox.send', 'Send')}
        </button>
        <button type="button" disabled={busy} onClick={() => act('text', stopWord, stopWord)} style={{ border: 0, borderRadius: 18, padding: '0 10px', background: '#b72b1a', color: '#fff' }}>
          {stopWord}
        </button>
      </form>
      )}
    </Box>
  );
};
