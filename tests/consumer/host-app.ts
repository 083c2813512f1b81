/**
 * Writes a Strapi 5 JavaScript site the way a town has one: its own news type with German
 * field names, `module.exports` config, no overrides or pins beyond the Strapi version it
 * installed. The plugin is added afterwards with `npm install <tarball>`, like README step 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const HOST_STRAPI_VERSION = process.env.TOWN_CRIER_CONSUMER_STRAPI ?? '5.54.0';

const write = (dir: string, file: string, content: string) => {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), content);
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** `pluginSpec`: what the town's package.json names as the plugin's version, e.g. `file:/tmp/…/strapi-plugin-town-crier-0.1.0.tgz`. */
export function writeHostApp(dir: string, pluginSpec: string) {
  write(
    dir,
    'package.json',
    json({
      name: 'gemeinde-beispielstadt',
      private: true,
      version: '0.1.0',
      scripts: { build: 'strapi build', start: 'strapi start' },
      dependencies: {
        '@strapi/strapi': HOST_STRAPI_VERSION,
        '@strapi/plugin-users-permissions': HOST_STRAPI_VERSION,
        // The site's own code throws Strapi errors, as many sites' controllers do. npm then puts the
        // newest 5.x at the top level while Strapi keeps its own copy nested: two copies of the error classes.
        '@strapi/utils': '^5.0.0',
        'better-sqlite3': '^12.8.0',
        react: '^18.3.1',
        'react-dom': '^18.3.1',
        'react-router-dom': '^6.30.0',
        'styled-components': '^6.1.0',
        'strapi-plugin-town-crier': pluginSpec,
      },
      // npm 11 runs no install scripts it was not told to (README, step 1).
      allowScripts: { 'better-sqlite3': true, 'msgpackr-extract': true, esbuild: true, '@swc/core': true },
      engines: { node: '>=20.0.0' },
    })
  );

  write(
    dir,
    'config/server.js',
    `module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: { keys: env.array('APP_KEYS') },
  proxy: { koa: true },
});
`
  );
  write(
    dir,
    'config/admin.js',
    `module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET') },
  apiToken: { salt: env('API_TOKEN_SALT') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY') },
});
`
  );
  write(
    dir,
    'config/database.js',
    `const path = require('path');

module.exports = ({ env }) => ({
  connection: {
    client: 'sqlite',
    connection: { filename: path.join(__dirname, '..', env('DATABASE_FILENAME', '.tmp/data.db')) },
    useNullAsDefault: true,
  },
});
`
  );
  write(
    dir,
    'config/middlewares.js',
    `module.exports = [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  { name: 'strapi::body', config: { includeUnparsed: true } },
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
`
  );
  write(
    dir,
    'config/plugins.js',
    `module.exports = ({ env }) => ({
  'town-crier': {
    enabled: true,
    config: {
      town: { name: 'Beispielstadt' },
      publicUrl: env('PUBLIC_URL', 'https://www.beispielstadt.de'),
      // A town in production must show its own consent and privacy policy (the example is refused).
      consent: {
        current: '2026-12',
        versions: {
          '2026-12': {
            text: {
              de: 'Ich möchte die Nachrichten der Gemeinde Beispielstadt auf den gewählten Wegen erhalten. Dafür speichert die Gemeinde meine Kontaktdaten, meine Themen und diese Einwilligung. Ich kann mich jederzeit abmelden, zum Beispiel mit STOP.',
              en: 'I want to receive the news of the municipality of Beispielstadt on the channels I chose. For this it stores my contact details, my topics and this consent. I can leave at any time, for example by writing STOP.',
            },
            privacyPolicyUrl: 'https://www.beispielstadt.de/datenschutz',
          },
        },
      },
      redis: { url: env('REDIS_URL', 'redis://127.0.0.1:6379'), prefix: env('TOWN_CRIER_REDIS_PREFIX', 'town-crier') },
      contentTypes: {
        'api::meldung.meldung': {
          title: 'titel',
          text: 'kurztext',
          url: 'https://www.beispielstadt.de/aktuelles/{kennung}',
          topics: 'thema',
          urgency: 'dringlichkeit',
          skip: 'nicht_senden',
        },
      },
      broadcast: { quietHours: { enabled: false } },
      channels: {
        whatsapp: {
          accessToken: env('WHATSAPP_ACCESS_TOKEN'),
          phoneNumberId: env('WHATSAPP_PHONE_NUMBER_ID'),
          appSecret: env('WHATSAPP_APP_SECRET'),
          verifyToken: env('WHATSAPP_VERIFY_TOKEN'),
          businessNumber: env('WHATSAPP_BUSINESS_NUMBER'),
          baseUrl: env('WHATSAPP_API_URL', 'https://graph.facebook.com'),
          templates: {
            announcement: { name: 'gemeinde_nachricht', language: 'de', body: [{ source: 'title' }, { source: 'text' }] },
            confirmation: { name: 'gemeinde_anmeldung', language: 'de', quickReplyIndex: 0 },
          },
        },
      },
    },
  },
});
`
  );
  write(dir, 'src/index.js', `module.exports = {\n  register() {},\n  bootstrap() {},\n};\n`);
  write(dir, 'src/admin/app.example.js', `export default { config: { locales: ['de'] }, bootstrap() {} };\n`);
  write(
    dir,
    'src/api/meldung/content-types/meldung/schema.json',
    json({
      kind: 'collectionType',
      collectionName: 'meldungen',
      info: { singularName: 'meldung', pluralName: 'meldungen', displayName: 'Meldung' },
      options: { draftAndPublish: true },
      attributes: {
        titel: { type: 'string', required: true },
        kurztext: { type: 'text' },
        kennung: { type: 'uid', targetField: 'titel' },
        thema: { type: 'enumeration', enum: ['verkehr', 'kultur'] },
        dringlichkeit: { type: 'enumeration', enum: ['info', 'important', 'emergency'], default: 'info' },
        nicht_senden: { type: 'boolean', default: false },
      },
    })
  );
  write(dir, 'src/api/meldung/routes/meldung.js', `const { factories } = require('@strapi/strapi');\n\nmodule.exports = factories.createCoreRouter('api::meldung.meldung');\n`);
  write(dir, 'src/api/meldung/controllers/meldung.js', `const { factories } = require('@strapi/strapi');\n\nmodule.exports = factories.createCoreController('api::meldung.meldung');\n`);
  write(dir, 'src/api/meldung/services/meldung.js', `const { factories } = require('@strapi/strapi');\n\nmodule.exports = factories.createCoreService('api::meldung.meldung');\n`);
  write(dir, 'public/robots.txt', '');
  write(dir, 'public/uploads/.gitkeep', '');
  write(dir, '.gitignore', 'node_modules\n.tmp\ndist\nbuild\n.strapi\n');
}
