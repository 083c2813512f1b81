import { z } from 'zod';
import { strict } from './strict';
import { auditConfigSchema } from './audit.schema';
import { warningsConfigSchema } from './warnings.schema';
import { approvalConfigSchema } from './approval.schema';
// Each channel's block lives beside its adapter (channels/<id>/<id>.config.ts); this file composes them.
import { whatsappConfigSchema } from '../channels/whatsapp/whatsapp.config';
import { emailConfigSchema } from '../channels/email/email.config';
import { telegramConfigSchema } from '../channels/telegram/telegram.config';
import { webpushConfigSchema } from '../channels/webpush/webpush.config';
import { activitypubConfigSchema } from '../channels/activitypub/activitypub.config';
import { mastodonConfigSchema } from '../channels/mastodon/mastodon.config';
import { blueskyConfigSchema } from '../channels/bluesky/bluesky.config';
import { whatsappChannelConfigSchema } from '../whatsapp-channel/whatsapp-channel.config';
import { LANGUAGES } from '../../../shared/languages';
import { VILLAGE_SLUG } from '../villages/villages';

/**
 * The plugin's configuration, validated synchronously at startup by Strapi's `validator` hook.
 * Secrets (access tokens, app secrets) have no defaults: they come from the host's env.
 */

export { whatsappConfigSchema, type WhatsappConfig } from '../channels/whatsapp/whatsapp.config';
export { emailConfigSchema, type EmailConfig } from '../channels/email/email.config';
export { telegramConfigSchema, type TelegramConfig } from '../channels/telegram/telegram.config';
export { activitypubConfigSchema, type ActivitypubConfig } from '../channels/activitypub/activitypub.config';
export { mastodonConfigSchema, type MastodonConfig } from '../channels/mastodon/mastodon.config';
export { blueskyConfigSchema, type BlueskyConfig } from '../channels/bluesky/bluesky.config';
export type { HashtagConfig } from '../channels/hashtags.config';
export { vapidKeyProblem, webpushConfigSchema, type WebpushConfig } from '../channels/webpush/webpush.config';

const contentTypeMappingSchema = strict.object({
  /** Attribute names on the news type. */
  title: z.string().min(1),
  text: z.string().min(1),
  /** URL pattern with `{attribute}` placeholders, e.g. `https://musterstadt.de/news/{slug}`. */
  url: z.string().min(1),
  /** Attribute holding the topic: a string/enum with the topic slug, or a relation to topics. */
  topics: z.string().min(1).optional(),
  /** Attribute holding an urgency (`info|important|emergency`). */
  urgency: z.string().min(1).optional(),
  /** The town's own urgency values, e.g. `{ normal: 'info', wichtig: 'important', notfall: 'emergency' }`. */
  urgencyValues: z.record(z.string().min(1), z.enum(['info', 'important', 'emergency'])).optional(),
  /** Boolean attribute; when true on the published entry, nothing is broadcast. */
  skip: z.string().min(1).optional(),
  /**
   * Attribute holding the villages (Ortsteile) the news is for: a string/enum with a village's
   * slug or name (several separated by commas), or a relation to entries with a slug or name.
   * Empty means the whole town.
   */
  villages: z.string().min(1).optional(),
  /**
   * A short text in Leichte Sprache (a string/text attribute): citizens who chose Leichte Sprache
   * get it instead of `text`. Empty on an entry: they get the German text.
   */
  plainLanguageSummary: z.string().min(1).optional(),
});
export type ContentTypeMapping = z.infer<typeof contentTypeMappingSchema>;

const villageSchema = strict.object({
  /** As citizens know it, umlauts and all: `Groß Parin`. */
  name: z.string().trim().min(1).max(80),
  /** Stored with subscribers and news; lower-case letters, digits and hyphens: `gross-parin`. */
  slug: z.string().min(1).max(60).regex(VILLAGE_SLUG, 'must be lower-case letters, digits and single hyphens, e.g. gross-parin'),
  /** Shown beside the name on the sign-up page when several villages share a name elsewhere. */
  postcode: z.string().regex(/^\d{5}$/, 'must be a five-digit German postcode').optional(),
});

