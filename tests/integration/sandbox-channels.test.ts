import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { publishArticle } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';

interface OutboxEntry {
  channel: string;
  to: string;
  preview: { text: string; buttons: Array<{ title: string; payload: string }> };
}

/** The sandbox phone on e-mail and Telegram: what arrived, and the citizen's side of each channel. */
describe('sandbox phone on e-mail, Telegram and the town’s accounts', () => {
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
          // The town's accounts without token or app password: sandbox, shown in the phone and the side panel.
          mastodon: { enabled: true, account: '@musterstadt@social.example', hashtags: { always: ['Musterstadt'] } },
          bluesky: { enabled: true, identifier: 'musterstadt.bsky.social' },
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

  it('shows what the town’s Mastodon and Bluesky accounts would post; the side panel shows the same posts before publishing', async () => {
    const draft = (await test.strapi.documents('api::article.article' as never).create({ data: { title: 'Stadtfest am Samstag 🎉', summary: 'Mit Musik auf dem Marktplatz.', slug: 'stadtfest' } } as never)) as { documentId: string };
    const preview = (await get(`/preview?uid=api::article.article&documentId=${draft.documentId}`)).body.data as {
      recipients: { byChannel: Record<string, number> };
      accountPosts: Array<{ channel: string; account: string; text: string; length: number; limit: number }>;
    };
    expect(Object.keys(preview.recipients.byChannel)).not.toContain('mastodon');
    expect(preview.accountPosts.map((post) => [post.channel, post.account, post.limit])).toEqual([
      ['mastodon', '@musterstadt@social.example', 500],
      ['bluesky', 'musterstadt.bsky.social', 300],
    ]);
    expect(preview.accountPosts[0].text).toMatch(/^Stadtfest am Samstag 🎉\n\nMit Musik auf dem Marktplatz\.\n\nhttps?:\/\/\S+\n\n#Musterstadt$/);

    await publishArticle(test, { title: 'Stadtfest am Sonntag 🎉', summary: 'Mit Musik auf dem Marktplatz.' });
    const posted = await eventually(async () => {
      const entries = [...(await inbox('@musterstadt@social.example')), ...(await inbox('musterstadt.bsky.social'))];
      return entries.length === 2 && entries;
    });
    const byChannel = Object.fromEntries(posted.map((entry) => [entry.channel, entry.preview.text]));
    expect(byChannel.mastodon).toContain('Stadtfest am Sonntag 🎉');
    expect(byChannel.bluesky).toMatch(/^Stadtfest am Sonntag 🎉\n\nMit Musik auf dem Marktplatz\.\n\n\S+/);
    // Nobody answers the town's account through the phone.
    const act = await post('/sandbox/act', { channel: 'mastodon', from: '@musterstadt@social.example', action: 'text', text: 'Hallo' });
    expect(act.status).toBe(400);
    expect(act.body.error.details.code).toBe('account-channel');
  });
});
