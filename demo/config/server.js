module.exports = ({ env }) => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', `http://localhost:${env.int('PORT', 1337)}`),
  // Demo keys: a real site sets APP_KEYS in its environment.
  app: { keys: env.array('APP_KEYS', ['musterstadt-demo-key-1', 'musterstadt-demo-key-2']) },
  logger: { updates: { enabled: false } },
});
