/**
 * The plugin's admin API (routes under /town-crier, server/src/routes/admin.ts): what each route
 * answers. The server's controllers check what they send against these types and the admin's
 * client (admin/src/api/client.ts) reads them, so renaming a field fails `npm run typecheck` on
 * both sides. Request bodies and queries are the zod schemas in ./admin-requests.ts.
 */
import type { PermissionName } from '../permissions';
import type { CostSummary } from '../costs';
import type { BroadcastStatus, FollowUpKind, RunState, WaitingReason } from './broadcasts';
import type { ChannelProblem } from './channels';
import type { OfficialWarningOrigin } from './warnings';
export type { OfficialWarningOrigin, OfficialWarningsOverview, WarningDraftNotice, WarningSourceStatus } from './warnings';
import type { AuditEvent } from './audit';

export type { BroadcastStatus, FollowUpKind, RunState, WaitingReason } from './broadcasts';
export type { ChannelProblem } from './channels';
export type { AuditAction, AuditActor, AuditActorKind, AuditEvent } from './audit';
import type { ApprovalHoldReason, ApprovalState } from './approval';
export type { ApprovalHoldReason, ApprovalState } from './approval';
export type { CategoryCost, CostSummary } from '../costs';
import type { BudgetStatus, BudgetVerdict, KindCost } from './costs';
export type { BudgetStatus, BudgetVerdict, KindCost, MessageKind } from './costs';
export { MESSAGE_KINDS } from './costs';

/**
 * A breakdown cell: exact count, "<5" when 1..4 people would be identifiable, or "*" for a
 * larger cell hidden so that a "<5" cannot be worked out from the total.
 */
export type CountCell = number | '<5' | '*';

export interface OverviewStats {
  subscribers: { active: number; pending: number; unsubscribed: number };
  netChange: { days7: number; days30: number };
  target: { value: number; reached: number; percent: number };
  byChannel: Array<{ key: string; count: CountCell }>;
  byTopic: Array<{ key: string; label: string; count: CountCell }>;
  bySource: Array<{ key: string; count: CountCell }>;
  /** Per village of the town ('*': the whole town); empty when the town has no villages. */
  byVillage: Array<{ key: string; label: string; count: CountCell }>;
  deliveries: { last30Days: { sent: number; delivered: number; read: number; failed: number } };
  costPerMonth: MonthCost[];
  /** The month's WhatsApp budget: month so far, forecast, what is left, thresholds. */
  whatsappBudget: BudgetStatus;
  timeZone: string;
  generatedAt: string;
}

export interface GrowthDay {
  day: string;
  signups: number;
  withdrawals: number;
  active: number;
}

export interface GrowthStats {
  timeZone: string;
  target: number;
  days: GrowthDay[];
}

/**
 * A broadcast as the API sends it (GET /broadcasts, GET /broadcasts/:documentId, the actions):
 * these keys and no others. The server maps the stored row to it in one place
 * (server/src/announcements/broadcast-insights.service.ts `toBroadcast`); the stored counters
 * (`recipientsCount`, ...) are not sent.
 */
export interface Broadcast {
  documentId: string;
  title: string;
  broadcastStatus: BroadcastStatus | null;
  statusReason: string | null;
  resumesAt: string | null;
  publishedAt: string | null;
  recipients: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: number;
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

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  pageCount?: number;
}

export interface ChannelStatus {
  id: string;
  enabled: boolean;
  mode: 'live' | 'sandbox';
  configured: boolean;
  templates: { announcement?: string; confirmation?: string };
  /** Null: the channel sets no rate of its own. */
  messagesPerSecond: number | null;
  dailyRecipientLimit: number | null;
  usedLast24h: number;
  lastWebhookAt: string | null;
  lastVerifiedWebhookAt: string | null;
  problems: string[];
  /** WhatsApp only: the account as Meta has it. */
  whatsapp?: WhatsappAccountStatus;
  /** The same problems as codes: the admin words them in its language. */
  issues: ChannelProblem[];
}

