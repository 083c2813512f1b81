const path = require('node:path');

// Every channel setting comes from the environment. With nothing set, WhatsApp and e-mail run
// in sandbox mode (they record what they would send, and send nothing) and Telegram is off.
// See docs/channels.md for each variable.
module.exports = ({ env }) => ({
  // Strapi's own email plugin sends the town's e-mails; with SMTP_HOST unset it keeps Strapi's
  // default provider, and the e-mail channel stays in sandbox.
  ...(env('SMTP_HOST')
    ? {
        email: {
          config: {
            provider: 'nodemailer',
            providerOptions: {
              host: env('SMTP_HOST'),
              port: env.int('SMTP_PORT', 587),
              secure: env.bool('SMTP_SECURE', false),
              ...(env('SMTP_USER') ? { auth: { user: env('SMTP_USER'), pass: env('SMTP_PASS', '') } } : {}),
            },
            settings: { defaultFrom: env('EMAIL_FROM', 'Stadt Musterstadt <nachrichten@musterstadt.example>') },
          },
        },
      }
    : {}),
  'town-crier': {
    enabled: true,
    resolve: path.resolve(__dirname, '..', '..'),
    config: {
      town: {
        name: 'Musterstadt',
        contactText: 'Rathaus Musterstadt, Tel. 04525 12345',
        // Ortsteile: citizens choose theirs at sign-up, news names the ones it concerns (docs/admin.md).
        villages: [
          { name: 'Altstadt', slug: 'altstadt' },
          { name: 'Mühlenfeld', slug: 'muehlenfeld' },
          { name: 'Groß Süderau', slug: 'gross-suederau', postcode: '23999' },
        ],
      },
      publicUrl: env('PUBLIC_URL', `http://localhost:${env.int('PORT', 1337)}`),
      redis: { url: env('REDIS_URL', 'redis://127.0.0.1:6379'), prefix: 'musterstadt' },
      // German by default; citizens may choose English or Leichte Sprache (docs/languages.md).
      languages: ['de', 'en', 'de-x-ls'],
      contentTypes: {
        'api::article.article': {
          title: 'title',
          text: 'summary',
          // The demo's article type has no i18n: citizens who chose Leichte Sprache get this field.
          plainLanguageSummary: 'easySummary',
          url: 'https://musterstadt.example/news/{slug}',
          topics: 'topic',
          urgency: 'urgency',
          villages: 'ortsteil',
        },
      },
      consent: {
        current: '2026-01',
        versions: {
          '2026-01': {
            text: {
              de: 'Ich möchte die Nachrichten der Stadt Musterstadt über die gewählten Kanäle erhalten. Die Stadt speichert dafür meine Kontaktdaten, die gewählten Themen und diese Einwilligung. Ich kann mich jederzeit abmelden, zum Beispiel mit dem Wort STOP.',
              'de-x-ls':
                'Ich will die Nachrichten von der Stadt Musterstadt bekommen. Dafür speichert die Stadt: meine Adresse, meine Themen, meine Sprache und diese Erlaubnis. Ich kann mich immer abmelden. Dafür schreibe ich: STOP.',
              en: 'I want to receive the news of the town of Musterstadt on the channels I chose. For this the town stores my contact details, my topics and this consent. I can leave at any time, for example by writing STOP.',
            },
            privacyPolicyUrl: 'https://musterstadt.example/datenschutz',
          },
        },
      },
      // Official weather warnings as drafts (docs/warnings.md); `npm run demo` serves a local DWD feed.
      ...(env('DWD_WARNINGS_URL')
        ? {
            warnings: {
              pollEverySeconds: 60,
              dwd: { warnCellIds: { municipality: env('DWD_WARNCELL_ID', '801055012') }, url: env('DWD_WARNINGS_URL') },
              topic: 'Notfälle',
              // Without SMTP the demo's e-mail is a sandbox: the banner in the admin tells the editors.
              notifyByEmail: Boolean(env('SMTP_HOST')),
            },
          }
        : {}),
      channels: {
        whatsapp: {
          accessToken: env('WHATSAPP_ACCESS_TOKEN', ''),
          phoneNumberId: env('WHATSAPP_PHONE_NUMBER_ID', ''),
          appSecret: env('WHATSAPP_APP_SECRET', ''),
          verifyToken: env('WHATSAPP_VERIFY_TOKEN', ''),
          businessNumber: env('WHATSAPP_BUSINESS_NUMBER', '+49 4525 12345'),
          // With it, templates, the messaging-limit tier and template webhooks are read from Meta.
          businessAccountId: env('WHATSAPP_BUSINESS_ACCOUNT_ID', ''),
          baseUrl: env('WHATSAPP_API_URL', 'https://graph.facebook.com'),
          // The month's WhatsApp budget in euros; the admins get an e-mail at 50, 80 and 100 % (docs/whatsapp.md).
          budget: { amountPerMonth: env.float('WHATSAPP_BUDGET_PER_MONTH', 50) },
        },
        email: {
          enabled: env.bool('EMAIL_ENABLED', true),
          from: env('EMAIL_FROM', ''),
          ...(env('EMAIL_REPLY_TO') ? { replyTo: env('EMAIL_REPLY_TO') } : {}),
          // Without an SMTP server configured above, never hand mails to Strapi's default sendmail.
          ...(env('SMTP_HOST') ? {} : { sandbox: true }),
        },
        telegram: {
          enabled: env.bool('TELEGRAM_ENABLED', Boolean(env('TELEGRAM_BOT_TOKEN'))),
          botToken: env('TELEGRAM_BOT_TOKEN', ''),
          botUsername: env('TELEGRAM_BOT_USERNAME', ''),
          webhookSecret: env('TELEGRAM_WEBHOOK_SECRET', ''),
          baseUrl: env('TELEGRAM_API_URL', 'https://api.telegram.org'),
        },
        // "Mitteilungen in diesem Browser": sandbox (shown in the sandbox phone) until a key pair from
        // `npx web-push generate-vapid-keys` is set.
        webpush: {
          enabled: env.bool('WEBPUSH_ENABLED', true),
          ...(env('WEBPUSH_VAPID_PRIVATE_KEY')
            ? {
                vapid: {
                  subject: env('WEBPUSH_VAPID_SUBJECT', 'mailto:rathaus@musterstadt.example'),
                  publicKey: env('WEBPUSH_VAPID_PUBLIC_KEY', ''),
                  privateKey: env('WEBPUSH_VAPID_PRIVATE_KEY', ''),
                },
              }
            : { sandbox: true }),
          ...(env('WEBPUSH_ICON') ? { icon: env('WEBPUSH_ICON') } : {}),
          // Push services besides Google, Mozilla, Apple and Microsoft, comma-separated hosts; a local test
          // push service only as its exact IP and port (`127.0.0.1:8443`), which production refuses.
          pushServices: env.array('WEBPUSH_PUSH_SERVICES', []).filter(Boolean),
          // The PEM certificate of such a test push service (a self-signed one), when it has one.
          ...(env('WEBPUSH_CA_CERTIFICATE') ? { caCertificate: env('WEBPUSH_CA_CERTIFICATE').replace(/\\n/g, '\n') } : {}),
        },
        // The site as its own Fediverse account, @news@<host of publicUrl>: WebFinger and the actor answer; in
        // sandbox (the default here, the demo runs on localhost) its posts go to the sandbox phone, not to any server.
        activitypub: {
          enabled: env.bool('ACTIVITYPUB_ENABLED', true),
          sandbox: env.bool('ACTIVITYPUB_SANDBOX', true),
          displayName: 'Stadt Musterstadt',
          summary: 'Nachrichten aus dem Rathaus Musterstadt',
        },
        // The town's own accounts: one post per news. Sandbox (shown in the sandbox phone and the side
        // panel) until a token is set; `npm run demo` with DEMO_FAKE_ACCOUNTS=1 posts to local fake servers instead.
        mastodon: {
          enabled: env.bool('MASTODON_ENABLED', true),
          baseUrl: env('MASTODON_URL', 'https://social.example'),
          accessToken: env('MASTODON_ACCESS_TOKEN', ''),
          account: env('MASTODON_ACCOUNT', '@musterstadt@social.example'),
          hashtags: { always: ['Musterstadt'], byTopic: { verkehr: ['Verkehr'] } },
          ...(env('MASTODON_ACCESS_TOKEN') ? {} : { sandbox: true }),
        },
        bluesky: {
          enabled: env.bool('BLUESKY_ENABLED', true),
          service: env('BLUESKY_SERVICE', 'https://bsky.social'),
          identifier: env('BLUESKY_IDENTIFIER', 'musterstadt.bsky.social'),
          appPassword: env('BLUESKY_APP_PASSWORD', ''),
          hashtags: { always: ['Musterstadt'] },
          ...(env('BLUESKY_APP_PASSWORD') ? {} : { sandbox: true }),
        },
      },
      // The town's WhatsApp Channel, posted by hand: the broadcast page offers the text and a "posted" tick.
      whatsappChannel: { enabled: env.bool('WHATSAPP_CHANNEL_ENABLED', true), url: env('WHATSAPP_CHANNEL_URL', 'https://whatsapp.com/channel/0029VaMusterstadtDemo') },
    },
  },
});
