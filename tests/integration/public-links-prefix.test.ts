import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { inboundTextWebhook, signedWebhookRequest, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, sentTo } from '../support/whatsapp';
import { announcementFor, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const PREFIX = '/schnittstelle';
const PUBLIC_URL = 'https://buergerinfo.musterstadt.de';

/**
 * A site whose Strapi serves its REST API under `/schnittstelle` instead of `/api`: every link the
 * plugin puts in a message or a feed must carry that prefix, or citizens get dead links.
 */
describe('public links follow Strapi’s api.rest.prefix', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;

  const textsTo = (e164: string) =>
    sentTo(fake, e164)
      .map((request) => (request.body as { text?: { body: string } }).text?.body)
      .filter((text): text is string => Boolean(text));
  const webhook = (payload: unknown) => {
    const { rawBody, headers } = signedWebhookRequest(payload, 'test-app-secret');
    return test.request.post(`${PREFIX}/town-crier/webhooks/whatsapp`).set(headers).send(rawBody);
  };
  /** The path of a link, checked to be an existing route of this site. */
  const pathOf = (link: string) => {
    expect(link.startsWith(`${PUBLIC_URL}${PREFIX}/town-crier/`)).toBe(true);
    return link.slice(PUBLIC_URL.length);
  };

  beforeAll(async () => {
    process.env.TOWN_CRIER_TEST_API_PREFIX = PREFIX;
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    test = await bootStrapi({ pluginConfig: { ...whatsapp.config, publicUrl: PUBLIC_URL, rateLimit: { signupAnswerMinMs: 0 } } });
    delete process.env.TOWN_CRIER_TEST_API_PREFIX;
    const topics = await seedTopics(test, [['Verkehr', 'verkehr']]);
    await seedSubscriber(test, '+4915111111111', { topics: [topics.verkehr] });
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('links the sign-up page in the reply to a stranger’s START', async () => {
    expect((await webhook(inboundTextWebhook('4915122222222', 'START'))).status).toBe(200);
    const [reply] = await eventually(async () => textsTo('+4915122222222').length > 0 && textsTo('+4915122222222'));
    const link = /https?:\/\/\S+/.exec(reply)![0];
    expect((await test.request.get(pathOf(link))).status).toBe(200);
  });

  it('links the manage page in the THEMEN answer', async () => {
    expect((await webhook(inboundTextWebhook('4915111111111', 'THEMEN'))).status).toBe(200);
    const [reply] = await eventually(async () => textsTo('+4915111111111').length > 0 && textsTo('+4915111111111'));
    const link = /https?:\/\/\S+/.exec(reply)![0];
    expect(link).toContain('/signup?keep=');
    expect((await test.request.get(pathOf(link))).status).toBe(200);
  });

  it('gives the feed self links under the prefix', async () => {
    const articleId = await publishArticle(test, { title: 'Baustelle', topic: 'verkehr' });
    await eventually(async () => (await announcementFor(test, articleId))?.broadcastStatus === 'sent');
    for (const feed of ['feed.xml', 'feed.atom']) {
      const response = await test.request.get(`${PREFIX}/town-crier/${feed}`).buffer(true).parse((res, done) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => done(null, body));
      });
      expect(response.status).toBe(200);
      const body = response.body as string;
      expect(body).toContain(`${PUBLIC_URL}${PREFIX}/town-crier/${feed}`);
      expect(body).not.toContain(`${PUBLIC_URL}/api/`);
    }
  });
});
