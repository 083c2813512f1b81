import type { ClassifiedError } from '../channel';

/**
 * What is left of a failed push once the endpoint (pseudonymous personal data, and a capability
 * URL) is dropped: the HTTP status and the Retry-After header, safe to log.
 */
export class WebpushSendError extends Error {
  readonly statusCode?: number;
  readonly retryAfter?: string;
  readonly code?: string;

  constructor(message: string, details: { statusCode?: number; retryAfter?: string; code?: string }) {
    super(message);
    this.name = 'WebpushSendError';
    if (details.statusCode !== undefined) this.statusCode = details.statusCode;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
    if (details.code !== undefined) this.code = details.code;
  }
}

/** A subscription the channel cannot use (no keys, not a JSON subscription). */
export class WebpushSubscriptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebpushSubscriptionError';
  }
}

/** A message kind Web Push does not carry (confirmations, free-text replies): nothing to mark on the subscriber. */
export class WebpushUnsupportedMessageError extends Error {
  constructor(kind: string) {
    super(`Web Push sends no ${kind} messages`);
    this.name = 'WebpushUnsupportedMessageError';
  }
}

type UnknownRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is UnknownRecord => typeof value === 'object' && value !== null;

/** `web-push`'s WebPushError carries the endpoint; only status and Retry-After are kept. */
export function toWebpushSendError(error: unknown): unknown {
  if (!isRecord(error)) return error;
  const statusCode = typeof error.statusCode === 'number' ? error.statusCode : undefined;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (statusCode === undefined && code === undefined) return error;
  const headers = isRecord(error.headers) ? error.headers : {};
  const retryAfter = typeof headers['retry-after'] === 'string' ? headers['retry-after'] : undefined;
  const message = statusCode !== undefined ? `push service answered ${statusCode}` : `push service unreachable (${code})`;
  return new WebpushSendError(message, { statusCode, retryAfter, code });
}

const DEFAULT_RETRY_AFTER_MS = 60_000;

/** `Retry-After` is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | undefined, now = Date.now()): number {
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

/**
 * RFC 8030 answers, as the big push services use them: 404/410 the subscription is gone (the
 * citizen revoked permission, cleared the browser, or the service expired it): it is a
 * withdrawal. 429 asks to wait; 5xx and network failures are worth another try; 413 and 400
 * concern this one message or subscription; 401/403 mean the town's VAPID keys are refused.
 */
export function classifyWebpushError(error: unknown): ClassifiedError {
  if (error instanceof WebpushSubscriptionError) {
    return { errorClass: 'permanent-recipient', code: 'bad-subscription', message: error.message, recipientEffect: 'undeliverable' };
  }
  if (error instanceof WebpushUnsupportedMessageError) return { errorClass: 'permanent-recipient', code: 'unsupported-message', message: error.message };
  if (!(error instanceof WebpushSendError)) {
    return { errorClass: 'retry', code: 'unknown', message: error instanceof Error ? error.message.slice(0, 200) : 'unknown error' };
  }
  const status = error.statusCode;
  if (status === undefined) return { errorClass: 'retry', code: error.code ?? 'network', message: error.message };
  const code = String(status);
  if (status === 404 || status === 410) {
    return { errorClass: 'permanent-recipient', code, message: 'the push subscription is gone', recipientEffect: 'withdrawn' };
  }
  if (status === 429) return { errorClass: 'retry-later', code, message: 'push service rate limit', retryAfterMs: retryAfterMs(error.retryAfter) };
  if (status >= 500) return { errorClass: 'retry', code, message: error.message };
  if (status === 401 || status === 403) {
    return { errorClass: 'fatal-channel', code, message: 'the push service refused the VAPID signature: check channels.webpush.vapid' };
  }
  if (status === 413) return { errorClass: 'permanent-recipient', code, message: 'notification too large for the push service' };
  return { errorClass: 'permanent-recipient', code, message: error.message, recipientEffect: 'undeliverable' };
}
