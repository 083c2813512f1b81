module.exports = [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  // Webhook signatures are checked over the raw body; Meta's largest webhook batch is over 1 MB
  // (the plugin itself keeps its public sign-up bodies to 8 KB, before this parser).
  { name: 'strapi::body', config: { includeUnparsed: true, jsonLimit: '8mb' } },
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
