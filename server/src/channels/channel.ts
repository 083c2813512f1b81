import type { ChannelId, FollowUpKind, Urgency } from '../constants';
import type { Language } from '../../../shared/languages';

/**
 * What the delivery layer may do after a failed send. The adapter decides from the provider's
 * own error code; the HTTP status alone decides nothing.
 */
export const ERROR_CLASSES = ['retry', 'retry-later', 'permanent-recipient', 'permanent-announcement', 'fatal-channel'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface ClassifiedError {
  errorClass: ErrorClass;
  /** Provider error code as a string (`131056`), or a short tag for transport failures (`timeout`). */
  code: string;
  /** Safe to show to admins: no tokens, no phone numbers. */
  message: string;
  /** For `retry-later`: how long to wait. */
  retryAfterMs?: number;
  /**
   * What the error says about the recipient, so the subscriber can be marked. `withdrawn`: the
   * citizen shut the channel themselves (a blocked Telegram bot) and counts as unsubscribed.
   */
  recipientEffect?: 'marketing-stopped' | 'undeliverable' | 'withdrawn';
  /**
   * For `retry-later`: the wait may only be repeated `max` times for one delivery (Meta's marketing
   * cap, 131049). The delivery counts these waits on its own counter, apart from attempts; once
   * they are used up it fails with `exhaustedCode` as a permanent recipient failure.
   */
  holdLimit?: { max: number; exhaustedCode: string };
  /**
   * The request may have reached the provider (timeout after sending). Resending could
   * duplicate the message, so the delivery waits for a status webhook instead.
   */
  ambiguous?: boolean;
}

/** An announcement as every channel renders it. */
export interface AnnouncementContent {
  title: string;
  text: string;
  url: string | null;
  urgency: Urgency;
  topicNames: string[];
  /** For hashtags per topic and village (Mastodon, Bluesky). */
  topicSlugs?: string[];
  villageSlugs?: string[];
  townName: string;
  /** Set for an update or all-clear: which news it follows up ("Update zu: …", "Entwarnung: …"). */
  followUp?: { kind: FollowUpKind; originalTitle: string; originalUrl: string | null };
}

export type OutboundMessage =
  | {
      kind: 'announcement';
      to: string;
      deliveryRef: string;
      content: AnnouncementContent;
      /** Signed token for this subscriber's unsubscribe link (e-mail puts it in every mail). */
      unsubscribeToken?: string;
      /** Signed token for the "change channel or topics" link. */
      manageToken?: string;
      /** The citizen's language: the content is already in it; the channel's own words and template follow it. */
      locale?: Language;
      /**
       * E-mail threading for a follow-up: the Message-IDs this recipient's earlier mails of the
       * thread carried, oldest first (`References`; the last is `In-Reply-To`).
       */
      threadMessageIds?: string[];
      /** ActivityPub: the news' document id (its Note's URL), when it was published, and the news a follow-up answers. */
      activitypub?: { documentId: string; published: string; inReplyTo: string | null; language: string };
      /**
       * Account channels: a key unique to this delivery of this broadcast, the same on every retry
       * (Mastodon's `Idempotency-Key`, Bluesky's record key), so a send repeated after a crash
       * cannot post twice.
       */
      idempotencyKey?: string;
      /** When the news was published: Bluesky's record key carries it as its timestamp. */
      announcedAt?: Date;
    }
  /** Double opt-in: carries a one-time token the citizen sends back (button tap, or confirmation link). */
  | { kind: 'confirmation'; to: string; token: string; townName: string; locale?: Language; deliveryRef?: string }
  /**
   * Free text, only valid inside the provider's customer-service window. `deliveryRef` on a
   * one-to-one message names its kind (`m:<kind>`), so the provider's pricing is counted under it.
   */
  | { kind: 'text'; to: string; text: string; locale?: Language; deliveryRef?: string };

export interface SendResult {
  providerMessageId: string;
}

export type ProviderStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** What the provider says it charges for a message (WhatsApp status webhooks' `pricing`). */
export interface ProviderPricing {
  billable: boolean;
  /** `PMP` (per message) since July 2025. */
  model?: string;
  /** `marketing`, `utility`, `authentication`, `service`, … in lower case. */
  category?: string;
}

/** Everything a provider webhook can tell us, normalised across channels. */
export type ChannelEvent =
  | {
      type: 'status';
      providerMessageId: string;
      status: ProviderStatus;
      at: Date;
      /** Our delivery reference echoed back by the provider, when we sent one. */
      deliveryRef?: string;
      error?: ClassifiedError;
      pricing?: ProviderPricing;
    }
  | {
      type: 'message';
      providerMessageId: string;
      /**
       * Sender address in the channel's canonical form: E.164 with `+` for WhatsApp, or the
       * citizen's BSUID when Meta did not share a number (usernames).
       */
      from: string;
      /** WhatsApp's business-scoped user id, whenever the webhook carries one. */
      userId?: string;
      at: Date;
      text?: string;
      /** Payload of a tapped quick-reply button. */
      buttonPayload?: string;
      profileName?: string;
    }
  | { type: 'preference'; from: string; userId?: string; value: 'stop' | 'resume'; at: Date }
  /** WhatsApp gave a citizen a new BSUID (`user_id_update`); `phone` when Meta shares it. */
  | { type: 'user-id-update'; previous: string; current: string; phone?: string; at: Date }
  /** WhatsApp: Meta changed a template's status (`message_template_status_update`) or category (`template_category_update`). */
  | {
      type: 'template-update';
      change: 'status' | 'category';
      templateName: string;
      language: string | null;
      status?: string;
      reason?: string;
      previousCategory?: string;
      newCategory?: string;
      at: Date;
    }
  | { type: 'account-error'; error: ClassifiedError; at: Date };

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface ChannelWebhook {
  /** Answers the provider's subscription handshake: the challenge to echo, or null to refuse. */
  handshake(query: Record<string, unknown>): string | null;
  /** Checks the signature over the raw request body. */
  verify(rawBody: string | Buffer, headers: HeaderBag): boolean;
  /** Maps a verified payload to normalised events; unknown parts are ignored. */
  parse(payload: unknown): ChannelEvent[];
}

export interface Channel {
  readonly id: ChannelId;
  /** `sandbox`: nothing leaves the machine; requests are recorded for the admin's phone view. */
  readonly mode: 'live' | 'sandbox';
  readonly messagesPerSecond: number;
  /** Distinct recipients of business-initiated messages allowed per rolling 24 hours. */
  readonly dailyRecipientLimit: number | null;
  /**
   * What the provider says the account may reach per day (WhatsApp's messaging-limit tier; null =
   * unlimited). From then on `dailyRecipientLimit` follows it, below any ceiling the town pinned.
   */
  setProviderDailyLimit?(limit: number | null): void;
  send(message: OutboundMessage): Promise<SendResult>;
  classifyError(error: unknown): ClassifiedError;
  webhook?: ChannelWebhook;
  close?(): Promise<void>;
}

/** Records what a sandboxed adapter would have sent; answers the fake provider message id. */
export type SandboxRecorder = (entry: { channel: ChannelId; to: string; body: unknown }) => Promise<string>;

/** Absolute URLs of the plugin's public pages, for channels that put links in messages. */
export interface ChannelLinks {
  /** GET shows a page whose button confirms with a POST. */
  confirm(token: string, locale?: Language): string;
  /** GET shows a page with a button; POST (also RFC 8058 one-click) unsubscribes. */
  unsubscribe(token: string, locale?: Language): string;
  signup(locale?: Language): string;
  /** The sign-up page with this subscription's topics ticked, to add or switch a channel. */
  manage(token: string, locale?: Language): string;
  /** The page where a citizen picks another language (the manage token); null when the town offers one language. */
  language?(token: string, locale?: Language): string | null;
}

export interface ChannelLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
