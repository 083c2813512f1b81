import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '@strapi/strapi';
import { createChannelRegistry } from '../../server/src/channels/registry';
import { parsePluginConfig } from '../../server/src/config';

/** Only what the registry touches; anything else would throw. */
function strapiFake(warnings: string[]): Core.Strapi {
  const fake = {
    log: { info: () => undefined, warn: (message: string) => warnings.push(message), error: () => undefined },
    db: { query: () => ({ create: async () => ({}) }) },
  };
  return fake as unknown as Core.Strapi; // a local fake, not the real instance: see the comment above
}

describe('channel registry', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('runs WhatsApp without a token in sandbox mode and says so loudly', () => {
    const warnings: string[] = [];
    const registry = createChannelRegistry({ strapi: strapiFake(warnings), config: parsePluginConfig({}) });
    expect(registry.get('whatsapp').mode).toBe('sandbox');
    expect(warnings.join('\n')).toMatch(/SANDBOX/);
  });

  it('refuses to start in production without a token unless sandbox was asked for', () => {
    process.env.NODE_ENV = 'production';
    expect(() => createChannelRegistry({ strapi: strapiFake([]), config: parsePluginConfig({}) })).toThrow(/sandbox: true/);
    const registry = createChannelRegistry({ strapi: strapiFake([]), config: parsePluginConfig({ channels: { whatsapp: { sandbox: true } } }) });
    expect(registry.get('whatsapp').mode).toBe('sandbox');
  });

  it('goes live when a token is configured', () => {
    process.env.NODE_ENV = 'production';
    const registry = createChannelRegistry({
      strapi: strapiFake([]),
      config: parsePluginConfig({ channels: { whatsapp: { accessToken: 'token', phoneNumberId: '1' } } }),
    });
    expect(registry.get('whatsapp').mode).toBe('live');
  });

  it('runs e-mail and Telegram in sandbox without credentials, and refuses that in production unless asked for', () => {
    const config = parsePluginConfig({ channels: { email: { enabled: true }, telegram: { enabled: true } } });
    const registry = createChannelRegistry({ strapi: strapiFake([]), config });
    expect(registry.enabled().map((channel) => [channel.id, channel.mode])).toEqual([
      ['whatsapp', 'sandbox'],
      ['email', 'sandbox'],
      ['telegram', 'sandbox'],
    ]);
    expect(registry.get('telegram').messagesPerSecond).toBe(25);
    process.env.NODE_ENV = 'production';
    const withoutEmail = parsePluginConfig({ channels: { whatsapp: { sandbox: true }, email: { enabled: true } } });
    expect(() => createChannelRegistry({ strapi: strapiFake([]), config: withoutEmail })).toThrow(/channels\.email\.from/);
    const withoutBot = parsePluginConfig({ channels: { whatsapp: { sandbox: true }, telegram: { enabled: true } } });
    expect(() => createChannelRegistry({ strapi: strapiFake([]), config: withoutBot })).toThrow(/channels\.telegram\.botToken/);
  });

  it('runs Web Push in sandbox without VAPID keys, refuses that in production unless asked for, and goes live with keys', async () => {
    const { generateVAPIDKeys } = await import('web-push');
    const registry = createChannelRegistry({ strapi: strapiFake([]), config: parsePluginConfig({ channels: { webpush: { enabled: true } } }) });
    expect(registry.get('webpush').mode).toBe('sandbox');
    process.env.NODE_ENV = 'production';
    const withoutKeys = parsePluginConfig({ channels: { whatsapp: { sandbox: true }, webpush: { enabled: true } } });
    expect(() => createChannelRegistry({ strapi: strapiFake([]), config: withoutKeys })).toThrow(/channels\.webpush\.vapid/);
    const keys = generateVAPIDKeys();
    const live = createChannelRegistry({
      strapi: strapiFake([]),
      config: parsePluginConfig({ channels: { whatsapp: { sandbox: true }, webpush: { enabled: true, vapid: { subject: 'mailto:rathaus@musterstadt.de', ...keys } } } }),
    });
    expect(live.get('webpush').mode).toBe('live');
    await live.close();
  });

  it('keeps e-mail and Telegram off unless enabled, and Telegram under 30 messages per second', () => {
    expect(createChannelRegistry({ strapi: strapiFake([]), config: parsePluginConfig({}) }).enabled().map((channel) => channel.id)).toEqual(['whatsapp']);
    expect(() => parsePluginConfig({ channels: { telegram: { messagesPerSecond: 30 } } })).toThrow(/channels\.telegram\.messagesPerSecond/);
  });
});
