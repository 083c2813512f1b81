/** The admin API's answers (./admin-api.ts): the side panel's preview of a publish. */
import type { CostSummary } from '../costs';
import type { ApprovalHoldReason } from './approval';
import type { BroadcastStatus } from './broadcasts';
import type { BroadcastCounts } from './admin-api.broadcasts';
import type { BudgetVerdict } from './costs';
import type { OfficialWarningOrigin } from './warnings';

/** The broadcast an entry already became, as the side panel shows it. */
export interface PreviewedBroadcast extends BroadcastCounts {
  documentId: string;
  broadcastStatus: BroadcastStatus | null;
  statusReason: string | null;
  resumesAt?: string | null;
  /** Recipients not yet sent to (before fan-out: everyone it will find). */
  waiting?: number;
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
  announcement: PreviewedBroadcast | null;
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
