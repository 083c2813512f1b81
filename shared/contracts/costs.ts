/**
 * What the town's WhatsApp number sends, by kind, so the cost view can say what each kind costs.
 * `news` are broadcast deliveries; the others are one-to-one messages (messages.service), which
 * carry their kind to Meta and back in `biz_opaque_callback_data` (`m:<kind>`). `other`: the
 * unreachable hint, a "you are already signed up" answer, and messages sent before kinds existed.
 */
export const MESSAGE_KINDS = ['news', 'confirmation', 'interim-reply', 'keyword-answer', 'stop-receipt', 'staff-reply', 'other'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
/** The kinds of one-to-one messages (not news). */
export type OneToOneKind = Exclude<MessageKind, 'news'>;

/** Our reference on a one-to-one message, echoed by Meta in its status webhooks. */
export const messageKindRef = (kind: OneToOneKind) => `m:${kind}`;
/** The kind a status webhook's echoed reference names; `other` for none or an unknown one. */
export function kindOfRef(ref: string | undefined): OneToOneKind {
  const kind = ref?.startsWith('m:') ? ref.slice(2) : '';
  return (MESSAGE_KINDS as readonly string[]).includes(kind) && kind !== 'news' ? (kind as OneToOneKind) : 'other';
}

/** One kind's messages in a period: how many Meta priced, how many it bills, and their cost at the town's rates. */
export interface KindCost {
  kind: MessageKind;
  /** Messages Meta's webhooks priced (billable or not). */
  messages: number;
  billableMessages: number;
  /** At the rate table's rates; billable messages of a category without a rate are left out. */
  cost: number;
}

/** The month's WhatsApp budget as the overview shows it. */
export interface BudgetStatus {
  currency: string;
  /** `YYYY-MM` in the town's time zone. */
  month: string;
  /** Cost of the month so far, from Meta's pricing at the town's rates. */
  spent: number;
  /** The month so far extrapolated over the whole month (its sending rate since the 1st). */
  forecast: number;
  /** null: no budget configured. */
  amount: number | null;
  /** amount − spent, never below 0; null without a budget. */
  remaining: number | null;
  /** spent / amount in percent (one decimal); null without a budget. */
  percentUsed: number | null;
  thresholds: number[];
  /** The thresholds already mailed this month. */
  mailedThresholds: number[];
  byKind: KindCost[];
}

/** What a broadcast's WhatsApp messages would cost against what is left of the month's budget. */
export interface BudgetVerdict {
  wouldExceed: boolean;
  estimate: number;
  /** null: no budget configured (then never `wouldExceed`). */
  remaining: number | null;
  currency: string;
}
