import { useT } from './useT';

/** Plain words for the server's status reasons and waiting reasons. */
export function useReasonLabel() {
  const t = useT();
  return (reason: string | null | undefined): string => {
    if (!reason) return '';
    if (reason.startsWith('channel-error:')) {
      const [, channel, code] = reason.split(':');
      return t('reason.channelError', 'Paused: the {channel} channel reported error {code}', { channel, code });
    }
    if (reason.startsWith('template-error:')) {
      return t('reason.templateError', 'Stopped: the message template was rejected (error {code})', { code: reason.split(':')[1] });
    }
    switch (reason) {
      case 'daily-limit':
        return t('reason.dailyLimit', 'Waiting for the daily reach limit');
      case 'quiet-hours':
        return t('reason.quietHours', 'Waiting for the end of quiet hours');
      case 'scheduled':
      case 'send-at':
        return t('reason.scheduled', 'Scheduled for later');
      case 'grace':
      case 'grace-period':
        return t('reason.grace', 'Waiting a moment in case the editor corrects the text');
      case 'paused':
      case 'paused-by-editor':
        return t('reason.paused', 'Paused by an editor');
      case 'cancelled-by-editor':
        return t('reason.cancelled', 'Cancelled by an editor');
      case 'all-deliveries-failed':
        return t('reason.allFailed', 'No message could be delivered');
      default:
        return reason;
    }
  };
}
