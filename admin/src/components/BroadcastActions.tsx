import { useState } from 'react';
import { useNotification } from '@strapi/strapi/admin';
import { Button, Checkbox, Dialog, Field, Flex, Modal, Radio, Textarea, TextInput } from '@strapi/design-system';
import { OPEN_RUN_STATES, PAUSABLE_RUN_STATES, UPDATABLE_STATES, isStateIn } from '../../../shared/contracts/broadcasts';
import { toApiError, useAdminClient, type Broadcast, type BroadcastAction, type FollowUpKind, type SendUpdateBody } from '../api/client';
import { useT } from '../hooks/useT';
import { ApprovalActions } from './Approval';

type Action = BroadcastAction;

/**
 * The editor's controls for one broadcast. Compact (in the list) shows pause/resume only;
 * the detail view shows everything.
 */
export const BroadcastActions = ({ broadcast, onDone, compact }: { broadcast: Broadcast; onDone(): void | Promise<void>; compact?: boolean }) => {
  const t = useT();
  const client = useAdminClient();
  const { toggleNotification } = useNotification();
  const [busy, setBusy] = useState<Action | 'send-update' | null>(null);
  const status = broadcast.broadcastStatus;
  const doneMessage = (action: Action | 'send-update') =>
    ({
      pause: t('actions.done.pause', 'Broadcast paused'),
      resume: t('actions.done.resume', 'Broadcast resumed'),
      cancel: t('actions.done.cancel', 'Broadcast cancelled'),
      'retry-failed': t('actions.done.retryFailed', 'Failed messages will be sent again'),
      'send-update': t('actions.done.sendUpdate', 'The update is on its way to everyone who got the announcement'),
    })[action];

  const run = async (action: Action | 'send-update', update?: SendUpdateBody) => {
    setBusy(action);
    try {
      if (action === 'send-update') await client.sendUpdate(broadcast.documentId, update ?? {});
      else await client.broadcastAction(broadcast.documentId, action);
      toggleNotification({ type: 'success', message: doneMessage(action) });
      await onDone();
      return true;
    } catch (error) {
      // The server's sentences are English (they are for logs and API clients); the editor gets
      // words in the admin's language, and a 400 means the broadcast moved on meanwhile: show it as it is now.
      const { status } = toApiError(error);
      const message =
        status === 400
          ? t('actions.failed.state', 'That is no longer possible: the broadcast has moved on meanwhile. The view now shows where it stands.')
          : status === 403
            ? t('actions.failed.forbidden', 'Your role may not do this.')
            : t('actions.failed.other', 'That did not work. Please try again in a moment.');
      toggleNotification({ type: 'danger', message });
      if (status === 400) await onDone();
      return false;
    } finally {
      setBusy(null);
    }
  };

  return (
    <Flex gap={2} wrap="wrap">
      {isStateIn(PAUSABLE_RUN_STATES, status) && (
        <Button variant="secondary" size="S" loading={busy === 'pause'} onClick={() => run('pause')} data-testid="action-pause">
          {t('broadcasts.pause', 'Pause')}
        </Button>
      )}
      <ApprovalActions broadcast={broadcast} onDone={onDone} />
      {/* A broadcast waiting for approval goes on with the approval, not with resume. */}
      {status === 'paused' && !broadcast.statusReason?.startsWith('awaiting-approval') && (
        <Button size="S" loading={busy === 'resume'} onClick={() => run('resume')} data-testid="action-resume">
          {t('broadcasts.resume', 'Resume')}
        </Button>
      )}
      {!compact && broadcast.failed > 0 && (
        <Button variant="secondary" size="S" loading={busy === 'retry-failed'} onClick={() => run('retry-failed')} data-testid="action-retry-failed">
          {t('broadcasts.retryFailed', 'Retry failed ({count})', { count: broadcast.failed })}
        </Button>
      )}
      {!compact && isStateIn(UPDATABLE_STATES, status) && <SendUpdate busy={busy === 'send-update'} onSend={(body) => run('send-update', body)} />}
      {!compact && isStateIn(OPEN_RUN_STATES, status) && (
        <Dialog.Root>
          <Dialog.Trigger>
            <Button variant="danger-light" size="S" loading={busy === 'cancel'} data-testid="action-cancel">
              {t('broadcasts.cancel', 'Cancel')}
            </Button>
          </Dialog.Trigger>
          <Dialog.Content>
            <Dialog.Header>{t('broadcasts.cancel.title', 'Cancel this broadcast?')}</Dialog.Header>
            <Dialog.Body>
              {t('broadcasts.cancel.body', 'Messages not sent yet will not be sent. Messages already sent cannot be taken back.')}
            </Dialog.Body>
            <Dialog.Footer>
              <Dialog.Cancel>
                <Button fullWidth variant="tertiary">
                  {t('common.keep', 'Keep sending')}
                </Button>
              </Dialog.Cancel>
              <Dialog.Action>
                <Button fullWidth variant="danger-light" onClick={() => run('cancel')} data-testid="action-cancel-confirm">
                  {t('broadcasts.cancel.confirm', 'Cancel broadcast')}
                </Button>
              </Dialog.Action>
            </Dialog.Footer>
          </Dialog.Content>
        </Dialog.Root>
      )}
    </Flex>
  );
};

