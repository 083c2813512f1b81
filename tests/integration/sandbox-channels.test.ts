import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';

const SUBSCRIBER = 'plugin::town-crier.subscriber';

interface OutboxEntry {
  channel: string;
  to: string;
  preview: { text: string; buttons: Array<{ title: string; payload: string }> };
}

/** The sandbox phone on e-mail and Telegram: what arrived, and the citizen's side of each channel. */
describe('sandbox phone on e-mail and Telegram', () => {
  let test: TestStrapi;
  let token: string;
  const get = (path: string) => test.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`);
  const post = (path: string, body?: unknown) => test.request.post(`/town-crier${path}`).set('Authorization', `Bearer ${token}`).send(body as object);
  const inbox = async (to: string) => (await get(`/sandbox/outbox?to=${encodeURIComponent(to)}`)).body.data as OutboxEntry[];

  beforeAll(async () => {
    test = await bootStrapi({
      pluginConfig: {
        channels: {
          whatsapp: { accessToken: '' },
          email: { enabled: true, sandbox: true },
          telegram: { enabled: true, botUsername: 'MusterstadtBot', sandbox: true },
        },
      },
    });
    token = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
  });

  const signUp = async (channels: Array<{ channel: string; address?: string }>) => {
    const consent = (await test.request.get('/api/town-crier/consent')).body.data.version;
    const response = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channels, topics: [], consent: { accepted: true, version: consent } });
    expect(response.status).toBe(202);
    return response.body.data.channels as Array<{ channel: string; telegramLink?: string }>;
  };

  it('shows the confirmation mail with its link as a button, and clicking it confirms', async () => {
    await signUp([{ channel: 'email', address: 'erika@example.org' }]);
    const mail = await eventually(async () => (await inbox('erika@example.org')).find((entry) => entry.preview.buttons.length > 0));
    expect(mail.channel).toBe('email');
    expect(mail.preview.text).toMatch(/^Betreff: /);
    const confirm = mail.preview.buttons.find((button) => button.title === 'Confirm');
    expect(confirm?.payload).toMatch(/^confirm:.{8,}/);

    // A mail cannot be answered; only its links can be clicked.
    expect((await post('/sandbox/act', { channel: 'email', from: 'erika@example.org', action: 'text', text: 'STOP' })).status).toBe(400);
    const act = await post('/sandbox/act', { channel: 'email', from: 'erika@example.org', action: 'tap', payload: confirm?.payload });
    expect(act.status).toBe(200);
    const subscriber = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'email', address: 'erika@example.org' } });
    expect(subscriber.status).toBe('active');
  });

  it('lets the operator open the t.me link as a Telegram chat, confirm with /start and leave with /stop', async () => {
    const [answer] = await signUp([{ channel: 'telegram' }]);
    const startToken = new URL(answer.telegramLink as string).searchParams.get('start');
    expect(startToken).toBeTruthy();

    expect((await post('/sandbox/act', { channel: 'telegram', from: 'not-a-chat', action: 'text', text: '/start x' })).status).toBe(400);
    expect((await post('/sandbox/act', { channel: 'telegram', from: '4242', action: 'text', text: `/start ${startToken}` })).status).toBe(200);
    const subscriber = await eventually(async () => {
      const row = await test.strapi.db.query(SUBSCRIBER).findOne({ where: { channel: 'telegram', address: '4242' } });
      return row?.status === 'active' && row;
    });
    expect(subscriber.status).toBe('active');
    const welcome = await eventually(async () => (await inbox('4242')).find((entry) => entry.channel === 'telegram'));
    expect(welcome.preview.text).not.toMatch(/<[a-z]/);

    await post('/sandbox/act', { channel: 'telegram', from: '4242', action: 'text', text: '/stop' });
    await eventually(async () => (await test.strapi.db.query(SUBSCRIBER).findOne({ where: { id: subscriber.id } }))?.status === 'unsubscribed');
  });
});
