import { isBsuid, signedWebhookRequest, startFakeWhatsappCloudApi, type FakeCloudApi } from './fake-whatsapp-cloud-api';
import type { TestStrapi } from './strapi';

export const WHATSAPP = {
  accessToken: 'test-access-token',
  phoneNumberId: '106540352242922',
  appSecret: 'test-app-secret',
  verifyToken: 'test-verify-token',
  businessNumber: '+49 4525 12345',
  businessAccountId: '102290129340398',
};

/** Starts the fake Cloud API and answers the plugin config that points the adapter at it. */
export async function fakeWhatsapp(): Promise<{ fake: FakeCloudApi; config: Record<string, unknown> }> {
  const fake = await startFakeWhatsappCloudApi({ accessToken: WHATSAPP.accessToken, phoneNumberId: WHATSAPP.phoneNumberId });
  // Without `businessAccountId` the plugin reads nothing from the Business Management API; tests that want it add it.
  const { businessAccountId: _businessAccountId, ...whatsapp } = WHATSAPP;
  return { fake, config: { channels: { whatsapp: { ...whatsapp, baseUrl: fake.baseUrl, apiVersion: fake.apiVersion } } } };
}

/** Posts a webhook signed the way Meta signs it, through the real HTTP route. */
export function postWebhook(test: TestStrapi, payload: unknown, appSecret = WHATSAPP.appSecret) {
  const { rawBody, headers } = signedWebhookRequest(payload, appSecret);
  return test.request.post('/api/town-crier/webhooks/whatsapp').set(headers).send(rawBody);
}

/** Sends to one number, or to one BSUID (by `recipient`, without `to`), in order. */
export function sentTo(fake: FakeCloudApi, address: string) {
  if (isBsuid(address)) {
    return fake.requests.filter((request) => {
      const body = request.body as { to?: string; recipient?: string } | undefined;
      return body?.recipient === address && body.to === undefined;
    });
  }
  const digits = String(address).replace(/\D/g, '');
  return fake.requests.filter((request) => (request.body as { to?: string } | undefined)?.to?.replace(/\D/g, '') === digits);
}
