import { afterEach, describe, expect, it } from 'vitest';
import { startupError } from '../support/strapi';

/** Config that would start and then never work stops startup instead, naming the key. */
describe('config that cannot work stops startup', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('refuses an unknown time zone for quiet hours', async () => {
    const error = await startupError({ broadcast: { quietHours: { enabled: true, timeZone: 'MEZ' } } });
    expect(error.message).toContain('broadcast.quietHours.timeZone: must be an IANA time zone such as Europe/Berlin');
  });

  it('in production, refuses a publicUrl on localhost, the example consent and a trusted local push service, naming each', async () => {
    process.env.NODE_ENV = 'production';
    const error = await startupError({
      publicUrl: 'http://localhost:1337',
      channels: { webpush: { pushServices: ['127.0.0.1:8443'] } },
    });
    expect(error.message).toMatch(/publicUrl: .*localhost/);
    expect(error.message).toMatch(/consent\.versions\.2026-01\.privacyPolicyUrl: .*example/);
    expect(error.message).toMatch(/town\.name: .*Musterstadt/);
    expect(error.message).toMatch(/channels\.webpush\.pushServices\.0: .*production/);
  });

  it('in production, refuses a loopback publicUrl and a consent text that still names Musterstadt', async () => {
    process.env.NODE_ENV = 'production';
    const error = await startupError({
      town: { name: 'Ahrensbök' },
      publicUrl: 'http://127.0.0.1:1337',
      consent: {
        current: 'v1',
        versions: { v1: { text: { de: 'Ich möchte die Nachrichten der Stadt Musterstadt erhalten, bis ich STOP schreibe.' }, privacyPolicyUrl: 'https://www.ahrensboek.de/datenschutz' } },
      },
    });
    expect(error.message).toMatch(/publicUrl: /);
    expect(error.message).toMatch(/consent\.versions\.v1\.text\.de: .*Musterstadt/);
    expect(error.message).not.toMatch(/privacyPolicyUrl/);
    expect(error.message).not.toMatch(/town\.name/);
  });
});