export interface InboxMessage {
  id: number;
  channel: string;
  from: string;
  name: string | null;
  text: string;
  receivedAt: string | null;
  handledAt: string | null;
  /** The town's answer, once one was sent from the inbox. */
  replyText: string | null;
  repliedAt: string | null;
  windowOpen: boolean;
}

export interface CannedReply {
  id: string | number;
  label: string;
  text: string;
}

export interface InboxResponse {
  data: InboxMessage[];
  meta: { pagination: Pagination; enabled: boolean; cannedReplies: CannedReply[] };
}

export interface OutboxMessage {
  id: number;
  channel: string;
  /** Null for a message whose address was erased. */
  to: string | null;
  /** The sandbox's id for the message (`sandbox.…`), which receipts name. */
  providerMessageId?: string | null;
  createdAt: string | null;
  body: unknown;
  /** WhatsApp adds header, footer and where the template's wording came from (`template`). */
  preview: RenderedWhatsappPreview;
}

/** A message as the phone shows it; for WhatsApp rendered by the server from the template's wording. */
export interface RenderedWhatsappPreview {
  header?: string | null;
  text: string;
  footer?: string | null;
  buttons: Array<{ title: string; payload: string }>;
  /** `meta`: Meta's own wording; `plugin`: the wording the plugin submits, not confirmed by Meta; `unknown`: only the values. */
  template?: { name: string; language: string | null; source: 'meta' | 'plugin' | 'unknown'; status: string | null; category: string | null } | null;
}

export interface PublishPreview {
  broadcasts: boolean;
  reason: null | 'not-mapped' | 'already-broadcast' | 'skip-flag';
  /** The entry's fields that hold topic and urgency (absent when not mapped). */
  fields?: { topics: string | null; urgency: string | null; villages?: string | null };
  topic: { slug: string; name: string } | null;
  recipients: { total: number; byChannel: Record<string, number> };
  /** Recipients per language they read it in (`de`, `en`, `de-x-ls`); absent when the entry is not broadcast. */
  recipientsByLanguage?: Record<string, number>;
  dailyLimit: Record<string, { limit: number | null; usedLast24h: number; sendableNow: number; later: number }>;
  /** What the WhatsApp messages would cost at most, by the town's rate table. */
  whatsappCost?: {
    currency: string;
    category: string;
    messages: number;
    ratePerMessage: number | null;
    cost: number | null;
    /** Which rate table the estimate used (as on CostSummary). */
    ratesAsOf: string;
    ratesSource: string;
  } | null;
  /** The WhatsApp estimate against what is left of the month's budget; null without a budget. */
  whatsappBudget?: BudgetVerdict | null;
  /** The saved draft as the WhatsApp message citizens will read (null without WhatsApp or a saved entry). */
  whatsappMessage?: RenderedWhatsappPreview | null;
  /** When Publish starts sending: `at` null means now. */
  startsAt?: { at: string | null; reason: 'grace-period' | 'quiet-hours' | null };
  announcement: null | {
    documentId: string;
    broadcastStatus: BroadcastStatus | null;
    statusReason: string | null;
    resumesAt?: string | null;
    /** Recipients not yet sent to (before fan-out: everyone it will find). */
    waiting?: number;
    recipients: number;
    sent: number;
    delivered: number;
    read: number;
    failed: number;
    /** Deliveries set aside unsent because their run was cancelled or stopped. */
    skipped: number;
  };
  /** Topic values of the entry that match no topic: the news would go to every subscriber. */
  unmatchedTopics?: string[];
  /** Placeholders of the mapping's link that the saved entry leaves empty. */
  missingLinkFields?: string[];
  /**
   * Recipients per village of the news (a citizen who named two counts in both), and those who
   * chose the whole town; `selected` empty: news for the whole town. Absent: the town has no villages.
   */
  villages?: null | { selected: Array<{ slug: string; name: string; recipients: number }>; wholeTown: number; unmatched: string[] };
  /** Set when the draft was made from an official warning (DWD, NINA): source, severity, area, last change. */
  officialWarning?: OfficialWarningOrigin | null;
  /** The one post each account channel (Mastodon, Bluesky) will make, as the platform shows it. Absent when the entry is not broadcast. */
  accountPosts?: AccountPostPreview[];
  /** The text for the town's WhatsApp Channel (posted by hand), when the town has one. */
  whatsappChannelText?: string | null;
  /** Whether Publish will need a second person's approval, why, and who can give it (absent when the entry is not broadcast). */
  approval?: PublishApprovalPreview;
}

