import type { ClassifiedError } from '../channel';

/**
 * What is left of a failed push once the endpoint (pseudonymous personal data, and a capability
 * URL) is dropped: the HTTP status and the Retry-After header, safe to log.
 */
export class WebpushSendError extends Error {
  readonly statusCode?: number;
  readonly retryAfter?: string;
  readonly code?: string;
  /** How far the push service's `Date` header is from this server's clock (positive: ours is ahead). */
  readonly clockSkewMs?: number;

  constructor(message: string, details: { statusCode?: number; retryAfter?: string; code?: string; clockSkewMs?: number }) {
    super(message);
    this.name = 'WebpushSendError';
    if (details.statusCode !== undefined) this.statusCode = details.statusCode;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
    if (details.code !== undefined) this.code = details.code;
    if (details.clockSkewMs !== undefined) this.clockSkewMs = details.clockSkewMs;
  }
}

/** The stored endpoint is not one the town sends to (webpush.endpoint.ts): nothing was sent. */
export class WebpushEndpointRefusedError extends Error {
  constructor(problem: string) {
    super(`push endpoint refused: it ${problem}`);
    this.name = 'WebpushEndpointRefusedError';
  }
}

/** The town's own VAPID keys could not sign: every push would fail, whoever it is for. */
export class WebpushVapidError extends Error {
  constructor(detail: string) {
    super(`the town's VAPID keys cannot sign (${detail.slice(0, 120)}): check channels.webpush.vapid`);
    this.name = 'WebpushVapidError';
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
export function toWebpushSendError(error: unknown, now = Date.now()): unknown {
  if (!isRecord(error)) return error;
  const statusCode = typeof error.statusCode === 'number' ? error.statusCode : undefined;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (statusCode === undefined && code === undefined) return error;
  const headers = isRecord(error.headers) ? error.headers : {};
  const retryAfter = typeof headers['retry-after'] === 'string' ? headers['retry-after'] : undefined;
  const serviceNow = typeof headers.date === 'string' ? Date.parse(headers.date) : Number.NaN;
  const clockSkewMs = Number.isNaN(serviceNow) ? undefined : now - serviceNow;
  const message = statusCode !== undefined ? `push service answered ${statusCode}` : `push service unreachable (${code})`;
  return new WebpushSendError(message, { statusCode, retryAfter, code, clockSkewMs });
}

/**
 * The JWT web-push signs is valid for 12 hours from this server's clock; a push service whose
 * clock is further off than that sees every token of ours expired or too far ahead (RFC 8292 §2).
 */
const JWT_CLOCK_TOLERANCE_MS = 12 * 60 * 60 * 1000;

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
 * withdrawal. 429 asks to wait; 5xx and network failures are worth another try; 413 concerns
 * this one message.
 *
 * 400, 401 and 403 concern this one subscription: a push service answers 401/403 when the
 * subscription was made for another VAPID key (a stranger's browser subscribed with their own
 * key, or ours was rotated), so the subscriber is marked undeliverable and the others go on. An
 * endpoint comes from an anonymous visitor; no answer from one endpoint may stop the channel.
 * The channel stops only for a problem that is provably the town's own: its keys cannot sign
 * (`WebpushVapidError`), or a 401/403 whose `Date` header shows this server's clock so far off
 * that every token it signs is expired for every push service.
 */
export function classifyWebpushError(error: unknown): ClassifiedError {
  if (error instanceof WebpushSubscriptionError) {
    return { errorClass: 'permanent-recipient', code: 'bad-subscription', message: error.message, recipientEffect: 'undeliverable' };
  }
  if (error instanceof WebpushEndpointRefusedError) {
    return { errorClass: 'permanent-recipient', code: 'endpoint-refused', message: error.message, recipientEffect: 'undeliverable' };
  }
  if (error instanceof WebpushVapidError) return { errorClass: 'fatal-channel', code: 'vapid-keys', message: error.message };
  if (error instanceof WebpushUnsupportedMessageError) return { errorClass: 'permanent-recipient', code: 'unsupported-message', message: error.message };
  if (!(error instanceof WebpushSendError)) {
    return { errorClass: 'retry', code: 'unknown', message: error instanceof Error ? error.message.slice(0, 200) : 'unknown error' };
  }
  const status = error.statusCode;
  // A host that resolved to a non-public address (webpush.endpoint.ts): nothing was sent. The
  // subscriber is not marked, since the town's own resolver may be what is wrong.
  if (error.code === 'ERR_PUSH_ADDRESS_REFUSED') return { errorClass: 'permanent-recipient', code: 'address-refused', message: 'the push service resolved to an address the town never sends to' };
  if (status === undefined) return { errorClass: 'retry', code: error.code ?? 'network', message: error.message };
  const code = String(status);
  if (status === 404 || status === 410) {
    return { errorClass: 'permanent-recipient', code, message: 'the push subscription is gone', recipientEffect: 'withdrawn' };
  }
  if (status === 429) return { errorClass: 'retry-later', code, message: 'push service rate limit', retryAfterMs: retryAfterMs(error.retryAfter) };
  if (status >= 500) return { errorClass: 'retry', code, message: error.message };
  if (status === 401 || status === 403) {
    if (error.clockSkewMs !== undefined && Math.abs(error.clockSkewMs) >= JWT_CLOCK_TOLERANCE_MS) {
      return { errorClass: 'fatal-channel', code: `${code}-clock`, message: `this server's clock is ${Math.round(error.clockSkewMs / 3_600_000)} hours off the push service's, so every VAPID signature looks expired: set the clock right (NTP), then resume` };
    }
    return { errorClass: 'permanent-recipient', code, message: 'the push service refused the town’s VAPID signature for this subscription (made for another key)', recipientEffect: 'undeliverable' };
  }
  if (status === 413) return { errorClass: 'permanent-recipient', code, message: 'notification too large for the push service' };
  return { errorClass: 'permanent-recipient', code, message: error.message, recipientEffect: 'undeliverable' };
}
