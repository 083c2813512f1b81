import { describe, expect, it } from 'vitest';
import { startupError } from '../support/strapi';

/** One boot: misspelt keys at several levels stop startup, all named in one message. */
describe('an unknown config key stops startup', () => {
  it('names each key with its path and the key that was probably meant', async () => {
    const error = await startupError({
      contentTypes: { 'api::article.article': { skipp: 'silent' } },
      channels: { whatsapp: { baseURL: 'https://graph.example' } },
      feeds: { enabled: false },
    });
    expect(error.message).toMatch(/town-crier config: Invalid town-crier plugin config: /);
    expect(error.message).toContain('contentTypes.api::article.article.skipp: unknown key (did you mean "skip"?)');
    expect(error.message).toContain('channels.whatsapp.baseURL: unknown key (did you mean "baseUrl"?)');
    expect(error.message).toContain('feeds: unknown key (did you mean "feed"?)');
  });
});
