import { z } from 'zod';
import { LANGUAGES } from '../../../shared/languages';
import { pushSubscriptionSchema } from '../channels/webpush/webpush.subscription';
import { SIGNUP_CHANNEL_IDS } from '../constants';

/** E-mail addresses may be 254 characters; phone numbers are far shorter. Telegram needs none. */
const addressSchema = z.string().trim().min(3).max(254);

const channelEntrySchema = z.object({ channel: z.enum(SIGNUP_CHANNEL_IDS), address: addressSchema.optional(), subscription: pushSubscriptionSchema.optional() }).strict();

/**
 * Public request bodies. Limits are tight on purpose: nothing a citizen sends needs more.
 * A sign-up names either one `channel` (with its `address`) or a `channels` list, which the
 * hosted page sends when the citizen ticks several; topics and consent are shared.
 */
export const signupBodySchema = z
  .object({
    channel: z.enum(SIGNUP_CHANNEL_IDS).optional(),
    address: addressSchema.optional(),
    /** Web Push: `PushSubscription.toJSON()` from the citizen's browser. */
    subscription: pushSubscriptionSchema.optional(),
    channels: z.array(channelEntrySchema).min(1).max(SIGNUP_CHANNEL_IDS.length).optional(),
    name: z.string().trim().max(100).optional(),
    topics: z.array(z.string().max(100)).max(50).default([]),
    /** Slugs of the town's villages (Ortsteile); none: the whole town. */
    villages: z.array(z.string().max(60)).max(100).default([]),
    locale: z.enum(LANGUAGES).optional(),
    consent: z.object({
      accepted: z.literal(true, { error: 'Consent must be given' }),
      version: z.string().min(1).max(50),
    }),
    source: z.string().trim().max(100).optional(),
    /** Manage token of an existing subscription whose topics a sign-up without topics takes over. */
    topicsFrom: z.string().min(8).max(200).optional(),
    /** Manage token of the link the page was opened with: that subscription takes the change at once. */
    manage: z.string().min(8).max(200).optional(),
    /** Honeypot: invisible to people, filled in by bots. */
    website: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.channel === undefined) === (body.channels === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['channel'], message: 'Give either channel (with its address) or channels' });
    }
    if (body.channels && body.address !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'With channels, each entry carries its own address' });
    }
  });
export type SignupBody = z.infer<typeof signupBodySchema>;

const tokenSchema = z.string().min(8).max(200);

export const tokenBodySchema = z.object({ token: tokenSchema }).strict();

/** The link pages' query: `?token=…` and an optional language. */
export const tokenQuerySchema = z.object({ token: tokenSchema, lang: z.string().max(20).optional() });

/** The language link: the manage token and the new language (JSON, or the page's form). */
export const languageBodySchema = z.object({ token: tokenSchema, language: z.enum(LANGUAGES), lang: z.string().max(20).optional() });

/** RFC 8058: a mail client's one-click unsubscribe POSTs exactly this form field; the token is in the URL. */
/** The page's and the service worker's own unsubscribe, and `pushsubscriptionchange`. */
export const pushUnsubscribeBodySchema = z.object({ endpoint: pushSubscriptionSchema.shape.endpoint }).strict();
export const pushRenewBodySchema = z.object({ oldEndpoint: pushSubscriptionSchema.shape.endpoint, subscription: pushSubscriptionSchema }).strict();

export const oneClickBodySchema = z.object({ 'List-Unsubscribe': z.literal('One-Click') });
