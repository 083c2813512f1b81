import type { ClassifiedError } from '../channel';

type UnknownRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is UnknownRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const MAX_MESSAGE = 200;

/** What is left of an axios error without its request config (which carries the bearer token). */
export class MastodonSendError extends Error {
  readonly code?: string;
  readonly response?: { status: number; data: unknown; headers: Record<string, string> };
  constructor(message: string, details: { code?: string; response?: { status: number; data: unknown; headers: Record<string, string> } }) {
    super(message);
    this.name = 'MastodonSendError';
    if (details.code !== undefined) this.code = details.code;
    if (details.response) this.response = details.response;
  }
}

export const redact = (text: string, secrets: readonly string[]) => {
  let safe = text;
  for (const secret of secrets) if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  safe = safe.replace(/\s+/g, ' ').trim();
  return safe.length > MAX_MESSAGE ? `${safe.slice(0, MAX_MESSAGE - 1)}…` : safe;
};

export function toMastodonSendError(error: unknown, secrets: readonly string[]): unknown {
  if (!isRecord(error)) return error;
  const response = isRecord(error.response) ? error.response : undefined;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (!response && !code) return error;
  const headers: Record<string, string> = {};
  if (response && isRecord(response.headers)) for (const [key, value] of Object.entries(response.headers)) if (typeof value === 'string') headers[key.toLowerCase()] = value;
  return new MastodonSendError(redact(error instanceof Error ? error.message : String(error.message ?? ''), secrets), {
    code,
    response: response && typeof response.status === 'number' ? { status: response.status, data: response.data, headers } : undefined,
  });
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
  const record: UnknownRecord = isRecord(error) ? error : {};
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
