/** The admin API's answers (./admin-api.ts): broadcasts: the list, the detail, their actions, follow-ups. */
import type { CostSummary } from '../costs';
import type { Pagination } from './admin-api';
import type { ApprovalHoldReason, ApprovalState } from './approval';
import type { BroadcastStatus, FollowUpKind, RunState, WaitingReason } from './broadcasts';

/**
 * A broadcast as the API sends it (GET /broadcasts, GET /broadcasts/:documentId, the actions):
 * these keys and no others. The server maps the stored row to it in one place
 * (server/src/announcements/broadcast-insights.service.ts `toBroadcast`); the stored counters
 * (`recipientsCount`, ...) are not sent.
 */
/** A broadcast's numbers, as every answer that names them gives them (list, detail, the side panel). */
export interface BroadcastCounts {
  recipients: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  /** Deliveries set aside unsent because their run was cancelled or stopped. */
  skipped: number;
}

export interface Broadcast extends BroadcastCounts {
  documentId: string;
  title: string;
  broadcastStatus: BroadcastStatus | null;
  statusReason: string | null;
  resumesAt: string | null;
  publishedAt: string | null;
  /** Set for a follow-up: its thread's original, whether it is an update or an all-clear, and whether it also went to new subscribers. */
  updateOf?: string | null;
  followUpKind?: FollowUpKind | null;
  followUpIncludeNew?: boolean | null;
  urgency?: string | null;
  /** The broadcast list shows a thread as one story: the original with its follow-ups, oldest first. */
  followUps?: FollowUpBroadcast[];
  /** The list names each channel's run (the detail adds what is left per run). */
  runs?: RunSummary[];
  /** Four-eyes approval, when the broadcast needed one (absent or null: it did not). */
  approval?: BroadcastApproval | null;
}

/** A follow-up under its original in the broadcast list: a broadcast without follow-ups of its own. */
export type FollowUpBroadcast = Omit<Broadcast, 'followUps'>;

/** A broadcast's four-eyes approval as the list, the detail and the actions show it. Names, never e-mail addresses. */
export interface BroadcastApproval {
  state: ApprovalState;
  reasons: ApprovalHoldReason[];
  /** The channels whose runs wait for it (empty when everything went at once). */
  heldChannels: string[];
  publishedBy: string | null;
  decidedBy: string | null;
  note: string | null;
  decidedAt: string | null;
  /** The logged-in admin published it: someone else must decide. */
  ownBroadcast: boolean;
}

/** One part of a thread in the detail view. */
export interface ThreadMember extends Broadcast {
  current: boolean;
}

export interface FailureGroup {
  channel: string;
  code: string;
  errorClass: string;
  count: number;
  /** What the failure means, in both languages of the admin. */
  explanations: { de: string; en: string };
}

/** One channel's part of a broadcast (server: dispatch/ runs), as the list shows it. */
export interface RunSummary {
  channel: string;
  state: RunState;
  reason: string | null;
  resumesAt: string | null;
  finishedAt?: string | null;
}

/** One channel's run in the detail view, with what is left to send. */
export interface BroadcastRun extends RunSummary {
  /** Deliveries of this run so far, and how many of them failed. */
  recipients: number;
  failed: number;
  /** Still to send, and of those how many the daily reach window lets out today and later. */
  waiting: number;
  today: number;
  later: number;
  /** Citizens this broadcast found unreachable on the channel (WhatsApp 131026/130472); later news skips them there. */
  becameUnreachable?: number;
  /** WhatsApp only: of those, how many got the one-time hint on a channel from the same sign-up, and how many could not. */
  unreachableHintSent?: number;
  unreachableHintNotPossible?: number;
}

export interface BroadcastDetail extends Broadcast {
  runs: BroadcastRun[];
  text: string | null;
  url: string | null;
  /** Absent when the stored row was read without its topics. */
  topics?: Array<{ name: string; slug: string }>;
  failuresByCode: FailureGroup[];
  waiting: null | { reason: WaitingReason; until: string | null };
  estimatedFinishAt: string | null;
  /** WhatsApp messages Meta bills for this broadcast, from status webhooks. */
  cost: CostSummary | null;
  /** The story this broadcast belongs to (empty when it has no follow-ups), oldest first. */
  thread: ThreadMember[];
}

/** The content manager's follow-up action for one entry (GET /follow-ups). */
export interface FollowUpState {
  mark: { originalDocumentId: string; kind: FollowUpKind; includeNew: boolean } | null;
  /** For a marked entry not yet published: the citizens who received the thread and are still subscribed. */
  reach: { total: number; byChannel: Record<string, number> } | null;
  /** Once the entry was broadcast: what it became. */
  broadcast: null | {
    documentId: string;
    title: string;
    updateOf: string | null;
    followUpKind: FollowUpKind | null;
    followUpIncludeNew: boolean | null;
    original: { documentId: string; title: string } | null;
  };
  candidates: Array<{ documentId: string; title: string; urgency: string | null; createdAt: string; updateOf: string | null }>;
}

/** The broadcast list: one entry per story (an original with its follow-ups). */
export interface BroadcastListResponse {
  data: Broadcast[];
  meta: { pagination: Pagination };
}

/** POST /broadcasts/:documentId/retry-failed: the broadcast, and how many failed deliveries were opened again. */
export interface RetryFailedResult extends Broadcast {
  reopened: number;
}

/**
 * The town's WhatsApp Channel, posted to by hand (Meta offers no API): the text formatted for
 * WhatsApp (`*bold*`, the link on its own line) and whether, by whom and when it was posted.
 */
export interface WhatsappChannelHandoff {
  enabled: boolean;
  /** The Channel's invite link, when the town configured it. */
  channelUrl: string | null;
  text: string;
  posted: { at: string; by: string | null } | null;
}

/** POST /broadcasts/:documentId/send-test: the test went out at once to the one address given. */
export interface SendTestResult {
  sent: true;
  providerMessageId: string;
  mode: 'live' | 'sandbox';
}

/** POST /follow-ups/mark: the mark as stored. */
export type FollowUpMark = NonNullable<FollowUpState['mark']>;
