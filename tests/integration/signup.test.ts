import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { buttonReplyWebhook, inboundTextWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';

const SUBSCRIBER = 'plugin::town-crier.subscriber';
const LEDGER = 'plugin::town-crier.consent-event';

describe('citizens sign up', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let consentVersion: string;

  const signup = (body: Record<string, unknown>) =>
    test.request
      .post('/api/town-crier/subscriptions')
      .set('User-Agent', 'Mozilla/5.0 (test)')
      .send({ channel: 'whatsapp', topics: ['verkehr'], consent: { accepted: true, version: consentVersion }, ...body });
  const subscriberOf = (address: string) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { address }, populate: ['topics'] });
  const ledgerOf = (subscriberId: number) => test.strapi.db.query(LEDGER).findMany({ where: { subscriber: subscriberId }, orderBy: { id: 'asc' } });
  const count = () => test.strapi.db.query(SUBSCRIBER).count();

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({ pluginConfig: { ...whatsapp.config, rateLimit: { signupsPerIpPerHour: 40 } } });
    for (const [name, slug] of [['Verkehr', 'verkehr'], ['Notfälle', 'notfaelle']]) {
      await test.strapi.db.query('plugin::town-crier.topic').create({ data: { name, slug, active: true } });
    }
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('shows the exact consent text with its hash and privacy policy', async () => {
    const response = await test.request.get('/api/town-crier/consent?locale=en');
    expect(response.status).toBe(200);
    const { text, sha256, privacyPolicyUrl, locale } = response.body.data;
    expect(locale).toBe('en');
    expect(text).toMatch(/STOP/);
    expect(sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(privacyPolicyUrl).toMatch(/^https?:\/\//);
  });

  it('stores a pending subscriber and a requested ledger entry, and sends the confirmation template through the queue', async () => {
    const response = await signup({ address: '0151 23456789', name: 'Erika', locale: 'de', source: 'rathaus-website' });
    expect(response.status).toBe(202);
    expect(response.body.data).toMatchObject({ status: 'pending', channel: 'whatsapp' });
    expect(response.body.data.whatsappLink).toMatch(/^https:\/\/wa\.me\/49452512345\?text=START%20[A-Z2-9]{6}$/);
    expect(Date.parse(response.body.data.expiresAt) - Date.now()).toBeGreaterThan(47 * 3_600_000);
    expect(JSON.stringify(response.body)).not.toContain('23456789');

    const subscriber = await subscriberOf('+4915123456789');
    expect(subscriber).toMatchObject({ status: 'pending', channel: 'whatsapp', name: 'Erika', source: 'rathaus-website', locale: 'de' });
    expect(subscriber.topics.map((t: { slug: string }) => t.slug)).toEqual(['verkehr']);
    const [requested] = await ledgerOf(subscriber.id);
    const consent = (await test.request.get('/api/town-crier/consent?locale=de')).body.data;
    expect(requested).toMatchObject({ type: 'requested', method: 'web-form', consentVersion, consentTextHash: consent.sha256, userAgent: 'Mozilla/5.0 (test)' });
    expect(requested.ipTruncated).toMatch(/^127\.0\.0\.0\/24$|::\/48$/);

    const [confirmation] = await eventually(async () => sentTo(fake, '+4915123456789').length > 0 && sentTo(fake, '+4915123456789'));
    const body = confirmation.body as { type: string; template: { name: string; components: Array<{ sub_type?: string; parameters: Array<{ payload?: string }> }> } };
    expect(body.type).toBe('template');
    expect(body.template.name).toBe('town_news_optin');
    const button = body.template.components.find((component) => component.sub_type === 'quick_reply');
    expect(button?.parameters[0].payload).toMatch(/^CONFIRM:/);
  });

  it('confirms when the citizen taps the button, records it and welcomes them', async () => {
    const [confirmation] = sentTo(fake, '+4915123456789');
    const payload = (confirmation.body as { template: { components: Array<{ sub_type?: string; parameters: Array<{ payload: string }> }> } }).template.components.find(
      (component) => component.sub_type === 'quick_reply'
    )!.parameters[0].payload;

    const response = await postWebhook(test, buttonReplyWebhook('4915123456789', payload));
    expect(response.status).toBe(200);
    const subscriber = await eventually(async () => {
      const row = await subscriberOf('+4915123456789');
      return row.status === 'active' && row;
    });
    expect(subscriber.confirmedAt).toBeTruthy();
    expect((await ledgerOf(subscriber.id)).map((event: { type: string; method: string }) => `${event.type}:${event.method}`)).toEqual([
      'requested:web-form',
      'confirmed:whatsapp-button',
    ]);
    const welcome = await eventually(async () => sentTo(fake, '+4915123456789').find((request) => (request.body as { type: string }).type === 'text'));
    expect((welcome.body as { text: { body: string } }).text.body).toMatch(/Willkommen/);
  });

  it('answers a second sign-up of an active number exactly like any other, and sends nothing', async () => {
    const before = sentTo(fake, '+4915123456789').length;
    const ledgerBefore = (await ledgerOf((await subscriberOf('+4915123456789')).id)).length;
    const response = await signup({ address: '+49 151 23456789' });
    expect(response.status).toBe(202);
    expect(Object.keys(response.body.data).sort()).toEqual(['channel', 'expiresAt', 'status', 'whatsappLink']);
    expect(response.body.data.status).toBe('pending');
    // A later sign-up's confirmation reaching the fake proves the queue ran past this one.
    await signup({ address: '0160 1234567' });
    await eventually(async () => sentTo(fake, '+491601234567').length > 0);
    expect(sentTo(fake, '+4915123456789')).toHaveLength(before);
    expect(await ledgerOf((await subscriberOf('+4915123456789')).id)).toHaveLength(ledgerBefore);
    expect((await subscriberOf('+4915123456789')).status).toBe('active');
  });

  it('confirms through the wa.me link when the citizen writes START with the code', async () => {
    const response = await signup({ address: '0170 1234567', topics: [] });
    const code = decodeURIComponent(response.body.data.whatsappLink.split('text=')[1]).split(' ')[1];
    await postWebhook(test, inboundTextWebhook('491701234567', `start ${code}`));
    const subscriber = await eventually(async () => {
      const row = await subscriberOf('+491701234567');
      return row.status === 'active' && row;
    });
    expect((await ledgerOf(subscriber.id)).at(-1)).toMatchObject({ type: 'confirmed', method: 'whatsapp-keyword' });
  });

  it('records one confirmation when the code arrives twice at the same moment', async () => {
    const response = await signup({ address: '0170 7654321', topics: [] });
    const code = decodeURIComponent(response.body.data.whatsappLink.split('text=')[1]).split(' ')[1];
    const subscriptions = test.strapi.plugin('town-crier').service('subscriptions') as {
      confirmByCode(channel: string, address: string, code: string, method: string): Promise<{ outcome: string }>;
    };
    // Two webhook jobs for one citizen run side by side: both read "pending" before either writes.
    const outcomes = await Promise.all([
      subscriptions.confirmByCode('whatsapp', '+491707654321', code, 'whatsapp-keyword'),
      subscriptions.confirmByCode('whatsapp', '+491707654321', code, 'whatsapp-keyword'),
    ]);
    expect(outcomes.every((outcome) => outcome.outcome !== 'wrong-code')).toBe(true);
    const subscriber = await subscriberOf('+491707654321');
    expect(subscriber.status).toBe('active');
    expect((await ledgerOf(subscriber.id)).map((event: { type: string }) => event.type)).toEqual(['requested', 'confirmed']);
  });

  it.each([
    ['an invalid number', { address: '12345' }, 'address'],
    ['a landline-looking nonsense number', { address: '+49 000 000' }, 'address'],
    ['no consent', { address: '0151 77777777', consent: undefined }, 'consent'],
    ['consent not accepted', { address: '0151 77777777', consent: { accepted: false, version: 'x' } }, 'consent.accepted'],
    ['an unknown consent version', { address: '0151 77777777', consent: { accepted: true, version: '1999-01' } }, 'consent.version'],
    ['an unknown topic', { address: '0151 77777777', topics: ['fussball'] }, 'topics'],
    ['an unknown field', { address: '0151 77777777', admin: true }, ''],
    ['a name that is far too long', { address: '0151 77777777', name: 'x'.repeat(500) }, 'name'],
  ])('refuses %s with 400 naming the field, and stores nothing', async (_label, body, field) => {
    const before = await count();
    const response = await signup(body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
    expect(response.body.error.details.errors[0].path.join('.')).toBe(field);
    expect(await count()).toBe(before);
  });

  it('refuses an oversized body with 413 before reading it, and stores nothing', async () => {
    const before = await count();
    const response = await signup({ address: '0151 77777777', source: 'x'.repeat(20_000) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ data: null, error: { status: 413, name: 'PayloadTooLargeError', details: { maxBytes: 8192 } } });
    expect(await count()).toBe(before);
  });

  it('silently drops a bot that fills the honeypot', async () => {
    const before = await count();
    const response = await signup({ address: '0151 88888888', website: 'http://spam.example' });
    expect(response.status).toBe(202);
    expect(response.body.data.status).toBe('pending');
    expect(await count()).toBe(before);
  });

  it('lets a citizen leave with STOP: unsubscribed, withdrawn in the ledger, and told so', async () => {
    await postWebhook(test, inboundTextWebhook('4915123456789', 'Stopp'));
    const subscriber = await eventually(async () => {
      const row = await subscriberOf('+4915123456789');
      return row.status === 'unsubscribed' && row;
    });
    expect((await ledgerOf(subscriber.id)).at(-1)).toMatchObject({ type: 'withdrawn', method: 'whatsapp-keyword' });
    await eventually(async () =>
      sentTo(fake, '+4915123456789').some((request) => /abgemeldet/.test((request.body as { text?: { body: string } }).text?.body ?? ''))
    );
  });

  it('withdraws through a signed unsubscribe link, and refuses a forged one', async () => {
    const subscriber = await subscriberOf('+491701234567');
    const token = (test.strapi.plugin('town-crier').service('subscriptions') as { unsubscribeToken(id: number): string }).unsubscribeToken(subscriber.id);
    const forged = await test.request.post('/api/town-crier/subscriptions/unsubscribe').send({ token: `${subscriber.id}.AAAAAAAAAAAAAAAAAAAAAAAA` });
    expect(forged.status).toBe(400);
    expect((await subscriberOf('+491701234567')).status).toBe('active');
    const response = await test.request.post('/api/town-crier/subscriptions/unsubscribe').send({ token });
    expect(response.status).toBe(200);
    expect((await subscriberOf('+491701234567')).status).toBe('unsubscribed');
    expect((await ledgerOf(subscriber.id)).at(-1)).toMatchObject({ type: 'withdrawn', method: 'unsubscribe-link' });
  });

  it('refuses an unknown confirmation token with 400', async () => {
    const response = await test.request.post('/api/town-crier/subscriptions/confirm').send({ token: 'not-a-real-token-at-all' });
    expect(response.status).toBe(400);
    expect(response.body.error.details.errors[0].path).toEqual(['token']);
  });

  it('deletes unconfirmed sign-ups and their ledger entries once they expire', async () => {
    await signup({ address: '0152 34567890' });
    const pending = await subscriberOf('+4915234567890');
    const ledgerRows = await test.strapi.db.query(LEDGER).count();
    await test.strapi.db.query(SUBSCRIBER).update({ where: { id: pending.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const { deleted } = await (test.strapi.plugin('town-crier').service('subscriptions') as { expirePending(): Promise<{ deleted: number }> }).expirePending();
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await subscriberOf('+4915234567890')).toBeNull();
    expect(await ledgerOf(pending.id)).toEqual([]);
    // Counted on the table itself: the relation alone would hide orphaned rows.
    expect(await test.strapi.db.query(LEDGER).count()).toBe(ledgerRows - 1);
  });

  it('lets an admin export and erase one subscriber, keeping an anonymous row and an erased ledger entry', async () => {
    const token = await createSuperAdmin(test);
    const subscriber = await subscriberOf('+491601234567');
    expect((await test.request.get(`/town-crier/subscribers/${subscriber.id}/export`)).status).toBe(401);

    const exported = await test.request.get(`/town-crier/subscribers/${subscriber.id}/export`).set('Authorization', `Bearer ${token}`);
    expect(exported.status).toBe(200);
    expect(exported.body.data.subscriber.address).toBe('+491601234567');
    expect(exported.body.data.consentEvents.map((event: { type: string }) => event.type)).toEqual(['requested']);

    const erased = await test.request.post(`/town-crier/subscribers/${subscriber.id}/erase`).set('Authorization', `Bearer ${token}`);
    expect(erased.status).toBe(200);
    const row = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: subscriber.id } });
    expect(row).toMatchObject({ address: null, name: null, status: 'unsubscribed' });
    expect(row.erasedAt).toBeTruthy();
    const ledger = await ledgerOf(subscriber.id);
    expect(ledger.at(-1)).toMatchObject({ type: 'erased' });
    expect(ledger.every((event: { ipTruncated: string | null }) => event.ipTruncated === null)).toBe(true);
  });

  it('serves an accessible sign-up page in German and English that can be embedded', async () => {
    const german = await test.request.get('/api/town-crier/signup');
    expect(german.status).toBe(200);
    expect(german.headers['content-type']).toMatch(/text\/html/);
    expect(german.headers['x-frame-options']).toBeUndefined();
    expect(german.text).toContain('<html lang="de">');
    expect(german.text).toContain('<label for="address">Handynummer</label>');
    expect(german.text).toContain('Notfälle');
    const consent = (await test.request.get('/api/town-crier/consent?locale=de')).body.data;
    expect(german.text).toContain(consent.text);
    expect(german.text).toMatch(/role="alert"/);
    const english = await test.request.get('/api/town-crier/signup?lang=en');
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Mobile number');
    const script = await test.request.get('/api/town-crier/signup.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('limits sign-ups per IP with 429 and Retry-After', async () => {
    let response;
    for (let i = 0; i < 60; i += 1) {
      response = await signup({ address: '12' });
      if (response.status === 429) break;
    }
    expect(response?.status).toBe(429);
    expect(Number(response?.headers['retry-after'])).toBeGreaterThan(0);
    expect(response?.body.error).toMatchObject({ status: 429, name: 'RateLimitError' });
  });
});
