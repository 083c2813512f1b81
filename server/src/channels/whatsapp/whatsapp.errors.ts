import type { ClassifiedError } from '../channel';
import { WhatsappPayloadError } from './whatsapp.payloads';

/**
 * Turns anything a send (or a failed-status webhook) can produce into a `ClassifiedError`.
 * Meta asks integrators to decide on `error.code` (+ `error_data.details`), never on the HTTP
 * status or the deprecated `error_subcode`, so the code table below is the whole policy.
 */

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** Meta's pair limit is one message per 6 s to the same user. */
const PAIR_RATE_LIMIT_DELAY_MS = 6 * SECOND_MS;
/** Codes 4/80007 are an hourly call budget; a quarter of it is long enough for it to recover. */
const CALL_BUDGET_DELAY_MS = 15 * MINUTE_MS;
/** Meta: after 131049 "wait at least 24 hours before resending". */
const PER_USER_MARKETING_LIMIT_DELAY_MS = 24 * HOUR_MS;
/** Meta's advice: after 131049 retry at most about twice, then offer another channel. */
const MARKETING_CAP_RETRIES = 2;
/** The code a delivery ends with once its 131049 waits are used up (explained in the admin). */
export const MARKETING_CAP_REACHED = 'marketing-cap-reached';

/** The parts of the code table a town may tune (`channels.whatsapp.marketingCap*`). */
export interface WhatsappErrorPolicy {
  /** How many times a delivery waits after 131049 before it ends as `marketing-cap-reached`. */
  marketingCapRetries: number;
  /** How long each of those waits is. */
  marketingCapWaitMs: number;
}

export const DEFAULT_ERROR_POLICY: WhatsappErrorPolicy = { marketingCapRetries: MARKETING_CAP_RETRIES, marketingCapWaitMs: PER_USER_MARKETING_LIMIT_DELAY_MS };

/** A first template pause lasts 3 h; a second one (6 h) just means one more wait. */
const TEMPLATE_PAUSED_DELAY_MS = 3 * HOUR_MS;
/**
 * After a timeout the message may have gone out. The send API has no idempotency key, so a
 * resend can mean the citizen gets the news twice. Waiting this long gives the status webhook
 * (which carries our delivery ref) time to settle it before anyone considers a resend.
 */
const AMBIGUOUS_DELAY_MS = 15 * MINUTE_MS;

const MAX_MESSAGE_LENGTH = 300;

type Rule = Omit<ClassifiedError, 'code' | 'message'>;

const RETRY: Rule = { errorClass: 'retry' };
const RECIPIENT: Rule = { errorClass: 'permanent-recipient' };
const ANNOUNCEMENT: Rule = { errorClass: 'permanent-announcement' };
const FATAL: Rule = { errorClass: 'fatal-channel' };

/** Meta's Cloud API codes as the delivery worker must treat them (reference §3.3/3.4). */
const CODE_RULES: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  // Transient on Meta's side: throughput, unknown/internal errors, maintenance.
  [1, RETRY],
  [2, RETRY],
  [130429, RETRY],
  [131000, RETRY],
  [131016, RETRY],
  [131057, RETRY],
  // Transient, but retrying sooner than the limit allows only hits it again.
  [4, { errorClass: 'retry-later', retryAfterMs: CALL_BUDGET_DELAY_MS }],
  [80007, { errorClass: 'retry-later', retryAfterMs: CALL_BUDGET_DELAY_MS }],
  [131056, { errorClass: 'retry-later', retryAfterMs: PAIR_RATE_LIMIT_DELAY_MS }],
  // Meta's per-user marketing cap: wait, a bounded number of times (see `withPolicy`).
  [131049, { errorClass: 'retry-later', retryAfterMs: PER_USER_MARKETING_LIMIT_DELAY_MS, holdLimit: { max: MARKETING_CAP_RETRIES, exhaustedCode: MARKETING_CAP_REACHED } }],
  [132015, { errorClass: 'retry-later', retryAfterMs: TEMPLATE_PAUSED_DELAY_MS }],
  // This recipient, this message: resending the same request cannot succeed.
  [131026, { errorClass: 'permanent-recipient', recipientEffect: 'undeliverable' }],
  [131050, { errorClass: 'permanent-recipient', recipientEffect: 'marketing-stopped' }],
  [100, RECIPIENT],
  [131008, RECIPIENT],
  [131009, RECIPIENT],
  [131021, RECIPIENT],
  [131030, RECIPIENT],
  [131047, RECIPIENT],
  // Marketing experiment hold-out: Meta decided for this user, and marketing templates will not
  // reach them; like 131026 the number is marked unreachable so later news does not try again.
  [130472, { errorClass: 'permanent-recipient', recipientEffect: 'undeliverable' }],
  // The template or its content is wrong: every recipient of the announcement would fail alike.
  [131053, ANNOUNCEMENT],
  [132000, ANNOUNCEMENT],
  [132001, ANNOUNCEMENT],
  [132005, ANNOUNCEMENT],
  [132007, ANNOUNCEMENT],
  [132012, ANNOUNCEMENT],
  [132016, ANNOUNCEMENT],
  // Account, token, billing or policy: nothing will go out until an admin acts.
  [0, FATAL],
  [3, FATAL],
  [10, FATAL],
  [190, FATAL],
  [368, FATAL],
  [131005, FATAL],
  [131031, FATAL],
  [131042, FATAL],
  [131045, FATAL],
  [131048, FATAL],
  [133010, FATAL],
]);

