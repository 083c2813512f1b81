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

  describe('unknown keys stop startup', () => {
    const mapping = { title: 'titel', text: 'kurztext', url: 'https://x.de/{kennung}' };

    it('names a misspelt mapping key with its path and the key that was meant', () => {
      expect(() => config.validator({ contentTypes: { 'api::meldung.meldung': { ...mapping, skipp: 'nicht_senden' } } })).toThrow(
        'Invalid town-crier plugin config: contentTypes.api::meldung.meldung.skipp: unknown key (did you mean "skip"?)'
      );
    });

    it('catches keys at every level, with a suggestion only where one is close', () => {
      const problems = () =>
        config.validator({
          tokenSecrett: 'x'.repeat(20),
          channels: { whatsap: {}, telegram: { baseURL: 'https://t.example' }, whatsapp: { templates: { announcement: { name: 'n', urlButtonPrefx: 'x' } } } },
          broadcast: { quietHours: { enabled: false, zone: 'Europe/Berlin' } },
          contentTypes: { 'api::a.a': { ...mapping, colour: 'red' } },
        });
      expect(problems).toThrow('tokenSecrett: unknown key (did you mean "tokenSecret"?)');
      expect(problems).toThrow('channels.whatsap: unknown key (did you mean "whatsapp"?)');
      expect(problems).toThrow('channels.telegram.baseURL: unknown key (did you mean "baseUrl"?)');
      expect(problems).toThrow('channels.whatsapp.templates.announcement.urlButtonPrefx: unknown key (did you mean "urlButtonPrefix"?)');
      expect(problems).toThrow(/broadcast\.quietHours\.zone: unknown key(?! \(did)/);
      expect(problems).toThrow(/contentTypes\.api::a\.a\.colour: unknown key(?! \(did)/);
    });

    it('lists every bad key and every bad value in one message', () => {
      let message = '';
      try {
        config.validator({ worker: 'yes', redis: { prefx: 'x' }, feed: { titel: 'Nachrichten', limit: 0 } });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Invalid town-crier plugin config: /);
      expect(message.replace('Invalid town-crier plugin config: ', '').split('; ').sort()).toEqual(
        [
          'worker: Invalid input: expected boolean, received string',
          'redis.prefx: unknown key (did you mean "prefix"?)',
          'feed.titel: unknown key (did you mean "title"?)',
          'feed.limit: Too small: expected number to be >0',
        ].sort()
      );
    });
  });
});

