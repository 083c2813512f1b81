module.exports = ({ env }) => ({
  auth: { secret: 'town-crier-test-admin-jwt-secret' },
  apiToken: { salt: 'town-crier-test-api-token-salt' },
  transfer: { token: { salt: 'town-crier-test-transfer-salt' } },
  secrets: { encryptionKey: 'town-crier-test-encryption-key-32b' },
  serveAdminPanel: env.bool('TOWN_CRIER_TEST_SERVE_ADMIN', false),
});
