import { useMemo, useState } from 'react';
import { useIntl } from 'react-intl';
import { useFetchClient, useNotification } from '@strapi/strapi/admin';
import { Alert, Box, Button, Field, Flex, TextInput, Typography } from '@strapi/design-system';
import { PLUGIN_ID } from '../pluginId';
import { toApiError, useApi } from '../api/useApi';
import type { OutboxMessage } from '../api/types';
import { useT } from '../hooks/useT';
import { LoadError, Loading, Panel } from '../components/ui';

interface CitizenAction {
  key: string;
  at: string;
  text: string;
}

/**
 * The sandbox outbox as the citizen's phone would show it. Taps and typed text go to
 * /sandbox/act, which runs them through the same webhook processing as Meta's callbacks,
 * so the answers (confirmation, STOP receipt) appear here like on a real phone.
 */
export const SandboxPage = () => {
  const t = useT();
  const [number, setNumber] = useState('');
  const [activeNumber, setActiveNumber] = useState('');
  const everyone = useApi<OutboxMessage[]>(`/${PLUGIN_ID}/sandbox/outbox`, { pollMs: 10_000 });
  const recipients = useMemo(() => Array.from(new Set((everyone.data ?? []).map((message) => message.to))).slice(0, 12), [everyone.data]);

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
            <form
              onSubmit={(event) => {
                event.preventDefault();
                setActiveNumber(number.trim());
              }}
            >
              <Flex direction="column" alignItems="stretch" gap={3}>
                <Field.Root name="sandbox-number" hint={t('sandbox.number.hint', 'A test number, e.g. +49 151 23456789. Sandbox numbers are test data.')}>
                  <Field.Label>{t('sandbox.number', 'Phone number')}</Field.Label>
                  <TextInput value={number} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setNumber(event.target.value)} placeholder="+49…" />
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
                      variant={to === activeNumber ? 'default' : 'tertiary'}
                      onClick={() => {
                        setNumber(to);
                        setActiveNumber(to);
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
        {activeNumber ? (
          <Phone key={activeNumber} number={activeNumber} />
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
        SANDBOX · {t('sandbox.banner', 'Sandbox mode: nothing is sent to citizens.')}
      </Typography>
    </Box>
  );
};

const Phone = ({ number }: { number: string }) => {
  const t = useT();
  const { formatTime } = useIntl();
  const { post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const outbox = useApi<OutboxMessage[]>(`/${PLUGIN_ID}/sandbox/outbox?to=${encodeURIComponent(number)}`, { pollMs: 2000 });
  const [own, setOwn] = useState<CitizenAction[]>([]);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);

  // The channel this "phone" is on: the one its messages came through, else guessed from the address.
  const phoneChannel = (outbox.data ?? [])[0]?.channel ?? (number.includes('@') ? 'email' : 'whatsapp');

  const act = async (action: 'tap' | 'text', value: string, shown: string, channel = phoneChannel) => {
    setBusy(true);
    try {
      await post(`/${PLUGIN_ID}/sandbox/act`, { channel, from: number, action, ...(action === 'tap' ? { payload: value } : { text: value }) });
      setOwn((previous) => [...previous, { key: `${Date.now()}-${previous.length}`, at: new Date().toISOString(), text: shown }]);
      setDraft('');
      await outbox.reload();
    } catch (error) {
      toggleNotification({ type: 'danger', message: toApiError(error).message });
    } finally {
      setBusy(false);
    }
  };

  const timeline = useMemo(() => {
    const incoming = (outbox.data ?? []).map((message) => ({ kind: 'town' as const, at: message.createdAt, message }));
    const outgoing = own.map((action) => ({ kind: 'citizen' as const, at: action.at, action }));
    return [...incoming, ...outgoing].sort((a, b) => a.at.localeCompare(b.at));
  }, [outbox.data, own]);

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
                  <Typography style={{ whiteSpace: 'pre-wrap', fontSize: 14 }}>{entry.message.preview.text}</Typography>
                  <Typography variant="pi" textColor="neutral500" style={{ display: 'block', textAlign: 'right' }}>
                    {formatTime(entry.message.createdAt)}
                  </Typography>
                </Box>
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
        <button type="button" disabled={busy} onClick={() => act('text', 'STOP', 'STOP')} style={{ border: 0, borderRadius: 18, padding: '0 10px', background: '#d02b20', color: '#fff' }}>
          STOP
        </button>
      </form>
    </Box>
  );
};
