import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { WhatsappConfig } from './whatsapp.config';
import type { ChannelEvent, ChannelWebhook, HeaderBag, ProviderPricing, ProviderStatus } from '../channel';
import { classifyWhatsappError, DEFAULT_ERROR_POLICY, type WhatsappErrorPolicy } from './whatsapp.errors';
import { isBusinessScopedUserId } from './whatsapp.identity';

/**
 * Meta's webhook: GET handshake, `X-Hub-Signature-256` over the raw body, and the
 * `whatsapp_business_account` payload mapped to channel events. Meta batches up to 1000
 * updates per POST, so one malformed item must not cost the other 999.
 */

const SIGNATURE_HEADER = 'x-hub-signature-256';
const SIGNATURE_PREFIX = 'sha256=';
const TRACKED_STATUSES: readonly ProviderStatus[] = ['sent', 'delivered', 'read', 'failed'];

/** Unix seconds, sent as a string in messages/statuses and as a number in user_preferences. */
const unixSeconds = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((value) => new Date(Number(value) * 1000));
/** Phone digits as Meta sends them (`from`, `wa_id`). */
const waId = z.string().regex(/^\d{6,15}$/);
/**
 * Since v25 a citizen with a username may come without a number: `from`/`wa_id` are then
 * missing or an empty string, and only the BSUID (`from_user_id`/`user_id`) says who it is.
 */
const optionalWaId = z.union([waId, z.literal('')]).optional().transform((value) => value || undefined);
const bsuid = z.string().refine(isBusinessScopedUserId);
const optionalBsuid = z.unknown().optional().transform((value) => (typeof value === 'string' && isBusinessScopedUserId(value) ? value : undefined));
const errorEntry = z.object({ code: z.union([z.number(), z.string()]) });

/** Meta bills per delivered template; `sent` and one of `delivered`/`read` carry what it charges. */
const pricingSchema = z.object({
  billable: z.boolean().optional(),
  pricing_model: z.string().max(40).optional(),
  type: z.string().max(40).optional(),
  category: z.string().max(60).optional(),
});

const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: unixSeconds,
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
  pricing: z.unknown().optional(),
});

const messageSchema = z.object({
  id: z.string().min(1),
  from: optionalWaId,
  from_user_id: optionalBsuid,
  timestamp: unixSeconds,
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ payload: z.string().optional(), text: z.string().optional() }).optional(),
  interactive: z
    .object({
      button_reply: z.object({ id: z.string() }).optional(),
      list_reply: z.object({ id: z.string() }).optional(),
    })
    .optional(),
});

const contactSchema = z.object({ wa_id: z.string().optional(), user_id: optionalBsuid, profile: z.object({ name: z.string().optional() }).optional() });

const preferenceSchema = z.object({
  wa_id: optionalWaId,
  user_id: optionalBsuid,
  category: z.literal('marketing_messages'),
  value: z.enum(['stop', 'resume']),
  timestamp: unixSeconds.optional(),
});

/** Only the skeleton is checked here; every entry, change and item below it is parsed on its own. */
const envelopeSchema = z.object({ object: z.string().optional(), entry: z.array(z.unknown()) });
const entrySchema = z.object({ changes: z.array(z.unknown()) });
const changeSchema = z.object({ value: z.record(z.string(), z.unknown()) });

/** `message_template_status_update` and `template_category_update`: the value is the update itself. */
const templateStatusSchema = z.object({
  event: z.string().min(1).max(60),
  message_template_name: z.string().min(1).max(512),
  message_template_language: z.string().max(20).optional(),
  reason: z.string().max(200).nullish(),
});
const templateCategorySchema = z.object({
  message_template_name: z.string().min(1).max(512),
  message_template_language: z.string().max(20).optional(),
  previous_category: z.string().max(40),
  new_category: z.string().max(40),
});

/** A citizen's BSUID changed (a new phone number makes a new one): `user_id_update`. */
const userIdUpdateSchema = z.object({
  wa_id: optionalWaId,
  user_id: z.object({ previous: bsuid, current: bsuid }),
  timestamp: unixSeconds.optional(),
});
/** The same news as a system message inside the `messages` field. */
const userIdChangedSystemSchema = z.object({
  from_user_id: bsuid,
  timestamp: unixSeconds,
  type: z.literal('system'),
  system: z.object({ type: z.literal('user_changed_user_id'), user_id: bsuid, wa_id: optionalWaId }),
});

type ParsedChange = Record<string, unknown>;