const consentVersionSchema = strict.object({
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

export const pluginConfigSchema = strict.object({
  town: strict
    .object({
      name: z.string().min(1).default('Musterstadt'),
      /** What the municipality is (Stadt, Gemeinde, Amt, Markt, …): the sign-up page says "Nachrichten der Gemeinde Ahrensbök". */
      kind: z.string().min(1).max(40).default('Stadt'),
      contactText: z.string().default('Bitte wenden Sie sich an das Rathaus.'),
      /**
       * The town's villages or districts (Ortsteile). Citizens choose theirs at sign-up (or the
       * whole town), news names the ones it concerns; none configured means no village choice.
       */
      villages: z.array(villageSchema).max(100).default([]).superRefine((villages, ctx) => {
        const seen = new Map<string, number>();
        villages.forEach((village, index) => {
          if (seen.has(village.slug)) ctx.addIssue({ code: 'custom', path: [index, 'slug'], message: `slug "${village.slug}" is used twice (also at ${seen.get(village.slug)})` });
          seen.set(village.slug, index);
        });
      }),
    })
    .prefault({}),
  defaultCountry: z.string().length(2).default('DE'),
  /** The town's default language: texts for citizens whose language is unknown, and the news version everyone falls back to. */
  defaultLocale: z.enum(LANGUAGES).default('de'),
  /**
   * The languages citizens may choose (sign-up page, `SPRACHE EN`, the language link); must
   * include `defaultLocale`. `de-x-ls` is Leichte Sprache. English is on by default, as it
   * always was; a town that offers German only sets `['de']`.
   */
  languages: z.array(z.enum(LANGUAGES)).min(1).default(['de', 'en']),
  /** Signs unsubscribe links; defaults to the host's first app key. */
  tokenSecret: z.string().min(16).optional(),
  /** Absolute base URL of the site, used for links in messages (confirm/unsubscribe). */
  publicUrl: z.string().url().default('http://localhost:1337'),
  redis: strict
    .object({
      url: z.string().default('redis://127.0.0.1:6379'),
      /** Key prefix; lets several sites (or test files) share one Redis without seeing each other's jobs. */
      prefix: z.string().min(1).default('town-crier'),
    })
    .prefault({}),
  /** `false` lets this instance publish without processing jobs; another process sharing Redis does the work. */
  worker: z.boolean().default(true),
  contentTypes: z.record(z.string().regex(/^api::[\w-]+\.[\w-]+$/, 'must be a UID like api::article.article'), contentTypeMappingSchema).default({}),
  consent: strict
    .object({
      current: z.string().min(1),
      versions: z.record(z.string(), consentVersionSchema),
    })
    .refine((c) => c.current in c.versions, { message: 'consent.current must name one of consent.versions', path: ['current'] })
    .default({
      current: '2026-01',
      versions: {
        '2026-01': {
          text: {
            de: defaultConsentText,
            'de-x-ls':
              'Ich will die Nachrichten von der Stadt bekommen. Dafür speichert die Stadt: meine Adresse, meine Themen, meine Sprache und diese Erlaubnis. Ich kann mich immer abmelden. Dafür schreibe ich: STOP.',
            en: 'I want to receive the town’s news on the channels I chose. For this the town stores my contact details, my topics and this consent. I can leave at any time, for example by writing STOP.' },
          privacyPolicyUrl: 'https://example.org/datenschutz',
        },
      },
    }),
  confirmationTtlHours: z.number().positive().default(48),
  /** Days after withdrawal before ledger and delivery records of a withdrawn subscriber are deleted. */
  retentionDays: z.number().int().positive().default(365),
  rateLimit: strict
    .object({
      signupsPerIpPerHour: z.number().int().positive().default(10),
      /** Web Push's unsubscribe and renew (a browser calls them rarely), per client address. */
      pushRequestsPerIpPerHour: z.number().int().positive().default(30),
      signupsPerAddressPerHour: z.number().int().positive().default(3),
      confirmationsPerAddressPerDay: z.number().int().positive().default(3),
      /** Paid WhatsApp confirmation templates per hour, town-wide; beyond it citizens confirm with `START <code>`. */
      confirmationTemplatesPerHour: z.number().int().positive().default(60),
      /** Every sign-up answer takes at least this long, so the work behind it cannot be timed. */
      signupAnswerMinMs: z.number().int().min(0).max(5000).default(250),
      /** A trusted sign-up stand (the town hall's tablet): requests carrying this token have their own, higher limit. */
      signupStand: strict.object({ token: z.string().min(24), signupsPerHour: z.number().int().positive().default(200) }).optional(),
    })
    .prefault({}),
  /** Who did what to broadcasts and citizens, and for how long it is kept (config/audit.schema.ts). */
  audit: auditConfigSchema.prefault({}),
  /** How often each worker runs retention and the expiry of unconfirmed sign-ups. */
  retentionEverySeconds: z.number().int().positive().default(900),
  broadcast: strict
    .object({
      /** Seconds between publish and the first message, so an editor can still cancel. */
      graceSeconds: z.number().int().min(0).default(0),
      quietHours: strict
        .object({
          enabled: z.boolean().default(true),
          start: timeOfDay.default('21:00'),
          end: timeOfDay.default('07:00'),
          timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('Europe/Berlin'),
        })
        .prefault({}),
      fanOutBatchSize: z.number().int().positive().max(5000).default(1000),
      maxAttempts: z.number().int().positive().default(6),
      /** Deliveries one worker process sends at the same time, per channel (the rate limit still applies). */
      deliveryConcurrency: z.number().int().positive().max(256).default(16),
      /**
       * Deliveries one queued job carries: one job, one read and grouped writes serve this many
       * messages instead of one each (docs/performance.md). 1 sends every delivery as a job of its own.
       */
      deliveryBatchSize: z.number().int().positive().max(500).default(50),
      /** First retry delay for temporary errors; doubles with every attempt, with jitter. */
      retryBaseDelayMs: z.number().int().positive().default(2000),
      /**
       * How long a job may go without its worker's heartbeat before another worker takes it over
       * (a worker that was killed). Recovery takes up to about three times this. Shorter recovers
       * faster; a worker whose event loop blocks this long has its jobs run a second time.
       */
      stalledJobSeconds: z.number().int().positive().default(30),
      reconcileEverySeconds: z.number().int().positive().default(60),
      /**
       * The provider's rolling reach window (WhatsApp: 24 hours). Only tests shorten it, to play
       * several days of a daily limit in seconds (accelerated windows).
       */
      reachWindowSeconds: z.number().int().positive().default(86_400),
      /**
       * A send that may have reached the provider (found in flight after a crash, or timed out)
       * waits this long for the status webhook that settles it before it is sent again. Non-urgent
       * news waits 15 minutes: a duplicate is worse than a delay. An emergency waits 60 seconds:
       * a late warning is worse than a rare second copy. Channels without receipts (e-mail,
       * Telegram) wait only `receiptlessWaitSeconds`, since no webhook will ever settle them.
       */
      ambiguousWaitSeconds: z.number().int().positive().default(900),
      emergencyAmbiguousWaitSeconds: z.number().int().positive().default(60),
      receiptlessWaitSeconds: z.number().int().positive().default(30),
      approval: approvalConfigSchema.prefault({}),
    })
    .prefault({}),
  inbox: strict
    .object({
      enabled: z.boolean().default(true),
      /**
       * Sent at most once per citizen per `replyEveryHours`. The default promises no deadline:
       * only the town knows how fast it answers; a town that does can say so here.
       */
      interimReply: z
        .string()
        .default('Danke für Ihre Nachricht! Sie ist im Rathaus angekommen, wir antworten hier, sobald wir können. Mit STOP melden Sie sich ab, mit HILFE erhalten Sie Hilfe.'),
      notMonitoredReply: z
        .string()
        .default('Dieser Kanal wird nicht gelesen. Bitte wenden Sie sich an das Rathaus. Mit STOP melden Sie sich ab.'),
      replyEveryHours: z.number().positive().default(24),
      /** Offered to staff when they answer a citizen inside the 24-hour window. */
      cannedReplies: z
        .array(strict.object({ label: z.string().min(1).max(60), text: z.string().min(1).max(1000) }))
        .max(50)
        .default([
          { label: 'Danke, wir kümmern uns', text: 'Vielen Dank für Ihre Nachricht! Wir haben sie an die zuständige Stelle weitergegeben und melden uns, sobald wir mehr wissen.' },
          { label: 'Bitte ans Rathaus wenden', text: 'Vielen Dank für Ihre Nachricht! Dieses Anliegen klären wir am besten persönlich: Bitte wenden Sie sich an das Bürgerbüro im Rathaus.' },
          // Not just "Erledigt": that would read like the inbox's "mark as handled" button beside it.
          { label: 'Anliegen ist erledigt', text: 'Vielen Dank für Ihren Hinweis! Das Anliegen ist inzwischen erledigt.' },
          { label: 'Abmelden erklären', text: 'Sie können sich jederzeit abmelden: Schreiben Sie einfach STOP. Mit HILFE erhalten Sie weitere Informationen.' },
        ]),
    })
    .prefault({}),
  signup: strict
    .object({
      /** CSP frame-ancestors for the hosted sign-up page, e.g. `https://www.musterstadt.de`. */
      frameAncestors: z.string().default("'self'"),
      /**
       * The sign-up page's first paragraph, per locale. Without it the page names the town and
       * its active topics ("Erhalten Sie Meldungen der Gemeinde Ahrensbök – Verkehr, Kultur – …").
       */
      intro: strict
        .object({ de: z.string().min(1).max(1000).optional(), en: z.string().min(1).max(1000).optional(), 'de-x-ls': z.string().min(1).max(1000).optional() })
        .default({}),
    })
    .prefault({}),
  /** The public RSS/Atom feed: announcements only, no personal data. */
  feed: strict
    .object({
      enabled: z.boolean().default(true),
      title: z.string().min(1).optional(),
      description: z.string().min(1).optional(),
      /** The town's news page; defaults to publicUrl. */
      siteUrl: z.string().url().optional(),
      limit: z.number().int().positive().max(500).default(50),
      maxAgeSeconds: z.number().int().min(0).default(300),
    })
    .prefault({}),
  stats: strict
    .object({
      subscriberTarget: z.number().int().positive().default(1557),
      /** Statistics count calendar days in this zone (the town's), whatever zone the server runs in. */
      timeZone: z
        .string()
        .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
        .default('Europe/Berlin'),
      /**
       * Large towns: counting a million subscribers takes the database most of a second per
       * request, so from `fromSubscribers` active subscribers an answer is reused for `seconds`,
       * then served while one recount runs in the background (its `generatedAt` says when it was
       * counted). Smaller towns are always counted afresh.
       */
      cache: strict
        .object({
          fromSubscribers: z.number().int().positive().default(250_000),
          seconds: z.number().int().min(0).max(3600).default(60),
        })
        .prefault({}),
    })
    .prefault({}),
  warnings: warningsConfigSchema.prefault({}),
  channels: strict
    .object({
      whatsapp: whatsappConfigSchema.prefault({}),
      email: emailConfigSchema.prefault({}),
      telegram: telegramConfigSchema.prefault({}),
      webpush: webpushConfigSchema.prefault({}),
      activitypub: activitypubConfigSchema.prefault({}),
      mastodon: mastodonConfigSchema.prefault({}),
      bluesky: blueskyConfigSchema.prefault({}),
    })
    .prefault({}),
  /** The town's WhatsApp Channel, posted to by hand (no API): a ready text and a "posted" tick per broadcast. */
  whatsappChannel: whatsappChannelConfigSchema,
}).superRefine((config, ctx) => {
  if (!config.languages.includes(config.defaultLocale)) {
    ctx.addIssue({ code: 'custom', path: ['languages'], message: `must include defaultLocale (${config.defaultLocale})` });
  }
});

export type PluginConfig = z.infer<typeof pluginConfigSchema>;
