import { useState } from 'react';
import { useNotification } from '@strapi/strapi/admin';
import { Button, Field, Flex, Modal, Textarea, Typography } from '@strapi/design-system';
import { FINISHED_RUN_STATES, isStateIn } from '../../../shared/contracts/broadcasts';
import { toApiError, useAdminClient, type Broadcast, type PublishApprovalPreview } from '../api/client';
import { useT } from '../hooks/useT';
import { approvalWhy } from '../hooks/useReasonLabel';
import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { channelName } from './ui';

type Translate = ReturnType<typeof useT>;

/** An approval still awaited for a broadcast an editor cancelled meanwhile: nothing is left to decide. */
const moot = (broadcast: Broadcast) => broadcast.approval?.state === 'awaiting' && isStateIn(FINISHED_RUN_STATES, broadcast.broadcastStatus);

/** "Wartet auf Freigabe", "Freigabe ausstehend", "Freigegeben von …", "Abgelehnt von …: note", for the list and the detail. */
export const ApprovalLine = ({ broadcast }: { broadcast: Broadcast }) => {
  const t = useT();
  const approval = broadcast.approval;
  if (!approval || moot(broadcast)) return null;
  const by = { by: approval.decidedBy ?? '—', publisher: approval.publishedBy ?? '—' };
  const note = approval.note ? ` „${approval.note}“` : '';
  const text =
    approval.state === 'awaiting'
      ? t('approval.line.awaiting', 'Published by {publisher}; another person must approve it', by)
      : approval.state === 'outstanding'
        ? t('approval.line.outstanding', 'Approval outstanding: it went out at once, a second person must approve it afterwards (published by {publisher})', by)
        : approval.state === 'approved'
          ? t('approval.line.approved', 'Approved by {by}', by) + note
          : t('approval.line.rejected', 'Rejected by {by}', by) + note;
  return (
    <Typography
      variant="pi"
      fontWeight="semiBold"
      // Waiting is said in the darkest text colour: the design system's warning700 on white is below 4.5:1 (axe).
      textColor={approval.state === 'rejected' ? 'danger700' : approval.state === 'approved' ? 'success700' : 'neutral800'}
      data-testid="broadcast-approval"
      style={{ whiteSpace: 'normal', overflowWrap: 'anywhere', display: 'block' }}
    >
      {text}
    </Typography>
  );
};

/**
 * Approve and reject, for an admin holding `broadcasts.approve` who did not publish it. A
 * rejection needs a note (the list shows it); an approval may have one. The publisher sees why
 * there is no button for them.
 */