function items(value: ParsedChange, key: string): unknown[] {
  const list = value[key];
  return Array.isArray(list) ? list : [];
}

function changesOf(payload: unknown): ParsedChange[] {
  const envelope = envelopeSchema.safeParse(payload);
  if (!envelope.success) return [];
  if (envelope.data.object !== undefined && envelope.data.object !== 'whatsapp_business_account') return [];
  const changes: ParsedChange[] = [];
  for (const entry of envelope.data.entry) {
    const parsedEntry = entrySchema.safeParse(entry);
    if (!parsedEntry.success) continue;
    for (const change of parsedEntry.data.changes) {
      const parsedChange = changeSchema.safeParse(change);
      if (parsedChange.success) changes.push(parsedChange.data.value);
    }
  }
  return changes;
}

function pricingOf(raw: unknown): { pricing?: ProviderPricing } {
  const parsed = pricingSchema.safeParse(raw);
  if (!parsed.success || raw === undefined) return {};
  const { billable, pricing_model: model, type, category } = parsed.data;
  // `billable` is being retired in favour of `type`: `regular` is charged, `free_*` is not.
  const charged = type !== undefined ? type === 'regular' : billable;
  if (charged === undefined && !category) return {};
  return { pricing: { billable: charged ?? false, ...(model ? { model } : {}), ...(category ? { category: category.toLowerCase() } : {}) } };
}

function statusEvents(value: ParsedChange, policy: WhatsappErrorPolicy): ChannelEvent[] {
  const events: ChannelEvent[] = [];
  for (const item of items(value, 'statuses')) {
    const parsed = statusSchema.safeParse(item);
    if (!parsed.success) continue;
    const status = parsed.data.status as ProviderStatus;
    // `played`, `deleted`, `warning` say nothing about delivery of a news message.
    if (!TRACKED_STATUSES.includes(status)) continue;
    events.push({
      type: 'status',
      providerMessageId: parsed.data.id,
      status,
      at: parsed.data.timestamp,
      ...(parsed.data.biz_opaque_callback_data ? { deliveryRef: parsed.data.biz_opaque_callback_data } : {}),
      ...(status === 'failed' ? { error: classifyWhatsappError(parsed.data.errors?.[0] ?? null, [], policy) } : {}),
      ...pricingOf(parsed.data.pricing),
    });
  }
  return events;
}

