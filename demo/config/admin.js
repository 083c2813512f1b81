module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'musterstadt-demo-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'musterstadt-demo-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'musterstadt-demo-transfer-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'musterstadt-demo-encryption-key!') },
});