export const ApprovalActions = ({ broadcast, onDone }: { broadcast: Broadcast; onDone(): void | Promise<void> }) => {
  const t = useT();
  const permissions = usePluginPermissions();
  const client = useAdminClient();
  const { toggleNotification } = useNotification();
  const [deciding, setDeciding] = useState<'approve' | 'reject' | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const approval = broadcast.approval;
  if (!approval || (approval.state !== 'awaiting' && approval.state !== 'outstanding') || moot(broadcast)) return null;
  if (approval.ownBroadcast) {
    return (
      <Typography variant="pi" textColor="neutral600" data-testid="approval-own" style={{ whiteSpace: 'normal' }}>
        {t('approval.own', 'You published it: a second person must approve it.')}
      </Typography>
    );
  }
  if (!permissions.approveBroadcasts) return null;

  const decide = async () => {
    if (!deciding) return;
    setBusy(true);
    try {
      if (deciding === 'approve') await client.approveBroadcast(broadcast.documentId, note.trim() ? { note: note.trim() } : {});
      else await client.rejectBroadcast(broadcast.documentId, { note: note.trim() });
      toggleNotification({
        type: 'success',
        message: deciding === 'approve' ? t('approval.done.approve', 'Approved: it goes out now') : t('approval.done.reject', 'Rejected: nothing more of it goes out'),
      });
      setDeciding(null);
      setNote('');
      await onDone();
    } catch (error) {
      const { status, code } = toApiError(error);
      const message =
        code === 'own-broadcast'
          ? t('approval.failed.own', 'Nobody may approve their own broadcast.')
          : code === 'village-rights'
            ? t('approval.failed.villages', 'Only someone who holds every village of this news may decide on it.')
            : status === 400
              ? t('actions.failed.state', 'That is no longer possible: the broadcast has moved on meanwhile. The view now shows where it stands.')
              : status === 403
                ? t('actions.failed.forbidden', 'Your role may not do this.')
                : t('actions.failed.other', 'That did not work. Please try again in a moment.');
      toggleNotification({ type: 'danger', message });
      if (status === 400) await onDone();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button size="S" onClick={() => setDeciding('approve')} data-testid="action-approve">
        {t('approval.approve', 'Approve')}
      </Button>
      <Button size="S" variant="danger-light" onClick={() => setDeciding('reject')} data-testid="action-reject">
        {t('approval.reject', 'Reject')}
      </Button>
      <Modal.Root open={deciding !== null} onOpenChange={(open: boolean) => !open && setDeciding(null)}>
        <Modal.Content>
          <Modal.Header>
            <Modal.Title>
              {deciding === 'approve' ? t('approval.approve.title', 'Approve “{title}”?', { title: broadcast.title }) : t('approval.reject.title', 'Reject “{title}”?', { title: broadcast.title })}
            </Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <Flex direction="column" alignItems="stretch" gap={3}>
              <Typography>
                {deciding === 'approve'
                  ? approval.state === 'awaiting'
                    ? t('approval.approve.body', 'It goes out to its recipients as soon as you approve.')
                    : t('approval.approve.bodyOutstanding', 'It has gone out already; your approval is recorded.')
                  : t('approval.reject.body', 'Nothing that still waits goes out. Please say why: the editors see your note.')}
              </Typography>
              <Field.Root name="approval-note" required={deciding === 'reject'}>
                <Field.Label>{deciding === 'reject' ? t('approval.note.required', 'Why (required)') : t('approval.note', 'Note (optional)')}</Field.Label>
                <Textarea value={note} onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => setNote(event.target.value)} maxLength={1000} data-testid="approval-note" />
              </Field.Root>
            </Flex>
          </Modal.Body>
          <Modal.Footer>
            <Modal.Close>
              <Button variant="tertiary">{t('common.close', 'Close')}</Button>
            </Modal.Close>
            <Button
              variant={deciding === 'reject' ? 'danger' : 'default'}
              loading={busy}
              disabled={deciding === 'reject' && !note.trim()}
              onClick={decide}
              data-testid="action-approval-confirm"
            >
              {deciding === 'reject' ? t('approval.reject.confirm', 'Reject') : t('approval.approve.confirm', 'Approve')}
            </Button>
          </Modal.Footer>
        </Modal.Content>
      </Modal.Root>
    </>
  );
};

/** The side panel's words for what Publish means for approval: whether it waits, why, and who can approve. */
export function approvalPreviewText(t: Translate, approval: PublishApprovalPreview | undefined): { text: string; who: string } | null {
  if (!approval?.mode) return null;
  const why = approval.reasons.map((reason) => approvalWhy(t, reason)).join('; ');
  const onlyWhatsapp = approval.heldChannels.length === 1 && approval.reasons.every((reason) => reason === 'over-budget');
  const text =
    approval.mode === 'send-then-approve'
      ? t('panel.approval.afterwards', 'It goes out at once; a second person must approve it afterwards ({why}).', { why })
      : onlyWhatsapp
        ? t('panel.approval.channel', 'Needs approval before it goes out on {channel} ({why}).', { channel: channelName(approval.heldChannels[0] ?? 'whatsapp'), why })
        : t('panel.approval.hold', 'Needs approval: a second person must approve it before it goes out ({why}).', { why });
  const who = approval.approvers.length
    ? t('panel.approval.who', 'Can approve: {names}.', { names: approval.approvers.join(', ') })
    : t('panel.approval.nobody', 'Nobody else holds the right to approve yet: ask an administrator.');
  return { text, who };
}
