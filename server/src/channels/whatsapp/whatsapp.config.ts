import { z } from 'zod';
import { strict } from '../../config/strict';
import { LANGUAGES } from '../../../../shared/languages';

/** The WhatsApp channel's configuration (Cloud API credentials, templates, limits, costs). */

const templateParameterSchema = strict.object({
  /** Name for templates created with named parameters; omitted for positional `{{1}}` templates. */
  name: z.string().min(1).optional(),
  /** Which announcement field fills this parameter. */
  source: z.enum(['title', 'text', 'url', 'urgency', 'topic', 'town']),
});

const announcementTemplateSchema = strict.object({
  name: z.string().min(1),
  language: z.string().min(2).default('de'),
  header: z.array(templateParameterSchema).default([]),
  body: z.array(templateParameterSchema).default([
    { source: 'title' },
    { source: 'text' },
  ]),
  /** Index of a URL button whose dynamic suffix is the article's path; omitted when the template has none. */
  urlButtonIndex: z.number().int().min(0).max(9).optional(),
  /** Prefix the template's URL button already contains; the suffix sent is the article URL with it stripped. */
  urlButtonPrefix: z.string().optional(),
});

const confirmationTemplateSchema = strict.object({
  name: z.string().min(1),
  language: z.string().min(2).default('de'),
  /** Index of the quick-reply button whose payload carries the one-time confirmation token. */
  quickReplyIndex: z.number().int().min(0).max(9).default(0),
  body: z.array(templateParameterSchema).default([]),
});

/** A template the town created for one citizen language: Meta keeps one template per name and language. */
const languageTemplateSchema = strict.object({
  name: z.string().min(1),
  /** Meta's language code of that template (`en`, `en_US`, `de`; Leichte Sprache is a German template, `de`). */
  language: z.string().min(2),
});

/**
 * Per citizen language, the templates to use instead of `announcement` / `confirmation` (which
 * serve the default language and every language without an entry here). Each must have the
 * same placeholders and buttons as the main template: the parameters are filled the same way.
 */
const languageTemplatesSchema = strict.object({ announcement: languageTemplateSchema.optional(), confirmation: languageTemplateSchema.optional() });
const templatesByLanguageSchema = strict.object({
  de: languageTemplatesSchema.optional(),
  en: languageTemplatesSchema.optional(),
  'de-x-ls': languageTemplatesSchema.optional(),
} satisfies Record<(typeof LANGUAGES)[number], unknown>);

