import { useCallback, useEffect, useRef, useState } from 'react';
import { useFetchClient } from '@strapi/strapi/admin';

export interface ApiState<T> {
  data: T | undefined;
  /** The server's error message (Strapi error shape) or the network error. */
  error: ApiError | undefined;
  loading: boolean;
  reload(): Promise<void>;
}

export interface ApiError {
  status: number | undefined;
  message: string;
  /** `error.details.code` when the server names the refusal, so the admin can word it in its language. */
  code?: string;
}

/** Reads the message Strapi puts in `{ error: { status, message } }`, else the thrown error's. */
export function toApiError(error: unknown): ApiError {
  const candidate = error as {
    status?: number;
    message?: string;
    response?: { status?: number; data?: { error?: { status?: number; message?: string; details?: { code?: unknown } } } };
  };
  const body = candidate?.response?.data?.error;
  const code = body?.details?.code;
  return {
    status: body?.status ?? candidate?.response?.status ?? candidate?.status,
    message: body?.message ?? candidate?.message ?? String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/**
 * GETs `path` (null = don't fetch) and keeps the last good answer while reloading, so a
 * polling page does not flash back to a spinner. `pollMs` reloads in the background.
 */
export function useApi<T>(path: string | null, options: { pollMs?: number; select?: (body: unknown) => T } = {}): ApiState<T> {
  const { get } = useFetchClient();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const selectRef = useRef(options.select);
  selectRef.current = options.select;

  const reload = useCallback(async () => {
    if (path === null) return;
    try {
      const response = await get(path);
      const body: unknown = response.data;
      setData(selectRef.current ? selectRef.current(body) : ((body as { data: T }).data as T));
      setError(undefined);
    } catch (caught) {
      // An aborted request means the page was left; nothing to show.
      if ((caught as { name?: string })?.name === 'AbortError') return;
      setError(toApiError(caught));
    } finally {
      setLoading(false);
    }
  }, [get, path]);

  useEffect(() => {
    setData(undefined);
    setError(undefined);
    setLoading(path !== null);
    reload();
  }, [reload, path]);

  // Separate from the load above, so switching polling on or off keeps what is shown.
  useEffect(() => {
    if (!options.pollMs || path === null) return undefined;
    const timer = setInterval(reload, options.pollMs);
    return () => clearInterval(timer);
  }, [reload, path, options.pollMs]);

  return { data, error, loading, reload };
}