function ruleForCode(code: number, graphMethodError: boolean): Rule | undefined {
  // Code 100 is usually a bad parameter of this one message. As a GraphMethodException
  // (subcode 33, "Object with ID … does not exist") it means the phone-number id or API path
  // is wrong, which fails every message; treating it per recipient would fail them all for good.
  if (code === 100 && graphMethodError) return FATAL;
  if (code >= 200 && code <= 299) return FATAL;
  return CODE_RULES.get(code);
}

/** Network errors where the connection never carried our request: resending cannot duplicate. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED']);
/** The connection broke; whether before or after Meta read the request depends on timing. */
const BROKEN_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);

type UnknownRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is UnknownRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

function asCode(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

const asText = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * Meta answered 2xx but without a message id. It did take the request, so this is treated
 * like a timeout: maybe sent, reconcile through the status webhook rather than resend.
 */
export class WhatsappResponseError extends Error {
  readonly code = 'no-message-id';
  constructor() {
    super('The WhatsApp Cloud API accepted the request but returned no message id');
    this.name = 'WhatsappResponseError';
  }
}

/**
 * What is left of an axios error once the request config (which holds the bearer token) is
 * dropped. The send path rethrows this, so a queue or logger that serialises the error whole
 * never sees the token; it keeps exactly the fields the classifier reads.
 */
export class WhatsappSendError extends Error {
  readonly code?: string;
  readonly response?: { status: number; data: unknown };
  readonly request?: { writableFinished: boolean; reusedSocket?: boolean };

  constructor(message: string, details: { code?: string; response?: { status: number; data: unknown }; requestSent?: boolean; staleConnection?: boolean }) {
    super(message);
    this.name = 'WhatsappSendError';
    if (details.code !== undefined) this.code = details.code;
    if (details.response) this.response = details.response;
    if (details.requestSent !== undefined) this.request = { writableFinished: details.requestSent, ...(details.staleConnection ? { reusedSocket: true } : {}) };
  }
}

/**
 * Strips an axios (or any transport) error down to a `WhatsappSendError`; other errors pass
 * through. Meta's error text can quote the recipient's number, so the response body is reduced
 * to the fields the classifier reads, with the texts already sanitised.
 */
export function toWhatsappSendError(error: unknown, secrets: readonly string[] = []): unknown {
  const failure = readTransportFailure(error);
  if (!failure) return error;
  const provider = readProviderError(failure.responseBody);
  const data = provider
    ? {
        error: {
          code: provider.code,
          message: sanitizeErrorMessage(provider.text, secrets),
          ...(provider.graphMethodError ? { type: 'GraphMethodException' } : {}),
        },
      }
    : undefined;
  return new WhatsappSendError(sanitizeErrorMessage(failure.message, secrets), {
    code: failure.networkCode,
    response: failure.status === undefined ? undefined : { status: failure.status, data },
    requestSent: failure.requestSent,
    staleConnection: failure.staleConnection,
  });
}

/**
 * Removes what must not reach logs or the admin panel: secrets the caller knows about, bearer
 * tokens, and phone numbers (any run of 7+ digits, also when written with separators).
 */
export function sanitizeErrorMessage(message: string, secrets: readonly string[] = []): string {
  let safe = message;
  for (const secret of secrets) {
    if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  }
  safe = safe
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    // Meta access tokens start with EAA; any long opaque run is treated the same way.
    .replace(/\bEAA[A-Za-z0-9]{8,}/g, '[redacted]')
    .replace(/[A-Za-z0-9_-]{40,}/g, '[redacted]')
    .replace(/\+?\d(?:[\s().\/-]{0,2}\d){6,}/g, '[number]')
    .replace(/\s+/g, ' ')
    .trim();
  return safe.length > MAX_MESSAGE_LENGTH ? `${safe.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : safe;
}

interface ProviderError {
  code: number;
  /** Meta's title or message, then its details, joined for humans. */
  text: string;
  graphMethodError: boolean;
}

/** Reads Meta's error shape: a Graph response `{ error: {...} }` or a webhook `errors[]` entry. */
function readProviderError(value: unknown): ProviderError | undefined {
  if (!isRecord(value)) return undefined;
  const inner = isRecord(value.error) ? value.error : value;
  const code = asCode(inner.code);
  if (code === undefined) return undefined;
  const errorData = isRecord(inner.error_data) ? inner.error_data : {};
  const headline = asText(inner.title) ?? asText(inner.message) ?? `WhatsApp error ${code}`;
  const details = asText(errorData.details);
  return {
    code,
    text: details && details !== headline ? `${headline}: ${details}` : headline,
    graphMethodError: inner.type === 'GraphMethodException' || asCode(inner.error_subcode) === 33,
  };
}

interface TransportFailure {
  /** HTTP status when a response arrived. */
  status?: number;
  responseBody?: unknown;
  networkCode?: string;
  /** Whether our request body was completely handed to the socket; undefined when unknown. */
  requestSent?: boolean;
  /** The request went out on a kept-alive connection from an earlier request, and no answer had begun. */
  staleConnection?: boolean;
  message: string;
}

/** Duck-typed so errors survive structured cloning and do not depend on axios' class identity. */
function readTransportFailure(error: unknown): TransportFailure | undefined {
  if (!isRecord(error) && !(error instanceof Error)) return undefined;
  const record = error as UnknownRecord;
  const response = isRecord(record.response) ? record.response : undefined;
  const status = asCode(response?.status);
  const networkCode = typeof record.code === 'string' && /^[A-Z_]+$/.test(record.code) ? record.code : undefined;
  if (status === undefined && networkCode === undefined) return undefined;
  const request = isRecord(record.request) ? record.request : undefined;
  // Node's ClientRequest sets writableFinished once the whole body was flushed to the socket.
  const requestSent = typeof request?.writableFinished === 'boolean' ? request.writableFinished : undefined;
  // ClientRequest.reusedSocket: the socket came from the agent's pool; `res` is set once an answer began.
  const staleConnection = request?.reusedSocket === true && !request.res && status === undefined;
  return {
    status,
    responseBody: response?.data,
    networkCode,
    requestSent,
    staleConnection,
    message: error instanceof Error ? error.message : String(record.message ?? ''),
  };
}

/** The town's tuning of the marketing cap applied to the table's rule. */
function withPolicy(code: number, rule: Rule, policy: WhatsappErrorPolicy): Rule {
  if (code !== 131049) return rule;
  return { ...rule, retryAfterMs: policy.marketingCapWaitMs, holdLimit: { max: policy.marketingCapRetries, exhaustedCode: MARKETING_CAP_REACHED } };
}

function fromCode(provider: ProviderError, secrets: readonly string[], policy: WhatsappErrorPolicy): ClassifiedError {
  const rule = withPolicy(provider.code, ruleForCode(provider.code, provider.graphMethodError) ?? RETRY, policy);
  // Unknown codes: Meta answered with an error, so the message was not accepted and resending
  // cannot duplicate it; a permanent class would drop it. `retry` is bounded by the queue's
  // max attempts and leaves the delivery reopenable, so a new code costs a few calls, no message.
  return { ...rule, code: String(provider.code), message: sanitizeErrorMessage(provider.text, secrets) };
}

function fromTransport(failure: TransportFailure, secrets: readonly string[]): ClassifiedError {
  const { status, networkCode } = failure;
  if (status !== undefined) {
    // A response without Meta's error body came from something else: a proxy, a load balancer,
    // a wrong baseUrl. 5xx/429/408 are transient by nature; anything else will hit every message,
    // so the channel stops (deliveries stay waiting) instead of failing recipients one by one.
    const transient = status >= 500 || status === 429 || status === 408;
    return {
      errorClass: transient ? 'retry' : 'fatal-channel',
      code: `http-${status}`,
      message: sanitizeErrorMessage(`HTTP ${status} without a WhatsApp error code`, secrets),
    };
  }
  const code = networkCode as string;
  if (NOT_SENT_NETWORK_CODES.has(code)) {
    return { errorClass: 'retry', code, message: `Could not reach the WhatsApp Cloud API (${code})` };
  }
  if (TIMEOUT_CODES.has(code) && failure.requestSent !== false) {
    return {
      errorClass: 'retry-later',
      code: 'timeout',
      ambiguous: true,
      retryAfterMs: AMBIGUOUS_DELAY_MS,
      message: 'No answer from the WhatsApp Cloud API after the message was sent; it may have been delivered',
    };
  }
  if (code === 'ECONNRESET' && failure.staleConnection) {
    // A kept-alive connection the provider had closed while it sat idle (its idle timeout ran
    // out, often while this process was busy): the request was written into a socket whose other
    // end was gone, and the reset is the answer to our bytes, not to a request Meta read. Node's
    // documentation names this case (`request.reusedSocket`) as the one to retry. Resending cannot
    // duplicate, so it is a plain retry, not an ambiguous wait.
    return { errorClass: 'retry', code, message: `The WhatsApp Cloud API had closed the idle connection (${code}); sending again on a new one` };
  }
  if (BROKEN_CONNECTION_CODES.has(code) && failure.requestSent === true) {
    return {
      errorClass: 'retry-later',
      code,
      ambiguous: true,
      retryAfterMs: AMBIGUOUS_DELAY_MS,
      message: `The connection broke after the message was sent (${code}); it may have been delivered`,
    };
  }
  // The request never fully left (connect timeout, a stale keep-alive socket, a reset while
  // writing): Meta cannot have acted on a half-sent body, so resending is safe.
  return { errorClass: 'retry', code, message: sanitizeErrorMessage(`Network error talking to the WhatsApp Cloud API (${code})`, secrets) };
}

/**
 * Classifies a failed send or a webhook error entry. `secrets` (the access token, the app
 * secret) are scrubbed from the message in case an upstream error ever echoes them.
 */
export function classifyWhatsappError(error: unknown, secrets: readonly string[] = [], policy: WhatsappErrorPolicy = DEFAULT_ERROR_POLICY): ClassifiedError {
  if (error instanceof WhatsappPayloadError) {
    return { errorClass: 'permanent-announcement', code: `payload:${error.reason}`, message: sanitizeErrorMessage(error.message, secrets) };
  }
  if (error instanceof WhatsappResponseError) {
    return { errorClass: 'retry-later', code: error.code, ambiguous: true, retryAfterMs: AMBIGUOUS_DELAY_MS, message: error.message };
  }
  const direct = readProviderError(error);
  if (direct) return fromCode(direct, secrets, policy);
  const transport = readTransportFailure(error);
  if (transport) {
    const provider = readProviderError(transport.responseBody);
    return provider ? fromCode(provider, secrets, policy) : fromTransport(transport, secrets);
  }
  // Our own bug or a failing sandbox recorder: nothing reached Meta, and retry is bounded.
  const message = error instanceof Error ? error.message : 'Unknown error';
  return { errorClass: 'retry', code: 'unknown', message: sanitizeErrorMessage(message, secrets) };
}
