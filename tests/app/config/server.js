module.exports = ({ env }) => ({
  host: '127.0.0.1',
  port: env.int('PORT', 0),
  app: { keys: ['town-crier-test-key-a', 'town-crier-test-key-b'] },
  logger: { updates: { enabled: false }, startup: { enabled: false } },
  // A test playing a town behind a reverse proxy trusts the last X-Forwarded-For entry, as a
  // town's server config should (docs/privacy.md).
  // TOWN_CRIER_TEST_PROXY_MAX_IPS=0 plays a town that forgot maxIpsCount (Koa then trusts the leftmost entry).
  proxy: { koa: env.bool('TOWN_CRIER_TEST_PROXY', false), maxIpsCount: env.int('TOWN_CRIER_TEST_PROXY_MAX_IPS', 1) },
});
