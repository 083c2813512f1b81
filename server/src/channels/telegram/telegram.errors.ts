import type { ClassifiedError } from '../channel';

/**
 * Classifies Bot API failures. Telegram answers `{ ok: false, error_code, description,
 * parameters? }`; `error_code` mirrors the HTTP status, so the description tells the cases
 * apart where the code alone does not (403 blocked vs. deactivated, 400 chat not found vs.
 * a message Telegram cannot parse).
 */

const MAX_MESSAGE_LENGTH = 300;
const DEFAULT_RETRY_AFTER_S = 5;

/** Network failures; Telegram has no delivery receipts, so waiting for one after a timeout buys nothing. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

type UnknownRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is UnknownRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What is left of an axios error once its config (whose URL holds the bot token) is dropped:
 * exactly the fields the classifier reads, safe to log or serialise.
 */
export class TelegramSendError extends Error {
  readonly code?: string;
  readonly response?: { status: number; data: unknown };

  constructor(message: string, details: { code?: string; response?: { status: number; data: unknown } }) {
    super(message);
    this.name = 'TelegramSendError';
    if (details.code !== undefined) this.code = details.code;
    if (details.response) this.response = details.response;
  }
}

/** A message this channel cannot express (e.g. a WhatsApp-style confirmation button). */
export class TelegramPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelegramPayloadError';
  }
}

/** Bot tokens look like `123456:ABC-…`; chat ids are long digit runs. */
export function sanitizeTelegramMessage(message: string, secrets: readonly string[] = []): string {
  let safe = message;
  for (const secret of secrets) if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  safe = safe
    .replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot[redacted]')
    .replace(/\b\d+:[A-Za-z0-9_-]{20,}/g, '[redacted]')
    .replace(/-?\d{6,}/g, '[id]')
    .replace(/\s+/g, ' ')
    .trim();
  return safe.length > MAX_MESSAGE_LENGTH ? `${safe.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : safe;
}

export function toTelegramSendError(error: unknown, secrets: readonly string[]): unknown {
  if (!isRecord(error)) return error;
  const response = isRecord(error.response) ? error.response : undefined;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (!response && !code) return error;
  const message = error instanceof Error ? error.message : String(error.message ?? '');
  return new TelegramSendError(sanitizeTelegramMessage(message, secrets), {
    code,
    response: response && typeof response.status === 'number' ? { status: response.status, data: response.data } : undefined,
  });
}

interface BotApiError {
  errorCode: number;
  description: string;
  retryAfter?: number;
}

function readBotApiError(value: unknown): BotApiError | undefined {
  if (!isRecord(value) || value.ok !== false || typeof value.error_code !== 'number') return undefined;
  const parameters = isRecord(value.parameters) ? value.parameters : {};
  return {
    errorCode: value.error_code,
    description: typeof value.description === 'string' ? value.description : '',
    retryAfter: typeof parameters.retry_after === 'number' ? parameters.retry_after : undefined,
  };
}

function fromBotApi(error: BotApiError, secrets: readonly string[]): ClassifiedError {
  const { errorCode, description } = error;
  const message = sanitizeTelegramMessage(description || `Telegram error ${errorCode}`, secrets);
  const code = String(errorCode);
  const lower = description.toLowerCase();
  if (errorCode === 429) {
    return { errorClass: 'retry-later', code, message, retryAfterMs: (error.retryAfter ?? DEFAULT_RETRY_AFTER_S) * 1000 };
  }
  if (errorCode === 403) {
    // The citizen blocked the bot: as clear a "stop" as writing /stop.
    if (lower.includes('blocked by the user')) return { errorClass: 'permanent-recipient', code, message, recipientEffect: 'withdrawn' };
    return { errorClass: 'permanent-recipient', code, message, recipientEffect: 'undeliverable' };
  }
  if (errorCode === 400) {
    if (lower.includes('chat not found') || lower.includes('user not found') || lower.includes('peer_id_invalid')) {
      return { errorClass: 'permanent-recipient', code, message, recipientEffect: 'undeliverable' };
    }
    // Our text itself is wrong: every recipient would get the same answer.
    if (lower.includes("can't parse entities") || lower.includes('message is too long') || lower.includes('text must be non-empty')) {
      return { errorClass: 'permanent-announcement', code, message };
    }
    return { errorClass: 'permanent-recipient', code, message };
  }
  // 401 Unauthorized / 404 Not Found: the bot token is wrong or revoked; nothing goes out until fixed.
  if (errorCode === 401 || errorCode === 404) return { errorClass: 'fatal-channel', code, message };
  return { errorClass: 'retry', code, message };
}

export function classifyTelegramError(error: unknown, secrets: readonly string[] = []): ClassifiedError {
  if (error instanceof TelegramPayloadError) return { errorClass: 'permanent-announcement', code: 'payload', message: error.message };
  const direct = readBotApiError(error);
  if (direct) return fromBotApi(direct, secrets);
  const record: UnknownRecord = isRecord(error) ? error : {};
  const response = isRecord(record.response) ? record.response : undefined;
  const fromBody = readBotApiError(response?.data);
  if (fromBody) return fromBotApi(fromBody, secrets);
  if (response && typeof response.status === 'number') {
    const status = response.status;
    const transient = status >= 500 || status === 429 || status === 408;
    // A non-Bot-API answer (a proxy, a wrong baseUrl) hits every message alike.
    return { errorClass: transient ? 'retry' : 'fatal-channel', code: `http-${status}`, message: `HTTP ${status} without a Telegram error body` };
  }
  const code = typeof record.code === 'string' ? record.code : 'unknown';
  if (NETWORK_CODES.has(code)) return { errorClass: 'retry', code, message: `Network error talking to the Telegram Bot API (${code})` };
  const message = error instanceof Error ? error.message : 'Unknown error';
  return { errorClass: 'retry', code, message: sanitizeTelegramMessage(message, secrets) };
}
