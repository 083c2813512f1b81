import { describe, expect, it } from 'vitest';
import { parsePluginConfig } from '../../server/src/config';
import config from '../../server/src/config';

describe('plugin config', () => {
  it('applies defaults to an empty config', () => {
    const parsed = parsePluginConfig({});
    expect(parsed.channels.whatsapp).toMatchObject({ apiVersion: 'v24.0', messagesPerSecond: 80, dailyRecipientLimit: 250, baseUrl: 'https://graph.facebook.com' });
    expect(parsed.confirmationTtlHours).toBe(48);
    expect(parsed.broadcast.quietHours).toEqual({ enabled: true, start: '21:00', end: '07:00', timeZone: 'Europe/Berlin' });
    expect(parsed.stats.subscriberTarget).toBe(1557);
  });

  it.each([
    [{ channels: { whatsapp: { apiVersion: '24' } } }, 'channels.whatsapp.apiVersion'],
    [{ channels: { whatsapp: { messagesPerSecond: -1 } } }, 'channels.whatsapp.messagesPerSecond'],
    [{ broadcast: { quietHours: { start: '25:00' } } }, 'broadcast.quietHours.start'],
    [{ contentTypes: { article: { title: 'title', text: 'summary', url: 'x' } } }, 'contentTypes.article'],
    [{ consent: { current: 'v2', versions: {} } }, 'consent.current'],
  ])('fails startup synchronously with a message naming the bad key (%j)', (raw, key) => {
    expect(() => config.validator(raw)).toThrow(new RegExp(`${key.replace(/\./g, '\\.')}`));
  });
});
