import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useFetchClient } from '@strapi/strapi/admin';
import { PLUGIN_ID } from '../pluginId';
import type {
  AuditActor,
  AuditListResponse,
  Broadcast,
  BroadcastDetail,
  BroadcastListResponse,
  ChannelStatus,
  DataResponse,
  FollowUpMark,
  FollowUpState,
  GrowthStats,
  InboxMessage,
  InboxResponse,
  OutboxResponse,
  OfficialWarningsOverview,
  OverviewStats,
  PublishPreview,
  SandboxActResult,
  SubmitTemplatesResult,
  WhatsappChannelHandoff,
} from '../../../shared/contracts/admin-api';
import type {
  AuditFilterQuery,
  AuditListQuery,
  ApproveBody,
  BroadcastAction,
  FollowUpMarkBody,
  FollowUpQuery,
  FollowUpUnmarkBody,
  InboxListQuery,
  InboxReplyBody,
  ListQuery,
  OutboxQuery,
  PreviewQuery,
  RejectBody,
  SandboxActBody,
  SendUpdateBody,
  StatsDaysQuery,
  SubmitTemplatesBody,
  WhatsappChannelMarkBody,
} from '../../../shared/contracts/admin-requests';

/**
 * The admin's one way to the plugin's API (routes under /town-crier, server/src/routes/admin.ts).
 * Every path is built here and nowhere else (tests/unit/admin-boundaries.test.ts), requests and
 * answers are the shared contract's types (shared/contracts/admin-api.ts, admin-requests.ts).
 */
export type * from '../../../shared/contracts/admin-api';
export type * from '../../../shared/contracts/admin-requests';

type Params = Record<string, string | number | boolean | undefined>;

const pathOf = (route: string, params: Params = {}): string => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  const search = query.toString();
  return `/${PLUGIN_ID}${route}${search ? `?${search}` : ''}`;
};
const segment = (value: string | number) => encodeURIComponent(String(value));

/** A GET the client knows: where it goes, and how its answer becomes the contract's type. */
export interface Query<T> {
  readonly path: string;
  readonly pick: (body: unknown) => T;
}
/** Most routes answer `{ data }`; lists with pagination are read whole. */
const dataOf = <T>(path: string): Query<T> => ({ path, pick: (body) => (body as DataResponse<T>).data });
const whole = <T>(path: string): Query<T> => ({ path, pick: (body) => body as T });

/** The GET routes, for `useQuery`. */
export const queries = {
  overview: () => dataOf<OverviewStats>(pathOf('/stats/overview')),
  growth: (query: StatsDaysQuery) => dataOf<GrowthStats>(pathOf('/stats/growth', query)),
  broadcasts: (query: ListQuery) => whole<BroadcastListResponse>(pathOf('/broadcasts', query)),
  broadcast: (documentId: string) => dataOf<BroadcastDetail>(pathOf(`/broadcasts/${segment(documentId)}`)),
  whatsappChannel: (documentId: string) => dataOf<WhatsappChannelHandoff>(pathOf(`/broadcasts/${segment(documentId)}/whatsapp-channel`)),
  preview: (query: PreviewQuery) => dataOf<PublishPreview>(pathOf('/preview', query)),
  followUps: (query: FollowUpQuery) => dataOf<FollowUpState>(pathOf('/follow-ups', query)),
  channels: () => dataOf<ChannelStatus[]>(pathOf('/channels')),
  warnings: () => dataOf<OfficialWarningsOverview>(pathOf('/warnings')),
  inbox: (query: InboxListQuery) => whole<InboxResponse>(pathOf('/inbox', query)),
  outbox: (query: OutboxQuery) => whole<OutboxResponse>(pathOf('/sandbox/outbox', query)),
  audit: (query: AuditListQuery) => whole<AuditListResponse>(pathOf('/audit', query)),
  auditActors: () => dataOf<AuditActor[]>(pathOf('/audit/actors')),
};


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

export interface QueryState<T> {
  data: T | undefined;
  /** The server's error message (Strapi error shape) or the network error. */
  error: ApiError | undefined;
  loading: boolean;
  reload(): Promise<void>;
}

/**
 * Runs a query (null = don't fetch) and keeps the last good answer while reloading, so a
 * polling page does not flash back to a spinner. `pollMs` reloads in the background.
 */
export function useQuery<T>(query: Query<T> | null, options: { pollMs?: number } = {}): QueryState<T> {
  const { get } = useFetchClient();
  const path = query?.path ?? null;
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState<boolean>(path !== null);
  // The query object is new on every render; its path says whether it changed.
  const pickRef = useRef(query?.pick);
  pickRef.current = query?.pick;

  const reload = useCallback(async () => {
    if (path === null) return;
    try {
      const response = await get(path);
      const pick = pickRef.current;
      if (pick) setData(pick(response.data));
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

/** The POST routes (and the CSV download), each with the contract's body. */
export function useAdminClient() {
  const { get, post } = useFetchClient();
  return useMemo(() => {
    const send = async <T>(path: string, body: object = {}): Promise<T> => ((await post(path, body)).data as DataResponse<T>).data;
    return {
      /** Pause, resume, cancel or retry the failed messages of one broadcast. */
      broadcastAction: (documentId: string, action: BroadcastAction) => send<Broadcast>(pathOf(`/broadcasts/${segment(documentId)}/${action}`)),
      /** Ticks (or unticks) "posted to the town's WhatsApp Channel". */
      markWhatsappChannel: (documentId: string, body: WhatsappChannelMarkBody) => send<WhatsappChannelHandoff>(pathOf(`/broadcasts/${segment(documentId)}/whatsapp-channel`), body),
      /** Four-eyes approval: a second person's yes (with an optional note) or no (with a note). */
      approveBroadcast: (documentId: string, body: ApproveBody) => send<Broadcast>(pathOf(`/broadcasts/${segment(documentId)}/approve`), body),
      rejectBroadcast: (documentId: string, body: RejectBody) => send<Broadcast>(pathOf(`/broadcasts/${segment(documentId)}/reject`), body),
      sendUpdate: (documentId: string, body: SendUpdateBody) => send<Broadcast>(pathOf(`/broadcasts/${segment(documentId)}/send-update`), body),
      markFollowUp: (body: FollowUpMarkBody) => send<FollowUpMark>(pathOf('/follow-ups/mark'), body),
      unmarkFollowUp: (body: FollowUpUnmarkBody) => send<null>(pathOf('/follow-ups/unmark'), body),
      submitWhatsappTemplates: (body: SubmitTemplatesBody = {}) => send<SubmitTemplatesResult>(pathOf('/channels/whatsapp/templates'), body),
      markInboxHandled: (id: number) => send<InboxMessage>(pathOf(`/inbox/${segment(id)}/handled`)),
      replyInbox: (id: number, body: InboxReplyBody) => send<InboxMessage>(pathOf(`/inbox/${segment(id)}/reply`), body),
      sandboxAct: (body: SandboxActBody) => send<SandboxActResult>(pathOf('/sandbox/act'), body),
      /** The statistics as CSV: the admin token is a bearer header, so the file is fetched, not linked. */
      exportStatsCsv: async (query: StatsDaysQuery): Promise<Blob> => (await get(pathOf('/stats/export.csv', query), { responseType: 'blob' })).data as Blob,
      /** The audit trail as CSV, with the page's filters. */
      exportAuditCsv: async (query: AuditFilterQuery): Promise<Blob> => (await get(pathOf('/audit/export.csv', query), { responseType: 'blob' })).data as Blob,
    };
  }, [get, post]);
}
