/**
 * A GET that asks only for what changed: `If-None-Match` with the last ETag and
 * `If-Modified-Since` with the last `Last-Modified`, as the sources send them. A 304 answers
 * `notModified`; anything but 200/304 throws (the poller keeps the last state).
 */
export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export type ConditionalAnswer = { notModified: true; validators: Validators } | { notModified: false; body: string; validators: Validators };

const TIMEOUT_MS = 15_000;

export async function conditionalGet(url: string, validators: Validators | null): Promise<ConditionalAnswer> {
  const headers: Record<string, string> = { accept: 'application/json, application/javascript;q=0.9, */*;q=0.1', 'user-agent': 'strapi-plugin-town-crier (official warnings)' };
  if (validators?.etag) headers['if-none-match'] = validators.etag;
  if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified;
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const next: Validators = { etag: response.headers.get('etag') ?? validators?.etag ?? null, lastModified: response.headers.get('last-modified') ?? validators?.lastModified ?? null };
  if (response.status === 304) return { notModified: true, validators: next };
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new SourceError(`HTTP ${response.status}`);
  }
  return { notModified: false, body: await response.text(), validators: next };
}

/** A source's failure in words fit for the status page: a status or the kind of network error, never the URL. */
export class SourceError extends Error {}

export function sourceErrorText(error: unknown): string {
  if (error instanceof SourceError) return error.message;
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  if (code) return code;
  if (error instanceof SyntaxError) return 'unreadable answer';
  return 'unreachable';
}
