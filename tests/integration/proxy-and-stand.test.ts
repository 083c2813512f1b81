import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, type TestStrapi } from '../support/strapi';
import { seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const STAND_TOKEN = 'stand-token-of-the-town-hall-tablet-2026';

/**
 * `server.proxy.koa: true` without `maxIpsCount` makes Koa take the client address from the
 * leftmost `X-Forwarded-For` entry, which the client writes itself: per-IP limits and the
 * consent ledger's address become the client's choice. The plugin cannot fix the host's
 * server config, so it says so at startup and on the channel status page.
 */
describe('a proxy setting that lets clients choose their address, and the stand source', () => {
  let test: TestStrapi;
  let adminToken: string;
  let consentVersion: string;
  const startupLines: string[] = [];

  beforeAll(async () => {
    process.env.TOWN_CRIER_TEST_PROXY = 'true';
    process.env.TOWN_CRIER_TEST_PROXY_MAX_IPS = '0';
    try {
      test = await bootStrapi({
        pluginConfig: {
          rateLimit: { signupAnswerMinMs: 0, signupStand: { token: STAND_TOKEN } },
          channels: { whatsapp: { enabled: false }, email: { enabled: true } },
        },
        onLog: (_level, message) => startupLines.push(message),
      });
    } finally {
      delete process.env.TOWN_CRIER_TEST_PROXY;
      delete process.env.TOWN_CRIER_TEST_PROXY_MAX_IPS;
    }
    adminToken = await createSuperAdmin(test);
    await seedTopics(test, [['Verkehr', 'verkehr']]);
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
  });

  it('warns at startup and on every channel of the status page', async () => {
    expect(startupLines.join('')).toMatch(/server\.proxy\.koa is on without maxIpsCount/);
    const channels = (await test.request.get('/town-crier/channels').set('Authorization', `Bearer ${adminToken}`)).body.data as Array<{ id: string; issues: Array<{ code: string }>; problems: string[] }>;
    expect(channels.length).toBeGreaterThan(0);
    for (const channel of channels) {
      expect(channel.issues.map((issue) => issue.code)).toContain('proxy-without-max-ips');
      expect(channel.problems.join(' ')).toMatch(/maxIpsCount/);
    }
  });

  it('takes source "stand" only with the stand’s token', async () => {
    const signup = (address: string, token?: string) => {
      const request = test.request.post('/api/town-crier/subscriptions');
      if (token) request.set('X-Town-Crier-Stand', token);
      return request.send({ channel: 'email', address, source: 'stand', topics: ['verkehr'], consent: { accepted: true, version: consentVersion } });
    };
    for (const token of [undefined, 'a-wrong-token-of-the-right-length-xyz']) {
      const refused = await signup('anna@example.org', token);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
      expect(refused.body.error.details.errors[0].path).toEqual(['source']);
    }
    expect(await test.strapi.db.query(SUBSCRIBER).count({ where: { channel: 'email' } })).toBe(0);
    expect((await signup('anna@example.org', STAND_TOKEN)).status).toBe(202);
    expect(await test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'email' } })).toMatchObject({ source: 'stand' });
  });
});
