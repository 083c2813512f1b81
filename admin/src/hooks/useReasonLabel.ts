import { WAITING_REASON_KINDS, reasonKind, type RunReasonKind } from '../../../shared/contracts/broadcasts';
import { useT } from './useT';

type Translate = ReturnType<typeof useT>;

/**
 * Plain words for every reason in the server's vocabulary (`RUN_REASONS` in shared/contracts/broadcasts.ts).
 * The record must name every kind (TypeScript checks it), and tests/unit/reasons.test.ts checks
 * each has a German and an English text. Details after the kind (`channel-error:whatsapp:190`)
 * fill the placeholders; no raw token reaches the screen.
 */
/** Why a broadcast waits for a second person (`awaiting-approval:<why>`, shared/contracts/approval.ts). */
export const approvalWhy = (t: Translate, why: string): string =>
  why === 'village-rights'
    ? t('approval.why.villageRights', 'it goes to villages the publisher may not reach alone')
    : why === 'over-budget'
      ? t('approval.why.overBudget', 'WhatsApp would go over the month’s budget; the other channels go on')
      : why === 'unattended'
        ? t('approval.why.unattended', 'nobody published it in person (an official warning published on its own, or a script)')
        : t('approval.why.rule', 'the town’s rules ask for it');

export const REASON_LABELS: Record<RunReasonKind, (t: Translate, detail: string[]) => string> = {
  'grace-period': (t) => t('reason.grace', 'Waiting a moment in case the editor corrects the text'),
  'send-at': (t) => t('reason.scheduled', 'Scheduled for later'),
  'quiet-hours': (t) => t('reason.quietHours', 'Waiting for the end of quiet hours'),
  'daily-limit': (t) => t('reason.dailyLimit', 'Waiting for the daily reach limit'),
  'retry-after': (t) => t('reason.retryAfter', 'The provider asked to wait; sending continues by itself'),
  'paused-by-editor': (t) => t('reason.paused', 'Paused by an editor'),
  unpublished: (t) => t('reason.unpublished', 'Paused: the news was unpublished; publish it again to continue'),
  'link-missing': (t) => t('reason.linkMissing', 'Waiting: the link is missing a value; fill it in and publish again'),
  'channel-error': (t, [channel = '', code = '']) => t('reason.channelError', 'Paused: the {channel} channel reported error {code}', { channel, code }),
  'channel-paused': (t, [channel = '']) => t('reason.channelPaused', 'Waiting: the {channel} channel is stopped until an administrator resumes it', { channel }),
  // Mastodon and Bluesky refuse a post with their own words after the code (`template-error:422:Validation failed: …`): shown as they said it.
  'template-error': (t, [code = '', ...said]) => t('reason.templateError', 'Stopped: the message template was rejected (error {code})', { code }) + (said.length ? ` – ${said.join(':').trim()}` : ''),
  'cancelled-by-editor': (t) => t('reason.cancelled', 'Cancelled by an editor'),
  'all-deliveries-failed': (t) => t('reason.allFailed', 'No message could be delivered'),
  'awaiting-approval': (t, [why = '']) => t('reason.awaitingApproval', 'Awaiting approval: a second person must approve it before it goes out ({why})', { why: approvalWhy(t, why) }),
  'approval-rejected': (t) => t('reason.approvalRejected', 'Rejected at approval: nothing that waited for it goes out'),
};


export function useReasonLabel() {
  const t = useT();
  return (reason: string | null | undefined): string => {
    if (!reason) return '';
    // The broadcast detail's waiting reasons are words of their own, each meaning one run reason (the contract maps them).
    const kind = reasonKind(reason) ?? (WAITING_REASON_KINDS as Record<string, RunReasonKind | undefined>)[reason];
    if (!kind) return t('reason.unknown', 'Waiting');
    return REASON_LABELS[kind](t, reason.split(':').slice(1));
  };
}
