const path = require('node:path');

// Absolute path: a relative `resolve` is first tried against Strapi's own package and can
// silently load nothing. The plugin is loaded from this repo's build (dist/).
module.exports = ({ env }) => ({
  'town-crier': {
    enabled: true,
    resolve: path.resolve(__dirname, '../../..'),
    config: JSON.parse(env('TOWN_CRIER_TEST_PLUGIN_CONFIG', '{}')),
  },
  // Only the e-mail tests set the port: they start a real SMTP server (tests/support/smtp-server.ts).
  ...(env('TOWN_CRIER_TEST_SMTP_PORT')
    ? {
        email: {
          config: {
            provider: 'nodemailer',
            providerOptions: {
              host: '127.0.0.1',
              port: env.int('TOWN_CRIER_TEST_SMTP_PORT'),
              secure: false,
              ignoreTLS: true,
            },
            settings: { defaultFrom: 'Stadt Musterstadt <nachrichten@musterstadt.test>' },
          },
        },
      }
    : {}),
});
