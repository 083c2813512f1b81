import type { ClassifiedError } from './channel';
import { AccountPayloadError } from './account-post';

/**
 * What the account channels (Mastodon, Bluesky) share in reading a failed request: the answer
 * or the network code of an axios error, without the request config that carries the token or
 * the session, and messages with the secrets taken out. How each platform's answer is then
 * classified is its own (mastodon.errors.ts, bluesky.errors.ts).
 */

type UnknownRecord = Record<string, unknown>;
export const isRecord = (value: unknown): value is UnknownRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

const MAX_MESSAGE = 200;

/** A text for logs and the admin: every secret replaced, whitespace folded, at most 200 characters. */
export const redact = (text: string, secrets: readonly string[]) => {
  let safe = text;
  for (const secret of secrets) if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  safe = safe.replace(/\s+/g, ' ').trim();
  return safe.length > MAX_MESSAGE ? `${safe.slice(0, MAX_MESSAGE - 1)}…` : safe;
};

/** The server's answer to a failed request, headers in lower case. */
export interface ProviderAnswer {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}

/** What a failed axios request leaves: the server's answer, or the network error's code; null for anything else. */
export function failedRequestOf(error: unknown): { response?: ProviderAnswer; code?: string } | null {
  if (!isRecord(error)) return null;
  const response = isRecord(error.response) ? error.response : undefined;
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (response && typeof response.status === 'number') {
    const headers: Record<string, string> = {};
    if (isRecord(response.headers)) for (const [key, value] of Object.entries(response.headers)) if (typeof value === 'string') headers[key.toLowerCase()] = value;
    return { response: { status: response.status, data: response.data, headers }, code };
  }
  return code ? { code } : null;
}

/** A message the account cannot post (a confirmation, a one-to-one text) fails that message only; the rest is the platform's. */
export const classifyAccountError =
  (classifyPlatform: (error: unknown) => ClassifiedError) =>
  (error: unknown): ClassifiedError =>
    error instanceof AccountPayloadError ? { errorClass: 'permanent-announcement', code: 'payload', message: error.message } : classifyPlatform(error);