function messageEvents(value: ParsedChange): ChannelEvent[] {
  const contacts = items(value, 'contacts').flatMap((item) => {
    const parsed = contactSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  const events: ChannelEvent[] = [];
  for (const item of items(value, 'messages')) {
    const parsed = messageSchema.safeParse(item);
    if (!parsed.success) continue;
    const message = parsed.data;
    const contact =
      contacts.find((candidate) => (message.from && candidate.wa_id === message.from) || (message.from_user_id && candidate.user_id === message.from_user_id)) ??
      (contacts.length === 1 ? contacts[0] : undefined);
    const userId = message.from_user_id ?? contact?.user_id;
    // The number when Meta shares it (Meta recommends sending to numbers), else the BSUID.
    const from = message.from ? `+${message.from}` : userId;
    if (!from) continue;
    const buttonPayload =
      message.type === 'button'
        ? message.button?.payload
        : message.type === 'interactive'
          ? (message.interactive?.button_reply?.id ?? message.interactive?.list_reply?.id)
          : undefined;
    const text = message.type === 'text' ? message.text?.body : undefined;
    events.push({
      type: 'message',
      providerMessageId: message.id,
      from,
      at: message.timestamp,
      ...(userId ? { userId } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(buttonPayload !== undefined ? { buttonPayload } : {}),
      ...(contact?.profile?.name ? { profileName: contact.profile.name } : {}),
    });
  }
  return events;
}

function templateEvents(value: ParsedChange, now: Date): ChannelEvent[] {
  const status = templateStatusSchema.safeParse(value);
  if (status.success) {
    const { event, message_template_name: templateName, message_template_language: language, reason } = status.data;
    return [{ type: 'template-update', change: 'status', templateName, language: language ?? null, status: event.toUpperCase(), ...(reason && reason !== 'NONE' ? { reason } : {}), at: now }];
  }
  const category = templateCategorySchema.safeParse(value);
  if (category.success) {
    const { message_template_name: templateName, message_template_language: language, previous_category: previousCategory, new_category: newCategory } = category.data;
    return [{ type: 'template-update', change: 'category', templateName, language: language ?? null, previousCategory: previousCategory.toUpperCase(), newCategory: newCategory.toUpperCase(), at: now }];
  }
  return [];
}

function userIdEvents(value: ParsedChange, now: Date): ChannelEvent[] {
  const events: ChannelEvent[] = [];
  for (const item of items(value, 'user_id_update')) {
    const parsed = userIdUpdateSchema.safeParse(item);
    if (!parsed.success) continue;
    const { user_id: ids, wa_id: phone, timestamp } = parsed.data;
    events.push({ type: 'user-id-update', previous: ids.previous, current: ids.current, ...(phone ? { phone: `+${phone}` } : {}), at: timestamp ?? now });
  }
  for (const item of items(value, 'messages')) {
    const parsed = userIdChangedSystemSchema.safeParse(item);
    if (!parsed.success) continue;
    const { from_user_id: previous, system, timestamp } = parsed.data;
    events.push({ type: 'user-id-update', previous, current: system.user_id, ...(system.wa_id ? { phone: `+${system.wa_id}` } : {}), at: timestamp });
  }
  return events;
}

function preferenceEvents(value: ParsedChange, now: Date): ChannelEvent[] {
  const events: ChannelEvent[] = [];
  for (const item of items(value, 'user_preferences')) {
    const parsed = preferenceSchema.safeParse(item);
    if (!parsed.success) continue;
    const { wa_id: phone, user_id: userId } = parsed.data;
    const from = phone ? `+${phone}` : userId;
    if (!from) continue;
    events.push({ type: 'preference', from, ...(userId ? { userId } : {}), value: parsed.data.value, at: parsed.data.timestamp ?? now });
  }
  return events;
}

function accountErrorEvents(value: ParsedChange, now: Date): ChannelEvent[] {
  // Account-level errors carry no timestamp; the moment we learn of them is the best we have.
  return items(value, 'errors')
    .filter((item) => errorEntry.safeParse(item).success)
    .map((item) => ({ type: 'account-error', error: classifyWhatsappError(item), at: now }));
}

/** Hashing both sides first makes the comparison constant-time without leaking the length. */
function sameSecret(candidate: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(candidate), digest(expected));
}

function firstValue(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** Accepts both `{ 'hub.mode': … }` and, from parsers that split on dots, `{ hub: { mode: … } }`. */
function hubParam(query: Record<string, unknown>, name: 'mode' | 'verify_token' | 'challenge'): string | undefined {
  const flat = firstValue(query[`hub.${name}`]);
  if (flat !== undefined) return flat;
  const nested = query.hub;
  return typeof nested === 'object' && nested !== null ? firstValue((nested as Record<string, unknown>)[name]) : undefined;
}

function headerValue(headers: HeaderBag, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : firstValue(headers[key]);
}

/** The WhatsApp webhook: handshake, signature check, and payload-to-event mapping. */
export function createWhatsappWebhook(
  config: Pick<WhatsappConfig, 'verifyToken' | 'appSecret'>,
  clock: () => Date = () => new Date(),
  /** The town's marketing-cap tuning: a 131049 reported in a status webhook waits as long and as often as one in the send answer. */
  policy: WhatsappErrorPolicy = DEFAULT_ERROR_POLICY
): ChannelWebhook {
  return {
    handshake(query) {
      if (!config.verifyToken) return null;
      const mode = hubParam(query, 'mode');
      const token = hubParam(query, 'verify_token');
      const challenge = hubParam(query, 'challenge');
      if (mode !== 'subscribe' || token === undefined || !challenge) return null;
      return sameSecret(token, config.verifyToken) ? challenge : null;
    },

    verify(rawBody, headers) {
      if (!config.appSecret) return false;
      const header = headerValue(headers, SIGNATURE_HEADER);
      if (!header || !header.startsWith(SIGNATURE_PREFIX)) return false;
      const provided = header.slice(SIGNATURE_PREFIX.length);
      // Buffer.from(…, 'hex') silently drops invalid characters; only well-formed digests are compared.
      if (!/^[0-9a-f]{64}$/i.test(provided)) return false;
      const expected = createHmac('sha256', config.appSecret).update(rawBody).digest();
      const received = Buffer.from(provided, 'hex');
      return received.length === expected.length && timingSafeEqual(received, expected);
    },

    parse(payload) {
      const now = clock();
      return changesOf(payload).flatMap((value) => [
        ...statusEvents(value, policy),
        ...messageEvents(value),
        ...preferenceEvents(value, now),
        ...userIdEvents(value, now),
        ...templateEvents(value, now),
        ...accountErrorEvents(value, now),
      ]);
    },
  };
}
