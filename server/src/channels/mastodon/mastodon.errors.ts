import type { ClassifiedError } from '../channel';
import { failedRequestOf, isRecord, redact, type ProviderAnswer } from '../account-errors';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/** What is left of an axios error without its request config (which carries the bearer token). */
export class MastodonSendError extends Error {
  readonly code?: string;
  readonly response?: ProviderAnswer;
  constructor(message: string, details: { code?: string; response?: ProviderAnswer }) {
    super(message);
    this.name = 'MastodonSendError';
    if (details.code !== undefined) this.code = details.code;
    if (details.response) this.response = details.response;
  }
}

export function toMastodonSendError(error: unknown, secrets: readonly string[]): unknown {
  const failed = failedRequestOf(error);
  if (!failed) return error;
  return new MastodonSendError(redact(error instanceof Error ? error.message : String((error as { message?: unknown }).message ?? ''), secrets), failed);
}

/** `X-RateLimit-Reset` is an ISO 8601 time; the wait until then, at least a second. */
export function waitUntilReset(reset: string | undefined, nowMs = Date.now()): number {
  const at = reset ? Date.parse(reset) : NaN;
  return Number.isFinite(at) ? Math.max(1000, at - nowMs) : 60_000;
}

/**
 * Mastodon's answers, classified. The API gives `{ error, error_description? }` and the HTTP status
 * carries the meaning (docs.joinmastodon.org/api/guidelines): 401/403 the token, 422 the status
 * itself, 429 the rate limit with `X-RateLimit-Reset`, 5xx the server.
 */
export function classifyMastodonError(error: unknown, secrets: readonly string[] = [], nowMs = Date.now()): ClassifiedError {
  const record: Record<string, unknown> = isRecord(error) ? error : {};
  const response = isRecord(record.response) ? record.response : undefined;
  if (response && typeof response.status === 'number') {
    const status = response.status;
    const body = isRecord(response.data) ? response.data : {};
    const said = redact(typeof body.error === 'string' ? body.error : `HTTP ${status}`, secrets);
    const headers = isRecord(response.headers) ? response.headers : {};
    if (status === 429) return { errorClass: 'retry-later', code: '429', message: `Mastodon: Ratenbegrenzung erreicht (${said})`, retryAfterMs: waitUntilReset(headers['x-ratelimit-reset'] as string | undefined, nowMs) };
    if (status === 401 || status === 403) {
      return {
        errorClass: 'fatal-channel',
        code: String(status),
        message: `Mastodon hat den Zugangsschlüssel abgelehnt (${status}: ${said}). Bitte in den Einstellungen des Kontos unter „Entwicklung“ einen neuen Schlüssel mit dem Recht write:statuses erzeugen und in channels.mastodon.accessToken eintragen.`,
      };
    }
    // The status itself was refused (too long, a reply to a deleted post, …): the server's words say why.
    if (status === 422) return { errorClass: 'permanent-announcement', code: `422:${said}`.slice(0, 120), message: `Mastodon hat den Beitrag abgelehnt: ${said}` };
    if (status >= 500 || status === 408) return { errorClass: 'retry', code: String(status), message: `Mastodon: Serverfehler (${said})` };
    // A 404 (no such server path: a wrong baseUrl) or another refusal hits every post alike.
    return { errorClass: 'fatal-channel', code: String(status), message: `Mastodon antwortet ${status} (${said}): ist channels.mastodon.baseUrl richtig?` };
  }
  const code = typeof record.code === 'string' ? record.code : 'unknown';
  // A timeout may have posted: the retry carries the same Idempotency-Key, so Mastodon answers with that status instead of a second one.
  if (NETWORK_CODES.has(code)) return { errorClass: 'retry', code, message: `Mastodon nicht erreichbar (${code})` };
  return { errorClass: 'retry', code, message: redact(error instanceof Error ? error.message : 'Unbekannter Fehler', secrets) };
}
