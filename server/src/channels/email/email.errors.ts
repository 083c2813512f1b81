import type { ClassifiedError } from '../channel';

/**
 * Classifies what Strapi's email plugin throws. With the nodemailer provider that is a
 * nodemailer error carrying the SMTP reply (`responseCode`, `command`) or a transport `code`;
 * API providers (SendGrid, Mailgun, SES…) throw HTTP-ish errors, read from `statusCode`/`status`.
 *
 * The policy, from the SMTP reply codes (RFC 5321 §4.2):
 * - 4xx is "try again later" by definition (greylisting, full queue, 421 closing) → retry.
 * - 5xx on RCPT TO (`EENVELOPE`) is about this one address (550 no such user, 551, 553 bad
 *   mailbox name) → permanent for the recipient; 550/551/553 also mark it undeliverable so later
 *   announcements skip it. 552 (mailbox full) fails this mail only.
 * - 5xx on MAIL FROM means the server refuses our sender: every mail would fail alike → fatal.
 * - 5xx after DATA is a content or policy rejection for this recipient's server → recipient.
 * - Authentication (EAUTH, 530/534/535) needs an admin to fix credentials → fatal for the
 *   channel; its deliveries wait and the broadcast resumes once fixed.
 * - Connection, DNS, TLS and socket errors are usually a mail server restarting or a network
 *   blip → retry, bounded by the queue's attempts (the delivery stays reopenable). A timeout
 *   after DATA could in theory mean the mail went out; SMTP gives no way to ask, and a second
 *   copy of a town notice is less harmful than a lost one, so it is retried too.
 */

const MAX_MESSAGE_LENGTH = 300;
const UNDELIVERABLE_RCPT_CODES = new Set([550, 551, 553]);
const AUTH_CODES = new Set([530, 534, 535]);
const AUTH_ERROR_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
const CONFIG_ERROR_CODES = new Set(['EMESSAGE', 'ECONFIG']);

type UnknownRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is UnknownRecord => typeof value === 'object' && value !== null;
const asNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{3}$/.test(value)) return Number(value);
  return undefined;
};

/** SMTP replies quote the recipient; addresses never reach logs or the admin. */
export function sanitizeMailError(message: string, secrets: readonly string[] = []): string {
  let safe = message;
  for (const secret of secrets) if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  safe = safe
    .replace(/[^\s<>"'@]+@[^\s<>"'@]+/g, '[address]')
    .replace(/\s+/g, ' ')
    .trim();
  return safe.length > MAX_MESSAGE_LENGTH ? `${safe.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : safe;
}

export function classifyEmailError(error: unknown, secrets: readonly string[] = []): ClassifiedError {
  const record: UnknownRecord = isRecord(error) ? error : {};
  const rawMessage = error instanceof Error ? error.message : typeof record.message === 'string' ? record.message : 'Unknown error';
  const message = sanitizeMailError(rawMessage, secrets);
  const responseCode = asNumber(record.responseCode);
  const code = typeof record.code === 'string' ? record.code : undefined;
  const command = typeof record.command === 'string' ? record.command.toUpperCase() : '';

  if ((code && AUTH_ERROR_CODES.has(code)) || (responseCode !== undefined && AUTH_CODES.has(responseCode))) {
    return { errorClass: 'fatal-channel', code: responseCode ? `smtp-${responseCode}` : (code as string), message };
  }
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 500) {
    return { errorClass: 'retry', code: `smtp-${responseCode}`, message };
  }
  if (responseCode !== undefined && responseCode >= 500) {
    const tag = `smtp-${responseCode}`;
    if (command.startsWith('MAIL')) return { errorClass: 'fatal-channel', code: tag, message };
    if (command.startsWith('RCPT') || code === 'EENVELOPE') {
      return { errorClass: 'permanent-recipient', code: tag, message, ...(UNDELIVERABLE_RCPT_CODES.has(responseCode) ? { recipientEffect: 'undeliverable' as const } : {}) };
    }
    return { errorClass: 'permanent-recipient', code: tag, message };
  }
  // An envelope error without a reply code: nodemailer found no valid recipient address.
  if (code === 'EENVELOPE') return { errorClass: 'permanent-recipient', code, message, recipientEffect: 'undeliverable' };
  if (code && CONFIG_ERROR_CODES.has(code)) return { errorClass: 'permanent-announcement', code, message };

  // API providers: an HTTP status from their REST API.
  const status = asNumber(record.statusCode) ?? asNumber(record.status) ?? (isRecord(record.response) ? asNumber(record.response.status) ?? asNumber(record.response.statusCode) : undefined);
  if (status !== undefined) {
    if (status === 401 || status === 403) return { errorClass: 'fatal-channel', code: `http-${status}`, message };
    if (status === 429 || status === 408 || status >= 500) return { errorClass: 'retry', code: `http-${status}`, message };
    if (status === 400 || status === 422) return { errorClass: 'permanent-recipient', code: `http-${status}`, message };
  }
  // Connection-level trouble (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, ETLS…) and anything unknown:
  // retrying is bounded by the queue and cannot lose the message.
  return { errorClass: 'retry', code: code ?? 'unknown', message };
}