/**
 * An update or all-clear to everyone the thread reached (the original's recipients who are still
 * subscribed), and to new matching subscribers only when the editor ticks the box.
 */
const SendUpdate = ({ busy, onSend }: { busy: boolean; onSend(body: SendUpdateBody): Promise<boolean> }) => {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [kind, setKind] = useState<FollowUpKind>('update');
  const [includeNew, setIncludeNew] = useState(false);
  const submit = async () => {
    const body: SendUpdateBody = { kind, includeNew };
    if (title.trim()) body.title = title.trim();
    if (text.trim()) body.text = text.trim();
    if (await onSend(body)) {
      setOpen(false);
      setTitle('');
      setText('');
      setKind('update');
      setIncludeNew(false);
    }
  };
  return (
    <Modal.Root open={open} onOpenChange={setOpen}>
      <Modal.Trigger>
        <Button variant="secondary" size="S" data-testid="action-send-update">
          {t('broadcasts.sendUpdate', 'Send update')}
        </Button>
      </Modal.Trigger>
      <Modal.Content>
        <Modal.Header>
          <Modal.Title>{t('broadcasts.sendUpdate.title', 'Send an update or all-clear to everyone who got this')}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Field.Root name="update-kind">
              <Field.Label>{t('followUp.kind', 'This is')}</Field.Label>
              <Radio.Group value={kind} onValueChange={(value: string) => setKind(value === 'all-clear' ? 'all-clear' : 'update')} aria-label={t('followUp.kind', 'This is')}>
                <Radio.Item value="update">{t('followUp.kind.update', 'An update')}</Radio.Item>
                <Radio.Item value="all-clear">{t('followUp.kind.allClear', 'An all-clear (Entwarnung)')}</Radio.Item>
              </Radio.Group>
            </Field.Root>
            <Checkbox checked={includeNew} onCheckedChange={(checked: boolean | 'indeterminate') => setIncludeNew(checked === true)} data-testid="send-update-include-new">
              {t('followUp.includeNew', 'Also to new subscribers of the topic who did not get the original')}
            </Checkbox>
            <Field.Root name="update-title">
              <Field.Label>{t('broadcasts.sendUpdate.fieldTitle', 'Title')}</Field.Label>
              <TextInput value={title} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setTitle(event.target.value)} maxLength={255} />
            </Field.Root>
            <Field.Root name="update-text" hint={t('broadcasts.sendUpdate.hint', 'Leave empty to send the announcement text again.')}>
              <Field.Label>{t('broadcasts.sendUpdate.fieldText', 'Text')}</Field.Label>
              <Textarea value={text} onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => setText(event.target.value)} maxLength={4000} />
              <Field.Hint />
            </Field.Root>
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary">{t('common.close', 'Close')}</Button>
          </Modal.Close>
          <Button onClick={submit} loading={busy} disabled={!title.trim() && !text.trim()}>
            {t('broadcasts.sendUpdate.submit', 'Send update')}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