export const whatsappConfigSchema = strict.object({
  enabled: z.boolean().default(true),
  phoneNumberId: z.string().default(''),
  accessToken: z.string().default(''),
  appSecret: z.string().default(''),
  verifyToken: z.string().default(''),
  /** The town's WhatsApp number in international format; used for wa.me click-to-chat links. */
  businessNumber: z.string().default(''),
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'must look like v24.0').default('v24.0'),
  baseUrl: z.string().url().default('https://graph.facebook.com'),
  // Meta's ceiling is 1,000/s for upgraded numbers; higher values exist for benchmarks against a fake API.
  messagesPerSecond: z.number().int().positive().max(100_000).default(80),
  /**
   * Distinct citizens per rolling 24 hours until Meta's messaging-limit tier has been read (and
   * in sandbox mode). Once read (needs `businessAccountId`), the limit follows Meta's tier.
   */
  dailyRecipientLimit: z.number().int().positive().default(250),
  /** A ceiling the town sets itself: the daily limit never goes above it, whatever Meta's tier. */
  pinDailyRecipientLimit: z.number().int().positive().optional(),
  /** The WhatsApp Business Account id: templates, limits and template webhooks are read with it. */
  businessAccountId: z.string().default(''),
  /** Meta wants marketing templates on `/marketing_messages` (Marketing Messages API); `messages` is the classic path. */
  marketingEndpoint: z.enum(['messages', 'marketing_messages']).default('messages'),
  /** The day `apiVersion` is retired, from Meta's Graph API changelog, when the built-in table does not know it. */
  apiVersionRetiresOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').optional(),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * Meta's per-user marketing cap (131049): how many times a delivery waits and tries again before
   * it ends as `marketing-cap-reached`. Meta counts needless retries against the account; 2 follows its advice.
   */
  marketingCapRetries: z.number().int().min(0).max(10).default(2),
  /** The wait after a 131049 before the next try; Meta says at least 24 hours. Tests shorten it. */
  marketingCapWaitSeconds: z.number().int().positive().default(24 * 60 * 60),
  /**
   * Double opt-in: `template` sends the confirmation template with a button, `link` only offers
   * the wa.me link (the citizen writes first, nothing goes to a number that did not ask), `both` does both.
   */
  confirmBy: z.enum(['template', 'link', 'both']).default('both'),
  /**
   * When WhatsApp ends a delivery with 130472 or 131026, send the citizen one plain-text hint on
   * another confirmed channel they signed up for in the same form (e-mail or Telegram). Off by
   * default: it uses the link between a person's sign-ups, and the town's DPO decides (docs/whatsapp.md).
   */
  unreachableHint: strict.object({ enabled: z.boolean().default(false) }).prefault({}),
  /**
   * Sandbox: with no access token the adapter calls nobody and records what it would have sent.
   * In production it must be switched on explicitly, so a forgotten token never looks like success.
   */
  sandbox: z.boolean().optional(),
  /**
   * What Meta charges per delivered billable message, by pricing category, to show cost in the
   * admin. Defaults: Germany, per-message pricing from 2025-07-01 as quoted by hello-charles.com
   * (a reseller, not Meta): placeholders until the town copies its own figures from Meta's rate
   * card (developers.facebook.com/docs/whatsapp/pricing); Meta may change them every quarter.
   */
  costs: strict
    .object({
      currency: z.string().length(3).default('EUR'),
      ratePerMessage: z.record(z.string().min(1), z.number().min(0)).default({ marketing: 0.1131, utility: 0.0456, authentication: 0.0456, service: 0 }),
      /** When the figures above were taken, and from where; shown beside every cost. */
      ratesAsOf: z.string().default('2025-07-01'),
      ratesSource: z.string().default('Placeholder: Germany per-message rates as quoted by hello-charles.com; copy the current ones from Meta’s rate card'),
    })
    .prefault({}),
  /**
   * The town's monthly WhatsApp budget, in the rate table's currency. The month so far is what
   * Meta's status webhooks said it charges (category and billable flag per message) at the rates
   * above; `thresholds` (percent of the amount) each e-mail the admins once per month.
   * No amount: no budget, nothing is held or mailed.
   */
  budget: strict
    .object({
      amountPerMonth: z.number().positive().nullable().default(null),
      /** Must be the rate table's currency (`costs.currency`); named here so a budget reads on its own. */
      currency: z.string().length(3).optional(),
      thresholds: z
        .array(z.number().int().min(1).max(1000))
        .max(10)
        .default([50, 80, 100])
        .transform((values) => [...new Set(values)].sort((a, b) => a - b)),
      /** Who gets the threshold mails besides the active super admins (addresses, never logged). */
      notify: z.array(z.string().email()).max(20).default([]),
    })
    .prefault({}),
  templates: strict
    .object({
      announcement: announcementTemplateSchema.prefault({ name: 'town_news' }),
      confirmation: confirmationTemplateSchema.prefault({ name: 'town_news_optin' }),
      /** e.g. `{ en: { announcement: { name: 'town_news', language: 'en' } }, 'de-x-ls': { announcement: { name: 'town_news_einfach', language: 'de' } } }` */
      byLanguage: templatesByLanguageSchema.default({}),
    })
    .prefault({}),
}).superRefine((whatsapp, ctx) => {
  if (whatsapp.budget.currency && whatsapp.budget.currency !== whatsapp.costs.currency) {
    ctx.addIssue({ code: 'custom', path: ['budget', 'currency'], message: `must be the rate table's currency (costs.currency: ${whatsapp.costs.currency})` });
  }
});
export type WhatsappConfig = z.infer<typeof whatsappConfigSchema>;
