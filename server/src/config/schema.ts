import { z } from 'zod';

/**
 * The plugin's configuration, validated synchronously at startup by Strapi's `validator` hook.
 * Secrets (access tokens, app secrets) have no defaults: they come from the host's env.
 */

const templateParameterSchema = z.object({
  /** Name for templates created with named parameters; omitted for positional `{{1}}` templates. */
  name: z.string().min(1).optional(),
  /** Which announcement field fills this parameter. */
  source: z.enum(['title', 'text', 'url', 'urgency', 'topic', 'town']),
});

const announcementTemplateSchema = z.object({
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

const confirmationTemplateSchema = z.object({
  name: z.string().min(1),
  language: z.string().min(2).default('de'),
  /** Index of the quick-reply button whose payload carries the one-time confirmation token. */
  quickReplyIndex: z.number().int().min(0).max(9).default(0),
  body: z.array(templateParameterSchema).default([]),
});

export const whatsappConfigSchema = z.object({
  enabled: z.boolean().default(true),
  phoneNumberId: z.string().default(''),
  accessToken: z.string().default(''),
  appSecret: z.string().default(''),
  verifyToken: z.string().default(''),
  /** The town's WhatsApp number in international format; used for wa.me click-to-chat links. */
  businessNumber: z.string().default(''),
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'must look like v24.0').default('v24.0'),
  baseUrl: z.string().url().default('https://graph.facebook.com'),
  messagesPerSecond: z.number().int().positive().max(1000).default(80),
  dailyRecipientLimit: z.number().int().positive().default(250),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * Double opt-in: `template` sends the confirmation template with a button, `link` only offers
   * the wa.me link (the citizen writes first, nothing goes to a number that did not ask), `both` does both.
   */
  confirmBy: z.enum(['template', 'link', 'both']).default('both'),
  /**
   * Sandbox: with no access token the adapter calls nobody and records what it would have sent.
   * In production it must be switched on explicitly, so a forgotten token never looks like success.
   */
  sandbox: z.boolean().optional(),
  templates: z
    .object({
      announcement: announcementTemplateSchema.prefault({ name: 'town_news' }),
      confirmation: confirmationTemplateSchema.prefault({ name: 'town_news_optin' }),
    })
    .prefault({}),
});
export type WhatsappConfig = z.infer<typeof whatsappConfigSchema>;

const contentTypeMappingSchema = z.object({
  /** Attribute names on the news type. */
  title: z.string().min(1),
  text: z.string().min(1),
  /** URL pattern with `{attribute}` placeholders, e.g. `https://musterstadt.de/news/{slug}`. */
  url: z.string().min(1),
  /** Attribute holding the topic: a string/enum with the topic slug, or a relation to topics. */
  topics: z.string().min(1).optional(),
  /** Attribute holding an urgency (`info|important|emergency`). */
  urgency: z.string().min(1).optional(),
  /** Boolean attribute; when true on the published entry, nothing is broadcast. */
  skip: z.string().min(1).optional(),
});
export type ContentTypeMapping = z.infer<typeof contentTypeMappingSchema>;

const consentVersionSchema = z.object({
  /** The exact text shown to the citizen, per locale; its SHA-256 goes into the ledger. */
  text: z.record(z.string(), z.string().min(20)).refine((t) => Object.keys(t).length > 0, 'needs at least one locale'),
  privacyPolicyUrl: z.string().url(),
});

const isTimeZone = (value: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

const defaultConsentText =
  'Ich möchte die Nachrichten der Stadt über die gewählten Kanäle erhalten. Die Stadt speichert dafür meine Kontaktdaten, die gewählten Themen und diese Einwilligung. Ich kann mich jederzeit abmelden, zum Beispiel mit dem Wort STOP.';

export const pluginConfigSchema = z.object({
  town: z
    .object({
      name: z.string().min(1).default('Musterstadt'),
      contactText: z.string().default('Bitte wenden Sie sich an das Rathaus.'),
    })
    .prefault({}),
  defaultCountry: z.string().length(2).default('DE'),
  defaultLocale: z.enum(['de', 'en']).default('de'),
  /** Signs unsubscribe links; defaults to the host's first app key. */
  tokenSecret: z.string().min(16).optional(),
  /** Absolute base URL of the site, used for links in messages (confirm/unsubscribe). */
  publicUrl: z.string().url().default('http://localhost:1337'),
  redis: z
    .object({
      url: z.string().default('redis://127.0.0.1:6379'),
      /** Key prefix; lets several sites (or test files) share one Redis without seeing each other's jobs. */
      prefix: z.string().min(1).default('town-crier'),
    })
    .prefault({}),
  /** `false` lets this instance publish without processing jobs; another process sharing Redis does the work. */
  worker: z.boolean().default(true),
  contentTypes: z.record(z.string().regex(/^api::[\w-]+\.[\w-]+$/, 'must be a UID like api::article.article'), contentTypeMappingSchema).default({}),
  consent: z
    .object({
      current: z.string().min(1),
      versions: z.record(z.string(), consentVersionSchema),
    })
    .refine((c) => c.current in c.versions, { message: 'consent.current must name one of consent.versions', path: ['current'] })
    .default({
      current: '2026-01',
      versions: {
        '2026-01': {
          text: { de: defaultConsentText, en: 'I want to receive the town’s news on the channels I chose. For this the town stores my contact details, my topics and this consent. I can leave at any time, for example by writing STOP.' },
          privacyPolicyUrl: 'https://example.org/datenschutz',
        },
      },
    }),
  confirmationTtlHours: z.number().positive().default(48),
  /** Days after withdrawal before ledger and delivery records of a withdrawn subscriber are deleted. */
  retentionDays: z.number().int().positive().default(365),
  rateLimit: z
    .object({
      signupsPerIpPerHour: z.number().int().positive().default(10),
      signupsPerAddressPerHour: z.number().int().positive().default(3),
      confirmationsPerAddressPerDay: z.number().int().positive().default(3),
    })
    .prefault({}),
  broadcast: z
    .object({
      /** Seconds between publish and the first message, so an editor can still cancel. */
      graceSeconds: z.number().int().min(0).default(0),
      quietHours: z
        .object({
          enabled: z.boolean().default(true),
          start: timeOfDay.default('21:00'),
          end: timeOfDay.default('07:00'),
          timeZone: z.string().default('Europe/Berlin'),
        })
        .prefault({}),
      fanOutBatchSize: z.number().int().positive().max(5000).default(1000),
      maxAttempts: z.number().int().positive().default(6),
      reconcileEverySeconds: z.number().int().positive().default(60),
    })
    .prefault({}),
  inbox: z
    .object({
      enabled: z.boolean().default(true),
      /** Sent at most once per citizen per `replyEveryHours`. */
      interimReply: z
        .string()
        .default('Danke für Ihre Nachricht! Das Rathaus antwortet innerhalb von zwei Werktagen. Mit STOP melden Sie sich ab, mit HILFE erhalten Sie Hilfe.'),
      notMonitoredReply: z
        .string()
        .default('Dieser Kanal wird nicht gelesen. Bitte wenden Sie sich an das Rathaus. Mit STOP melden Sie sich ab.'),
      replyEveryHours: z.number().positive().default(24),
      /** Offered to staff when they answer a citizen inside the 24-hour window. */
      cannedReplies: z
        .array(z.object({ label: z.string().min(1).max(60), text: z.string().min(1).max(1000) }))
        .max(50)
        .default([
          { label: 'Danke, wir kümmern uns', text: 'Vielen Dank für Ihre Nachricht! Wir haben sie an die zuständige Stelle weitergegeben und melden uns, sobald wir mehr wissen.' },
          { label: 'Bitte ans Rathaus wenden', text: 'Vielen Dank für Ihre Nachricht! Dieses Anliegen klären wir am besten persönlich: Bitte wenden Sie sich an das Bürgerbüro im Rathaus.' },
          { label: 'Erledigt', text: 'Vielen Dank für Ihren Hinweis! Das Anliegen ist inzwischen erledigt.' },
          { label: 'Abmelden erklären', text: 'Sie können sich jederzeit abmelden: Schreiben Sie einfach STOP. Mit HILFE erhalten Sie weitere Informationen.' },
        ]),
    })
    .prefault({}),
  signup: z
    .object({
      /** CSP frame-ancestors for the hosted sign-up page, e.g. `https://www.musterstadt.de`. */
      frameAncestors: z.string().default("'self'"),
    })
    .prefault({}),
  stats: z
    .object({
      subscriberTarget: z.number().int().positive().default(1557),
      /** Statistics count calendar days in this zone (the town's), whatever zone the server runs in. */
      timeZone: z
        .string()
        .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
        .default('Europe/Berlin'),
    })
    .prefault({}),
  channels: z
    .object({
      whatsapp: whatsappConfigSchema.prefault({}),
    })
    .prefault({}),
});

export type PluginConfig = z.infer<typeof pluginConfigSchema>;
