import type { ChannelProblem } from '../../../shared/contracts/channels';
import { useT } from './useT';

/**
 * The channel status page's problems in the admin's language. One case per code of
 * CHANNEL_PROBLEMS (shared/contracts/channels.ts); tests/unit/admin-translations.test.ts fails when
 * a code has no case here.
 */
export function useProblemLabel() {
  const t = useT();
  const credential = (key: string | undefined) => {
    switch (key) {
      case 'accessToken':
        return t('channels.credential.accessToken', 'access token');
      case 'botToken':
        return t('channels.credential.botToken', 'bot token');
      case 'from':
        return t('channels.credential.from', 'sender address (from)');
      case 'appPassword':
        return t('channels.credential.appPassword', 'app password');
      default:
        return key ?? '';
    }
  };
  return ({ code, values }: ChannelProblem): string => {
    switch (code) {
      case 'sandbox-switched-on':
        return t('channels.problem.sandboxSwitchedOn', 'Sandbox mode is switched on: nothing is sent.');
      case 'sandbox-no-credential':
        return t('channels.problem.sandboxNoCredential', 'No {credential} set: the channel runs in sandbox mode.', { credential: credential(values?.credential) });
      case 'no-phone-number-id':
        return t('channels.problem.noPhoneNumberId', 'No phone number id set.');
      case 'no-app-secret':
        return t('channels.problem.noAppSecret', 'No app secret set: webhook signatures cannot be checked, so every webhook is refused.');
      case 'no-verify-token':
        return t('channels.problem.noVerifyToken', 'No verify token set: Meta cannot subscribe the webhook.');
      case 'no-bot-username':
        return t('channels.problem.noBotUsername', 'No bot username set: the sign-up page cannot offer a t.me link.');
      case 'no-webhook-secret':
        return t('channels.problem.noWebhookSecret', 'No webhook secret set: every webhook is refused.');
      case 'channel-paused':
        return values?.errorCode
          ? t('channels.problem.pausedByError', 'Channel paused after error {code}.', { code: values.errorCode })
          : t('channels.problem.paused', 'Channel paused after an error.');
      case 'no-verified-webhook':
        return t('channels.problem.noVerifiedWebhook', 'No verified webhook in the last 24 hours.');
      case 'webhook-signature-failed':
        return t('channels.problem.webhookSignatureFailed', 'The last webhook failed the signature check: is the app secret right?');
      case 'daily-limit-used-up':
        return t('channels.problem.dailyLimitUsedUp', 'Daily reach limit used up: broadcasts wait until slots free up.');
      case 'redis-unreachable':
        return t('channels.problem.redisUnreachable', 'Redis cannot be reached: nothing is queued or sent.');
      case 'account-credential-rejected':
        return t('channels.problem.accountCredentialRejected', 'The account refused the {credential} (error {code}). Create a new one in the account’s settings, enter it in the configuration, then resume the paused broadcasts.', {
          credential: credential(values?.credential),
          code: values?.detail ?? '',
        });
      case 'proxy-without-max-ips':
        return t(
          'channels.problem.proxyWithoutMaxIps',
          'Strapi trusts X-Forwarded-For (server.proxy.koa) without maxIpsCount: clients can choose their own address, past the per-IP limits and into the consent records. Set maxIpsCount: 1 in config/server.'
        );
      default:
        return code;
    }
  };
}
