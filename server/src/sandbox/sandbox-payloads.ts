import { randomUUID } from 'node:crypto';

/**
 * What a provider would POST to our webhook when a citizen acts, for the sandbox phone. The
 * payload is the provider's own shape, so it runs through the channel's real webhook parser.
 */
export interface CitizenAction {
  /** The sender in canonical form (E.164 with `+` for WhatsApp). */
  from: string;
  action: 'tap' | 'text';
  payload?: string;
  text?: string;
  /** Shown as the sender's profile name. */
  profileName?: string;
  at?: Date;
}

/** Meta's `whatsapp_business_account` message webhook (a quick-reply tap or a text). */
export function whatsappInboundPayload(action: CitizenAction, phoneNumberId: string, displayPhoneNumber: string) {
  const from = action.from.replace(/\D/g, '');
  const timestamp = String(Math.floor((action.at ?? new Date()).getTime() / 1000));
  const id = `wamid.sandbox.${randomUUID()}`;
  const message =
    action.action === 'tap'
      ? { from, id, timestamp, type: 'button', button: { payload: action.payload ?? '', text: action.payload ?? '' } }
      : { from, id, timestamp, type: 'text', text: { body: action.text ?? '' } };
  return whatsappEnvelope(displayPhoneNumber, phoneNumberId, {
    contacts: [{ profile: { name: action.profileName ?? 'Sandbox' }, wa_id: from }],
    messages: [message],
  });
}

/** Meta's webhook envelope around one `messages` change, as the sandbox's own business account. */
function whatsappEnvelope(displayPhoneNumber: string, phoneNumberId: string, change: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'sandbox',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: displayPhoneNumber.replace(/\D/g, ''), phone_number_id: phoneNumberId || 'sandbox' },
              ...change,
            },
          },
        ],
      },
    ],
  };
}

/**
 * Meta's status webhook for one message: what WhatsApp sends when the phone received the message
 * (`delivered`) or the citizen opened it (`read`). The sandbox phone sends it for sandbox messages,
 * so progress moves past "sent" through the same status processing as live traffic.
 */
export function whatsappStatusPayload(input: { providerMessageId: string; to: string; status: 'delivered' | 'read'; phoneNumberId: string; displayPhoneNumber: string; at?: Date }) {
  return whatsappEnvelope(input.displayPhoneNumber, input.phoneNumberId, {
    statuses: [
      {
        id: input.providerMessageId,
        status: input.status,
        timestamp: String(Math.floor((input.at ?? new Date()).getTime() / 1000)),
        recipient_id: input.to.replace(/\D/g, ''),
      },
    ],
  });
}

export interface PhoneButton {
  title: string;
  payload: string;
}

/** Telegram's Update for a private message from `chatId`, as the Bot API would POST it. */
export function telegramInboundPayload(action: CitizenAction, chatId: string) {
  const id = Number(chatId);
  const text = action.action === 'tap' ? (action.payload ?? '') : (action.text ?? '');
  return {
    update_id: Math.floor(Math.random() * 2 ** 31),
    message: {
      message_id: Math.floor(Math.random() * 2 ** 31),
      date: Math.floor((action.at ?? new Date()).getTime() / 1000),
      chat: { id, type: 'private', first_name: action.profileName ?? 'Sandbox' },
      from: { id, is_bot: false, first_name: action.profileName ?? 'Sandbox' },
      text,
    },
  };
}

/** The Bot API's sendMessage body → the chat bubble (HTML formatting stripped). */
export function telegramPreview(body: unknown): { text: string; buttons: PhoneButton[] } {
  const request = (body ?? {}) as { text?: string };
  const text = (request.text ?? '')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  return { text, buttons: [] };
}

/**
 * A mail as the inbox would show it. Its confirm and unsubscribe links become buttons whose
 * payload names the action and the token, so the operator can "click" them.
 */
export function emailPreview(body: unknown): { text: string; buttons: PhoneButton[] } {
  const mail = (body ?? {}) as { subject?: string; text?: string };
  const text = [mail.subject ? `Betreff: ${mail.subject}` : '', mail.text ?? ''].filter(Boolean).join('\n\n');
  const buttons: PhoneButton[] = [];
  for (const [, action, token] of (mail.text ?? '').matchAll(/\/subscriptions\/(confirm|unsubscribe)\?token=([^&\s]+)/g)) {
    const payload = `${action}:${decodeURIComponent(token)}`;
    if (!buttons.some((button) => button.payload === payload)) buttons.push({ title: action === 'confirm' ? 'Confirm' : 'Unsubscribe', payload });
  }
  return { text, buttons };
}

/**
 * A Web Push notification as the device would show it: title, short text, the link behind a
 * click, and the notification's "Mitteilungen abbestellen" button (its payload carries the token).
 */
export function webpushPreview(body: unknown): { text: string; buttons: PhoneButton[] } {
  const { payload, headers } = (body ?? {}) as { payload?: { title?: string; body?: string; url?: string | null; unsubscribeToken?: string | null; urgency?: string }; headers?: { Urgency?: string } };
  const lines = [payload?.title ?? '', payload?.body ?? '', payload?.url ?? ''].filter(Boolean);
  if (headers?.Urgency === 'high') lines.push('(bleibt stehen, bis es weggetippt wird)');
  const buttons: PhoneButton[] = payload?.unsubscribeToken ? [{ title: 'Mitteilungen abbestellen', payload: `unsubscribe:${payload.unsubscribeToken}` }] : [];
  return { text: lines.join('\n\n'), buttons };
}

/** A Mastodon status as the timeline shows it: its text (the link counted as 23, shown whole). */
export function mastodonPreview(body: unknown): { text: string; buttons: PhoneButton[] } {
  const status = (body ?? {}) as { status?: string };
  return { text: status.status ?? '', buttons: [] };
}

/** A Bluesky post: its text, the shortened link label standing for the full link in its facet. */
export function blueskyPreview(body: unknown): { text: string; buttons: PhoneButton[] } {
  const request = (body ?? {}) as { record?: { text?: string } };
  return { text: request.record?.text ?? '', buttons: [] };
}
