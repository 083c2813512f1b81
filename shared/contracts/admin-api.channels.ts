/** The admin API's answers (./admin-api.ts): channels, the inbox and the sandbox. */
import type { Pagination } from './admin-api';
import type { RenderedWhatsappPreview } from './admin-api.preview';
import type { ChannelProblem } from './channels';

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

/** POST /channels/whatsapp/templates: what Meta took for review, and what was left out and why. */
export interface SubmitTemplatesResult {
  submitted: Array<{ kind: string; name: string; id: string; status: string; category: string | null }>;
  skipped: Array<{ kind: string; reason: string }>;
}

/** POST /sandbox/act: the sandbox took the citizen's action (it then runs as a real webhook would). */
export interface SandboxActResult {
  accepted: boolean;
}
