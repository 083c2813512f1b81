// No 'strapi::logger': it writes one line per HTTP request, and the admin polls every few
// seconds, so the demo's console would fill with requests and hide what matters.
module.exports = [
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  // Town Crier checks webhook signatures over the raw request body.
  { name: 'strapi::body', config: { includeUnparsed: true, jsonLimit: '8mb' } },
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
