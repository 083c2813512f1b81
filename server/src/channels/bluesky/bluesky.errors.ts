import type { ClassifiedError } from '../channel';
import { failedRequestOf, isRecord, redact } from '../account-errors';

/** An XRPC error answer (`{ error, message }`), without the request that carried the tokens. */
export class XrpcError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
    this.name = 'XrpcError';
  }
}

export class BlueskyNetworkError extends Error {
  constructor(readonly code: string) {
    super(`network error ${code}`);
    this.name = 'BlueskyNetworkError';
  }
}

/** axios error → XrpcError / BlueskyNetworkError; anything else as it is. */
export function toXrpcError(error: unknown, secrets: readonly string[]): unknown {
  const failed = failedRequestOf(error);
  if (failed?.response) {
    const { status, data, headers } = failed.response;
    const body = isRecord(data) ? data : {};
    return new XrpcError(status, typeof body.error === 'string' ? body.error : `HTTP${status}`, redact(typeof body.message === 'string' ? body.message : '', secrets), headers);
  }
  if (failed?.code) return new BlueskyNetworkError(failed.code);
  return error;
}

/** `ratelimit-reset` is a Unix time in seconds. */
export function waitUntilRateLimitReset(reset: string | undefined, nowMs = Date.now()): number {
  const seconds = reset ? Number(reset) : NaN;
  return Number.isFinite(seconds) ? Math.max(1000, seconds * 1000 - nowMs) : 60_000;
}

/**
 * XRPC errors, classified: 429 waits for `ratelimit-reset`; a refused login (the app password
 * revoked, the handle wrong) stops the channel; a record the PDS refuses (`InvalidRecord`) is
 * this post's problem; 5xx and network errors are tried again (the record key keeps that safe).
 */
export function classifyBlueskyError(error: unknown, nowMs = Date.now()): ClassifiedError {
  if (error instanceof XrpcError) {
    const said = error.message ? `${error.error}: ${error.message}` : error.error;
    if (error.status === 429) return { errorClass: 'retry-later', code: '429', message: `Bluesky: Ratenbegrenzung erreicht (${said})`, retryAfterMs: waitUntilRateLimitReset(error.headers['ratelimit-reset'], nowMs) };
    if (error.status === 401 || error.status === 403 || error.error === 'AuthenticationRequired' || error.error === 'AccountTakedown' || error.error === 'InvalidToken') {
      return {
        errorClass: 'fatal-channel',
        code: String(error.status),
        message: `Bluesky hat die Anmeldung abgelehnt (${said}). Bitte unter Einstellungen → Datenschutz und Sicherheit → App-Passwörter ein neues App-Passwort anlegen und in channels.bluesky.appPassword eintragen; channels.bluesky.identifier muss der Handle des Kontos sein.`,
      };
    }
    if (error.status >= 500) return { errorClass: 'retry', code: String(error.status), message: `Bluesky: Serverfehler (${said})` };
    if (error.status === 400) return { errorClass: 'permanent-announcement', code: `400:${error.error}`.slice(0, 120), message: `Bluesky hat den Beitrag abgelehnt (${said})` };
    return { errorClass: 'fatal-channel', code: String(error.status), message: `Bluesky antwortet ${error.status} (${said}): ist channels.bluesky.service richtig?` };
  }
  if (error instanceof BlueskyNetworkError) return { errorClass: 'retry', code: error.code, message: `Bluesky nicht erreichbar (${error.code})` };
  return { errorClass: 'retry', code: 'unknown', message: error instanceof Error ? redact(error.message, []) : 'Unbekannter Fehler' };
}
