import type { ErrorClass } from '../channels/channel';

/**
 * Plain-words explanations of delivery failures for the broadcast monitor: what happened and
 * what, if anything, the town can do. Keyed by channel, then by the code the adapter stored.
 */
const WHATSAPP: Record<string, string> = {
  '131026': 'The number cannot receive WhatsApp messages (no WhatsApp account, an old app version, or the person blocked the town).',
  '131050': 'The person has stopped marketing messages from the town in WhatsApp; they receive nothing more until they allow them again.',
  '131049': 'WhatsApp held the message back because this person already got many business messages recently; it is tried again after 24 hours.',
  '130472': 'WhatsApp held the message back for this person as part of an experiment by Meta; nothing the town can change.',
  '131047': 'More than 24 hours have passed since the person last wrote, so only an approved template may be sent.',
  '131021': 'The message was addressed to the town’s own number.',
  '131030': 'The number is not on the test list of the WhatsApp test account; add it in Meta’s app dashboard or use the real business number.',
  '131008': 'A required part of the message was missing; check the template settings.',
  '131009': 'A value in the message was not accepted; check the template settings.',
  '100': 'WhatsApp rejected a parameter of the message.',
  '131053': 'An attachment could not be uploaded.',
  '132000': 'The number of values does not match the template; check the body parameters in the plugin settings.',
  '132001': 'The template does not exist under this name and language, or is not approved yet.',
  '132005': 'The text is too long for the template after filling in the values.',
  '132007': 'The template content breaks a WhatsApp policy.',
  '132012': 'A value does not have the format the template expects.',
  '132015': 'The template is paused by WhatsApp because of low quality; it is tried again later.',
  '132016': 'The template was disabled by WhatsApp because of low quality.',
  '131056': 'Too many messages to the same number in a short time; it is tried again in a few seconds.',
  '130429': 'The WhatsApp sending rate was exceeded; it is tried again.',
  '131000': 'An unknown error at WhatsApp; it is tried again.',
  '131016': 'WhatsApp was temporarily unavailable; it is tried again.',
  '190': 'The access token has expired or was revoked: nothing is sent until an administrator sets a new one.',
  '131031': 'The WhatsApp business account is locked: nothing is sent until Meta unlocks it.',
  '131042': 'A payment problem with the WhatsApp business account: nothing is sent until it is solved in Meta’s business manager.',
  '368': 'The account is temporarily blocked for breaking WhatsApp policies.',
  timeout: 'WhatsApp did not answer in time after the message was sent; it may have arrived. The status is checked before anything is resent.',
  'no-message-id': 'WhatsApp accepted the message without confirming it; the status is checked before anything is resent.',
  'payload:url-missing': 'The announcement has no link, but the template has a link button.',
  'payload:url-prefix-mismatch': 'The announcement’s link does not start with the address configured for the template’s link button.',
  'payload:url-too-long': 'The announcement’s link is too long for the template’s link button.',
};

const BY_CHANNEL: Record<string, Record<string, string>> = { whatsapp: WHATSAPP };

const BY_CLASS: Record<ErrorClass, string> = {
  retry: 'A temporary problem; the message was retried until the attempts ran out. "Retry failed" tries again.',
  'retry-later': 'A temporary limit; the message waits and is tried again later.',
  'permanent-recipient': 'This person cannot receive this message; retrying does not help.',
  'permanent-announcement': 'The message itself was rejected, so every recipient would fail alike; check the template and the announcement.',
  'fatal-channel': 'The channel’s account or settings are broken; sending stopped until an administrator fixes it and resumes.',
};

export function explainFailure(channel: string, code: string | null, errorClass: string | null): string {
  const known = code ? BY_CHANNEL[channel]?.[code] : undefined;
  if (known) return known;
  if (code?.startsWith('http-')) return `The provider answered HTTP ${code.slice(5)} without an error code; check the API address in the channel settings.`;
  return BY_CLASS[errorClass as ErrorClass] ?? 'The message could not be delivered.';
}
