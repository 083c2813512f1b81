import { describe, expect, it } from 'vitest';
import { parsePluginConfig } from '../../server/src/config';
import { productionConfigProblems } from '../../server/src/config/production';

/** What production refuses is only what would never work: a town's real config passes untouched. */
describe('production config checks', () => {
  const realTown = {
    town: { name: 'Ahrensbök', kind: 'Gemeinde' },
    publicUrl: 'https://www.ahrensboek.de',
    consent: {
      current: '2026-03',
      versions: { '2026-03': { text: { de: 'Ich möchte die Nachrichten der Gemeinde Ahrensbök erhalten. Abmelden jederzeit mit STOP.' }, privacyPolicyUrl: 'https://www.ahrensboek.de/datenschutz' } },
    },
    channels: { webpush: { pushServices: ['push.ahrensboek.de', '*.push.example-vendor.net'] } },
  };

  it('finds nothing wrong with a real town’s config', () => {
    expect(productionConfigProblems(parsePluginConfig(realTown))).toEqual([]);
  });

  it.each([
    ['http://localhost:1337', true],
    ['http://app.localhost', true],
    ['http://127.0.0.1:1337', true],
    ['http://[::1]:1337', true],
    ['http://0.0.0.0:1337', true],
    ['https://buergerinfo.ahrensboek.de', false],
  ])('publicUrl %s refused: %s', (publicUrl, refused) => {
    const problems = productionConfigProblems(parsePluginConfig({ ...realTown, publicUrl }));
    expect(problems.some((problem) => problem.startsWith('publicUrl: '))).toBe(refused);
  });

  it.each(['https://example.org/datenschutz', 'https://www.example.com/privacy', 'https://musterstadt.example/datenschutz', 'https://rathaus.test/datenschutz'])('refuses the example privacy policy %s', (privacyPolicyUrl) => {
    const config = parsePluginConfig({ ...realTown, consent: { current: 'v', versions: { v: { text: realTown.consent.versions['2026-03'].text, privacyPolicyUrl } } } });
    expect(productionConfigProblems(config)).toEqual([expect.stringMatching(/^consent\.versions\.v\.privacyPolicyUrl: /)]);
  });

  it('refuses an ActivityPub actor that may fetch from private addresses (the tests’ follower server only)', () => {
    expect(productionConfigProblems(parsePluginConfig({ ...realTown, channels: { ...realTown.channels, activitypub: { enabled: true } } }))).toEqual([]);
    expect(productionConfigProblems(parsePluginConfig({ ...realTown, channels: { ...realTown.channels, activitypub: { enabled: true, allowPrivateAddresses: true } } }))).toEqual([
      expect.stringMatching(/^channels\.activitypub\.allowPrivateAddresses: /),
    ]);
  });
});
