const path = require('node:path');

// Every channel setting comes from the environment; with no WHATSAPP_ACCESS_TOKEN the
// WhatsApp channel runs in sandbox mode and sends nothing.
module.exports = ({ env }) => ({
  'town-crier': {
    enabled: true,
    resolve: path.resolve(__dirname, '..', '..'),
    config: {
      town: { name: 'Musterstadt', contactText: 'Rathaus Musterstadt, Tel. 04525 12345' },
      publicUrl: env('PUBLIC_URL', `http://localhost:${env.int('PORT', 1337)}`),
      redis: { url: env('REDIS_URL', 'redis://127.0.0.1:6379'), prefix: 'musterstadt' },
      contentTypes: {
        'api::article.article': {
          title: 'title',
          text: 'summary',
          url: 'https://musterstadt.example/news/{slug}',
          topics: 'topic',
          urgency: 'urgency',
        },
      },
      consent: {
        current: '2026-01',
        versions: {
          '2026-01': {
            text: {
              de: 'Ich möchte die Nachrichten der Stadt Musterstadt über die gewählten Kanäle erhalten. Die Stadt speichert dafür meine Kontaktdaten, die gewählten Themen und diese Einwilligung. Ich kann mich jederzeit abmelden, zum Beispiel mit dem Wort STOP.',
              en: 'I want to receive the news of the town of Musterstadt on the channels I chose. For this the town stores my contact details, my topics and this consent. I can leave at any time, for example by writing STOP.',
            },
            privacyPolicyUrl: 'https://musterstadt.example/datenschutz',
          },
        },
      },
      channels: {
        whatsapp: {
          accessToken: env('WHATSAPP_ACCESS_TOKEN', ''),
          phoneNumberId: env('WHATSAPP_PHONE_NUMBER_ID', ''),
          appSecret: env('WHATSAPP_APP_SECRET', ''),
          verifyToken: env('WHATSAPP_VERIFY_TOKEN', ''),
          businessNumber: env('WHATSAPP_BUSINESS_NUMBER', '+49 4525 12345'),
          baseUrl: env('WHATSAPP_API_URL', 'https://graph.facebook.com'),
        },
      },
    },
  },
});