export interface PublishApprovalPreview {
  /** `hold`: it waits for the approval; `send-then-approve`: it goes at once and the approval follows; null: none needed. */
  mode: 'hold' | 'send-then-approve' | null;
  reasons: ApprovalHoldReason[];
  /** The channels that would wait (all of them, or only WhatsApp when over budget). */
  heldChannels: string[];
  /** Names of the admins who could approve it (never the one looking). */
  approvers: string[];
  /** The villages the logged-in editor may reach on their own; null: not limited. */
  villageRights: string[] | null;
}

/** One account channel's post as it will appear: the account, the text, the link, and its length in the platform's measure. */
export interface AccountPostPreview {
  /** `activitypub`: the town's own actor (`@news@<domain>`), as a follower's Mastodon shows its Note. */
  channel: 'mastodon' | 'bluesky' | 'activitypub';
  account: string;
  /** The account's display name, where the town sets it (its own actor). */
  name?: string;
  text: string;
  /** The full link (Bluesky shows a shortened label in the text and links this). */
  link: string | null;
  /** For a follow-up: the title of the news it answers (the post is a reply in that thread). */
  replyTo?: string | null;
  length: number;
  /** The platform's limit in its own measure; null where there is none (the town's own actor). */
  limit: number | null;
}

export type PluginPermissions = Record<PermissionName, boolean>;

/** A month of WhatsApp cost on the overview. */
export interface MonthCost extends CostSummary {
  /** `YYYY-MM` in the town's time zone. */
  month: string;
  /** Every message Meta priced in the month, by kind. */
  byKind: KindCost[];
}

/** The WhatsApp account as Meta has it, on the channel status (server/src/whatsapp-account/whatsapp-account.service.ts). */
export interface WhatsappAccountStatus {
  businessAccountConfigured: boolean;
  fetchedAt: string | null;
  messagingLimit: { tier: string | null; dailyLimit: number | null; throughputLevel: string | null } | null;
  templates: Array<{ name: string; language: string; status: string; category: string | null }>;
  templateEvents: Array<{
    templateName: string;
    language: string | null;
    change: 'status' | 'category';
    status: string | null;
    reason: string | null;
    previousCategory: string | null;
    newCategory: string | null;
    occurredAt: string;
  }>;
  apiVersion: { configured: string; retiresOn: string | null; newest: string };
  marketingEndpoint: 'messages' | 'marketing_messages';
  problems: Array<{ code: string; kind?: string; template?: string; message: { de: string; en: string } }>;
}

/** The sandbox outbox: what would have been sent, newest first, and which channels run in sandbox mode. */
export interface OutboxResponse {
  data: OutboxMessage[];
  meta: { pagination: Pagination; channels: string[] };
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

/** GET /audit: the audit trail's events, newest first, with the page's filters applied. */
export interface AuditListResponse {
  data: AuditEvent[];
  meta: { pagination: Pagination };
}

/** Strapi's `{ data }` envelope of the admin API. */
export interface DataResponse<T> {
  data: T;
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

/** POST /channels/whatsapp/templates: what Meta took for review, and what was left out and why. */
export interface SubmitTemplatesResult {
  submitted: Array<{ kind: string; name: string; id: string; status: string; category: string | null }>;
  skipped: Array<{ kind: string; reason: string }>;
}

/** POST /sandbox/act: the sandbox took the citizen's action (it then runs as a real webhook would). */
export interface SandboxActResult {
  accepted: boolean;
}

/** POST /subscribers/:id/erase. */
export interface EraseResult {
  erased: true;
}

/** POST /subscribers/purge-withdrawn: what the retention purge deleted. */
export interface PurgeResult {
  subscribers: number;
  messages: number;
  outbox: number;
}
