import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { conformsToContract } from '../support/admin-contract';
import { approvedTownTemplates, inboundTextWebhook, templateCategoryWebhook, templateStatusWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo, WHATSAPP } from '../support/whatsapp';
import { announcementFor, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

type Problem = { code: string; kind?: string; template?: string; message: { de: string; en: string } };
type WhatsappStatus = {
  dailyRecipientLimit: number | null;
  problems: string[];
  whatsapp: {
    messagingLimit: { tier: string; dailyLimit: number | null; throughputLevel: string } | null;
    templates: Array<{ name: string; status: string; category: string }>;
    templateEvents: Array<{ templateName: string; change: string; status: string | null; newCategory: string | null }>;
    apiVersion: { configured: string; retiresOn: string | null; newest: string };
    problems: Problem[];
  };
};

/**
 * The town's account as Meta has it: templates from the Business Management API (and their
 * webhooks), the messaging-limit tier the daily reach follows, the Graph API version's end,
 * and news sent through the Marketing Messages API.
 */
describe('WhatsApp account, templates and limits read from Meta', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let token: string;
  const retiresOn = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

  const whatsappStatus = async () => {
    const response = conformsToContract('GET', '/town-crier/channels', await test.request.get('/town-crier/channels').set('Authorization', `Bearer ${token}`));
    expect(response.status).toBe(200);
    return (response.body.data as Array<{ id: string }>).find((row) => row.id === 'whatsapp') as unknown as WhatsappStatus;
  };
  const account = () => test.strapi.plugin('town-crier').service('whatsapp-account') as { refresh(): Promise<unknown> };
  const codes = (status: WhatsappStatus) => status.whatsapp.problems.map((problem) => `${problem.code}:${problem.template ?? ''}`).sort();

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    fake.setMessagingLimit('TIER_2K');
    const config = whatsapp.config as { channels: { whatsapp: Record<string, unknown> } };
    Object.assign(config.channels.whatsapp, { businessAccountId: WHATSAPP.businessAccountId, marketingEndpoint: 'marketing_messages', apiVersionRetiresOn: retiresOn });
    test = await bootStrapi({ pluginConfig: config });
    token = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('reads the tier at startup, and the daily limit follows a tier change', async () => {
    const first = await eventually(async () => {
      const status = await whatsappStatus();
      return status.whatsapp.messagingLimit && status;
    });
    expect(first.whatsapp.messagingLimit).toEqual({ tier: 'TIER_2K', dailyLimit: 2000, throughputLevel: 'STANDARD' });
    expect(first.dailyRecipientLimit).toBe(2000);

    fake.setMessagingLimit('TIER_10K', 'HIGH');
    await account().refresh();
    const raised = await whatsappStatus();
    expect(raised.dailyRecipientLimit).toBe(10_000);
    expect(raised.whatsapp.messagingLimit).toMatchObject({ tier: 'TIER_10K', throughputLevel: 'HIGH' });
    const channel = (test.strapi.plugin('town-crier').service('runtime') as { channels(): { get(id: string): { dailyRecipientLimit: number | null } } }).channels().get('whatsapp');
    expect(channel.dailyRecipientLimit).toBe(10_000);
  });

  it('warns 60 days before the configured Graph API version is retired, and names the newest', async () => {
    const status = await whatsappStatus();
    expect(status.whatsapp.apiVersion).toMatchObject({ configured: 'v24.0', retiresOn, newest: 'v26.0' });
    const version = status.whatsapp.problems.find((problem) => problem.code === 'api-version');
    expect(version?.message.de).toContain(`am ${retiresOn}`);
    expect(version?.message.en).toContain('in 30 days');
    expect(status.problems).toContain(version?.message.en);
  });

  it('says in German and English that the templates are missing, submits them in one click and follows their approval', async () => {
    const missing = await whatsappStatus();
    expect(codes(missing)).toEqual(expect.arrayContaining(['missing:town_news', 'missing:town_news_optin']));
    expect(missing.whatsapp.problems.find((problem) => problem.code === 'missing')?.message.de).toMatch(/gibt es bei Meta nicht/);

    const submitted = conformsToContract('POST', '/town-crier/channels/whatsapp/templates', await test.request.post('/town-crier/channels/whatsapp/templates').set('Authorization', `Bearer ${token}`).send({}));
    expect(submitted.status).toBe(200);
    expect(submitted.body.data.submitted.map((entry: { name: string; status: string }) => `${entry.name}:${entry.status}`).sort()).toEqual(['town_news:PENDING', 'town_news_optin:PENDING']);
    const posted = fake.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/message_templates'));
    expect(posted).toHaveLength(2);
    const optin = posted.find((request) => (request.body as { name: string }).name === 'town_news_optin')!.body as { category: string; language: string; components: Array<{ type: string; text?: string }> };
    expect(optin).toMatchObject({ category: 'UTILITY', language: 'de' });
    expect(optin.components[0].text).toMatch(/^Sie haben sich für die Nachrichten der Stadt/);

    const pending = await whatsappStatus();
    expect(codes(pending)).toEqual(expect.arrayContaining(['pending:town_news', 'pending:town_news_optin']));

    // Meta approves; its webhook makes the plugin read the templates again.
    for (const template of fake.templates) template.status = 'APPROVED';
    for (const template of fake.templates) await postWebhook(test, templateStatusWebhook(template, 'APPROVED'));
    const approved = await eventually(async () => {
      const status = await whatsappStatus();
      return status.whatsapp.templateEvents.filter((event) => event.status === 'APPROVED').length === 2 && status;
    });
    expect(approved.whatsapp.problems.filter((problem) => problem.template)).toEqual([]);
    expect(approved.whatsapp.templates.map((template) => `${template.name}:${template.status}`).sort()).toEqual(['town_news:APPROVED', 'town_news_optin:APPROVED']);

    const again = conformsToContract('POST', '/town-crier/channels/whatsapp/templates', await test.request.post('/town-crier/channels/whatsapp/templates').set('Authorization', `Bearer ${token}`).send({ templates: ['confirmation'] }));
    expect(again.body.data).toMatchObject({ submitted: [], skipped: [{ kind: 'confirmation', reason: 'exists at Meta' }] });
    const bad = conformsToContract('POST', '/town-crier/channels/whatsapp/templates', await test.request.post('/town-crier/channels/whatsapp/templates').set('Authorization', `Bearer ${token}`).send({ templates: ['nonsense'] }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
  });

  it('shows a re-categorisation from its webhook, and a template whose placeholders do not match the mapping', async () => {
    const optin = fake.templates.find((template) => template.name === 'town_news_optin')!;
    optin.category = 'MARKETING';
    await postWebhook(test, templateCategoryWebhook(optin, 'UTILITY', 'MARKETING'));
    const recategorised = await eventually(async () => {
      const status = await whatsappStatus();
      return status.whatsapp.problems.some((problem) => problem.code === 'recategorised') && status;
    });
    const problem = recategorised.whatsapp.problems.find((entry) => entry.code === 'recategorised')!;
    expect(problem).toMatchObject({ template: 'town_news_optin' });
    expect(problem.message.de).toMatch(/von UTILITY zu MARKETING umgestuft/);
    expect(recategorised.problems).toContain(problem.message.en);
    expect(recategorised.whatsapp.templateEvents[0]).toMatchObject({ templateName: 'town_news_optin', change: 'category', newCategory: 'MARKETING' });

    const news = fake.templates.find((template) => template.name === 'town_news')!;
    news.components = [{ type: 'BODY', text: 'Neues: {{1}} – {{2}} ({{3}}). Abmelden: STOP' }];
    await account().refresh();
    const mismatch = await whatsappStatus();
    const count = mismatch.whatsapp.problems.find((entry) => entry.code === 'parameter-count')!;
    expect(count).toMatchObject({ template: 'town_news' });
    expect(count.message.en).toMatch(/3 placeholder\(s\) in its body, the configuration fills 2/);
    news.components = approvedTownTemplates()[0].components;
  });

  it('sends news through the Marketing Messages API when configured, and everything else through /messages', async () => {
    const topics = await seedTopics(test, [['Verkehr', 'verkehr']]);
    await seedSubscriber(test, '+4915155556666', { topics: [topics.verkehr] });
    fake.reset();
    const articleId = await publishArticle(test, { title: 'Sperrung', topic: 'verkehr' });
    await eventually(async () => (await announcementFor(test, articleId))?.broadcastStatus === 'sent');
    const [news] = sentTo(fake, '+4915155556666');
    expect(news.path).toBe(`/v24.0/${WHATSAPP.phoneNumberId}/marketing_messages`);
    expect(news.body).toMatchObject({ type: 'template', template: { name: 'town_news' } });

    await postWebhook(test, inboundTextWebhook('4915155556666', 'HILFE'));
    const reply = await eventually(async () => sentTo(fake, '+4915155556666').find((request) => (request.body as { type: string }).type === 'text'));
    expect(reply.path).toBe(`/v24.0/${WHATSAPP.phoneNumberId}/messages`);
  });

  it("the side panel's preview renders the news with the template's text as Meta has it, header, footer and button labels included", async () => {
    const templates = approvedTownTemplates();
    templates[0].components = [
      { type: 'HEADER', format: 'TEXT', text: 'Aus dem Rathaus' },
      { type: 'BODY', text: 'Liebe Musterstädter, {{1}}\n\n{{2}}\n\nAbmelden: STOP' },
      { type: 'FOOTER', text: 'Ihre Stadtverwaltung Musterstadt' },
    ];
    fake.templates.splice(0, fake.templates.length, ...templates);
    await account().refresh();
    const draft = (await test.strapi.documents('api::article.article' as never).create({
      data: { title: 'Laternenfest', summary: 'Am Freitag im Stadtpark.', slug: 'laternenfest' },
    } as never)) as { documentId: string };
    const response = await test.request.get(`/town-crier/preview?uid=api::article.article&documentId=${draft.documentId}`).set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(response.body.data.whatsappMessage).toEqual({
      header: 'Aus dem Rathaus',
      text: 'Liebe Musterstädter, Laternenfest\n\nAm Freitag im Stadtpark.\n\nAbmelden: STOP',
      footer: 'Ihre Stadtverwaltung Musterstadt',
      buttons: [],
      template: { name: 'town_news', language: 'de', source: 'meta', status: 'APPROVED', category: 'marketing' },
    });
  });
});
