import { describe, expect, it } from 'vitest';
import { placeholderCount, templateProblems, templateSubmissions } from '../../server/src/channels/whatsapp/whatsapp.templates';
import { tierLimit, type MetaTemplate } from '../../server/src/channels/whatsapp/whatsapp.business-api';
import { createWhatsappWebhook } from '../../server/src/channels/whatsapp/whatsapp.webhook';
import { whatsappConfigSchema } from '../../server/src/config/schema';
import { approvedTownTemplates, templateCategoryWebhook, templateStatusWebhook } from '../support/fake-whatsapp-cloud-api';

const templates = (announcement: Record<string, unknown> = {}) => whatsappConfigSchema.parse({ templates: { announcement: { name: 'town_news', ...announcement } } }).templates;
const atMeta = (): MetaTemplate[] => approvedTownTemplates().map(({ id, name, language, status, category, components }) => ({ id, name, language, status, category, components: components as unknown as MetaTemplate['components'] }));
const codes = (problems: Array<{ code: string; template: string }>) => problems.map((problem) => `${problem.code}:${problem.template}`);

describe('template checks', () => {
  it('counts distinct positional and named placeholders', () => {
    expect(placeholderCount('Neu: {{1}} – {{2}} ({{1}})')).toBe(2);
    expect(placeholderCount('Hallo {{ titel }}, {{text}}')).toBe(2);
    expect(placeholderCount(undefined)).toBe(0);
  });

  it('finds nothing wrong with the approved standard templates', () => {
    expect(templateProblems(templates(), atMeta())).toEqual([]);
  });

  it('names missing, pending, rejected, paused and disabled templates in German and English', () => {
    expect(codes(templateProblems(templates(), []))).toEqual(['missing:town_news', 'missing:town_news_optin']);
    for (const [status, code] of [['PENDING', 'pending'], ['REJECTED', 'rejected'], ['PAUSED', 'paused'], ['DISABLED', 'disabled'], ['LIMIT_EXCEEDED', 'other-status']] as const) {
      const list = atMeta();
      list[0].status = status;
      const [problem] = templateProblems(templates(), list);
      expect(problem.code).toBe(code);
      expect(problem.message.de).toContain('„town_news“');
      expect(problem.message.en).toContain('“town_news”');
    }
  });

  it('treats another language code (de_DE for a configured de) as missing: Meta would answer 132001', () => {
    const list = atMeta().map((template) => ({ ...template, language: 'de_DE' }));
    expect(codes(templateProblems(templates(), list))).toEqual(['missing:town_news', 'missing:town_news_optin']);
    expect(templateProblems(templates({ language: 'de_DE' }), list).map((problem) => problem.template)).toEqual(['town_news_optin']);
  });

  it('reports a placeholder count or button that does not match the mapping', () => {
    const withHeaderAndButton = templates({ header: [{ source: 'title' }], urlButtonIndex: 0 });
    expect(codes(templateProblems(withHeaderAndButton, atMeta()))).toEqual(['parameter-count:town_news', 'button-missing:town_news']);
    const list = atMeta();
    list[1].components = [{ type: 'BODY', text: 'Bitte bestätigen.' }];
    expect(codes(templateProblems(templates(), list))).toEqual(['button-missing:town_news_optin']);
  });

  it('reports the last re-categorisation of a template', () => {
    const problems = templateProblems(templates(), atMeta(), [{ templateName: 'town_news_optin', language: 'de', previousCategory: 'UTILITY', newCategory: 'MARKETING' }]);
    expect(codes(problems)).toEqual(['recategorised:town_news_optin']);
    expect(problems[0].message.de).toContain('Marketing-Obergrenzen');
  });

  it('words the submissions as docs/whatsapp-setup.md does, with an example for every variable', () => {
    const [confirmation, news] = templateSubmissions(templates(), 'Ahrensbök');
    expect(confirmation).toMatchObject({ name: 'town_news_optin', category: 'UTILITY', language: 'de' });
    expect(confirmation.components[0]).toMatchObject({ type: 'BODY', text: expect.stringContaining('Stadt Ahrensbök') });
    expect(news.components[0]).toMatchObject({ text: expect.stringMatching(/^Neues aus Ahrensbök: \{\{1\}\}/), example: { body_text: [[expect.any(String), expect.any(String)]] } });
  });

  it('knows Meta’s tier names', () => {
    expect([tierLimit('TIER_250'), tierLimit('TIER_2K'), tierLimit('TIER_100K'), tierLimit('TIER_UNLIMITED'), tierLimit('TIER_SOMETHING')]).toEqual([250, 2000, 100_000, null, undefined]);
  });
});

describe('template webhooks', () => {
  const webhook = createWhatsappWebhook({ verifyToken: 'v', appSecret: 's' }, () => new Date(1773482400 * 1000));

  it('maps message_template_status_update and template_category_update', () => {
    expect(webhook.parse(templateStatusWebhook({ name: 'town_news' }, 'REJECTED', 'INVALID_FORMAT'))).toEqual([
      { type: 'template-update', change: 'status', templateName: 'town_news', language: 'de', status: 'REJECTED', reason: 'INVALID_FORMAT', at: new Date(1773482400 * 1000) },
    ]);
    expect(webhook.parse(templateStatusWebhook({ name: 'town_news' }, 'APPROVED'))[0]).not.toHaveProperty('reason');
    expect(webhook.parse(templateCategoryWebhook({ name: 'town_news_optin' }, 'UTILITY', 'MARKETING'))).toEqual([
      { type: 'template-update', change: 'category', templateName: 'town_news_optin', language: 'de', previousCategory: 'UTILITY', newCategory: 'MARKETING', at: new Date(1773482400 * 1000) },
    ]);
  });
});
