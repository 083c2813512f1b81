import { describe, expect, it } from 'vitest';
import type { AnnouncementContent } from '../../server/src/channels/channel';
import {
  buildAnnouncementRequest,
  buildConfirmationRequest,
  buildMessageRequest,
  buildTextRequest,
  cleanTemplateParameter,
  fitParametersToBudget,
  TEMPLATE_BODY_MAX_LENGTH,
  TEMPLATE_STATIC_TEXT_ALLOWANCE,
  truncateText,
  WhatsappPayloadError,
  type TemplateComponent,
  type TextParameter,
} from '../../server/src/channels/whatsapp/whatsapp.payloads';
import { whatsappConfigSchema } from '../../server/src/config/schema';

const content: AnnouncementContent = {
  title: 'Straßensperrung',
  text: 'Die Hauptstraße ist\nvom 14.03. bis 16.03. gesperrt.',
  url: 'https://musterstadt.de/news/hauptstrasse',
  urgency: 'important',
  topicNames: ['Verkehr', 'Bauen'],
  townName: 'Musterstadt',
};

const templatesWith = (announcement: Record<string, unknown> = {}, confirmation: Record<string, unknown> = {}) =>
  whatsappConfigSchema.parse({ templates: { announcement: { name: 'town_news', ...announcement }, confirmation: { name: 'town_news_optin', ...confirmation } } }).templates;

const announcement = (overrides: Partial<AnnouncementContent> = {}) => ({
  kind: 'announcement' as const,
  to: '+4915123456789',
  deliveryRef: 'd:42',
  content: { ...content, ...overrides },
});

function component<T extends TemplateComponent['type']>(components: TemplateComponent[], type: T, subType?: string) {
  const found = components.find((candidate) => candidate.type === type && (subType === undefined || ('sub_type' in candidate && candidate.sub_type === subType)));
  if (!found) throw new Error(`no ${type} component`);
  return found as Extract<TemplateComponent, { type: T }>;
}

const bodyTexts = (components: TemplateComponent[]) => (component(components, 'body').parameters as TextParameter[]).map((parameter) => parameter.text);

describe('cleanTemplateParameter', () => {
  it('replaces newlines and tabs by a space', () => {
    expect(cleanTemplateParameter('Zeile eins\nZeile zwei\r\nZeile drei\tEnde')).toBe('Zeile eins Zeile zwei Zeile drei Ende');
  });

  it('allows at most four consecutive spaces', () => {
    expect(cleanTemplateParameter('a          b')).toBe('a    b');
    expect(cleanTemplateParameter('a    b')).toBe('a    b');
    expect(cleanTemplateParameter('a\n\n\n\n\n\n\nb')).not.toMatch(/ {5}/);
    expect(cleanTemplateParameter('a \n \n \n b')).not.toMatch(/ {5}/);
  });

  it('trims and replaces empty values with a dash', () => {
    expect(cleanTemplateParameter('  Titel \n')).toBe('Titel');
    expect(cleanTemplateParameter('')).toBe('-');
    expect(cleanTemplateParameter(' \n\t ')).toBe('-');
    expect(cleanTemplateParameter(null)).toBe('-');
    expect(cleanTemplateParameter(undefined)).toBe('-');
  });

  it('shortens to the limit with an ellipsis', () => {
    const cleaned = cleanTemplateParameter('x'.repeat(100), 60);
    expect(cleaned).toHaveLength(60);
    expect(cleaned.endsWith('…')).toBe(true);
    expect(cleanTemplateParameter('kurz', 60)).toBe('kurz');
  });
});

describe('truncateText', () => {
  it('never splits an emoji (surrogate pair)', () => {
    const cut = truncateText('ab😀😀😀', 5);
    expect(cut.length).toBeLessThanOrEqual(5);
    expect(cut).toBe('ab😀…');
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('leaves text within the limit untouched', () => {
    expect(truncateText('Hallo', 5)).toBe('Hallo');
  });
});

describe('fitParametersToBudget', () => {
  it('cuts the longest parameter and keeps short ones whole', () => {
    const fitted = fitParametersToBudget(['Titel', 'x'.repeat(500), 'Musterstadt'], 100);
    expect(fitted[0]).toBe('Titel');
    expect(fitted[2]).toBe('Musterstadt');
    expect(fitted[1].endsWith('…')).toBe(true);
    expect(fitted.join('').length).toBeLessThanOrEqual(100);
  });

  it('cuts the last of equally long parameters', () => {
    const fitted = fitParametersToBudget(['a'.repeat(60), 'b'.repeat(60)], 100);
    expect(fitted[0]).toBe('a'.repeat(60));
    expect(fitted[1]).toHaveLength(40);
  });

  it('cuts several parameters when one is not enough', () => {
    const fitted = fitParametersToBudget(['a'.repeat(300), 'b'.repeat(300)], 50);
    expect(fitted.join('').length).toBeLessThanOrEqual(50);
  });
});

describe('buildAnnouncementRequest', () => {
  it('sends the default positional template to E.164 digits without +, with the delivery ref', () => {
    const request = buildAnnouncementRequest(announcement(), templatesWith().announcement);
    expect(request).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '4915123456789',
      biz_opaque_callback_data: 'd:42',
      type: 'template',
      template: {
        name: 'town_news',
        language: { code: 'de' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Straßensperrung' },
              { type: 'text', text: 'Die Hauptstraße ist vom 14.03. bis 16.03. gesperrt.' },
            ],
          },
        ],
      },
    });
  });

  it('uses parameter_name for named parameters and fills every source', () => {
    const templates = templatesWith({
      language: 'de',
      header: [{ name: 'stufe', source: 'urgency' }],
      body: [
        { name: 'stadt', source: 'town' },
        { name: 'thema', source: 'topic' },
        { name: 'titel', source: 'title' },
        { name: 'link', source: 'url' },
      ],
    });
    const { template } = buildAnnouncementRequest(announcement(), templates.announcement);
    expect(component(template.components, 'header').parameters).toEqual([{ type: 'text', parameter_name: 'stufe', text: 'Wichtig' }]);
    expect(component(template.components, 'body').parameters).toEqual([
      { type: 'text', parameter_name: 'stadt', text: 'Musterstadt' },
      { type: 'text', parameter_name: 'thema', text: 'Verkehr, Bauen' },
      { type: 'text', parameter_name: 'titel', text: 'Straßensperrung' },
      { type: 'text', parameter_name: 'link', text: 'https://musterstadt.de/news/hauptstrasse' },
    ]);
  });

  it('labels urgency in English for English templates', () => {
    const templates = templatesWith({ language: 'en_US', body: [{ source: 'urgency' }] });
    expect(bodyTexts(buildAnnouncementRequest(announcement({ urgency: 'emergency' }), templates.announcement).template.components)).toEqual(['Emergency']);
  });

  it('says which news a follow-up continues in the title parameter, in the template’s language', () => {
    const followUp = { kind: 'all-clear' as const, originalTitle: 'Sturmwarnung', originalUrl: null };
    const german = templatesWith({ language: 'de', header: [{ source: 'urgency' }], body: [{ source: 'title' }, { source: 'text' }] });
    const { template } = buildAnnouncementRequest(announcement({ title: 'Sturm vorüber', urgency: 'emergency', followUp }), german.announcement);
    // An all-clear of an emergency is urgent, but its urgency word is "Entwarnung", not "Notfall".
    expect(component(template.components, 'header').parameters).toEqual([{ type: 'text', text: 'Entwarnung' }]);
    expect(bodyTexts(template.components)[0]).toBe('Entwarnung: Sturmwarnung – Sturm vorüber');
    const english = templatesWith({ language: 'en_US', body: [{ source: 'title' }] });
    const update = buildAnnouncementRequest(announcement({ title: 'Sturmwarnung', followUp: { ...followUp, kind: 'update' } }), english.announcement);
    // A follow-up that kept the original's title says only which news it follows up.
    expect(bodyTexts(update.template.components)).toEqual(['Update on: Sturmwarnung']);
  });

  it('sends a dash for a missing URL or an empty topic list', () => {
    const templates = templatesWith({ body: [{ source: 'url' }, { source: 'topic' }] });
    expect(bodyTexts(buildAnnouncementRequest(announcement({ url: null, topicNames: [] }), templates.announcement).template.components)).toEqual(['-', '-']);
  });

  it('cuts a header parameter to 60 characters', () => {
    const templates = templatesWith({ header: [{ source: 'title' }] });
    const request = buildAnnouncementRequest(announcement({ title: 'T'.repeat(80) }), templates.announcement);
    const [header] = component(request.template.components, 'header').parameters;
    expect(header.text).toHaveLength(60);
    expect(header.text.endsWith('…')).toBe(true);
  });

  it('keeps the body within 1024 characters by cutting the article text', () => {
    const longText = 'Wort '.repeat(600);
    const request = buildAnnouncementRequest(announcement({ text: longText }), templatesWith().announcement);
    const [title, text] = bodyTexts(request.template.components);
    expect(title).toBe('Straßensperrung');
    expect(text.endsWith('…')).toBe(true);
    expect(title.length + text.length).toBeLessThanOrEqual(TEMPLATE_BODY_MAX_LENGTH - TEMPLATE_STATIC_TEXT_ALLOWANCE);
    expect(title.length + text.length).toBeGreaterThan(TEMPLATE_BODY_MAX_LENGTH - TEMPLATE_STATIC_TEXT_ALLOWANCE - 10);
  });

  it('sends the URL button suffix with the configured prefix stripped', () => {
    const templates = templatesWith({ urlButtonIndex: 1, urlButtonPrefix: 'https://musterstadt.de/' });
    const button = component(buildAnnouncementRequest(announcement(), templates.announcement).template.components, 'button', 'url');
    expect(button).toEqual({ type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'news/hauptstrasse' }] });
  });

  it('sends the whole URL when the template button has no prefix configured', () => {
    const templates = templatesWith({ urlButtonIndex: 0 });
    const button = component(buildAnnouncementRequest(announcement(), templates.announcement).template.components, 'button', 'url');
    expect(button.parameters).toEqual([{ type: 'text', text: 'https://musterstadt.de/news/hauptstrasse' }]);
  });

  it('refuses a URL that does not fit the button prefix instead of sending a broken link', () => {
    const templates = templatesWith({ urlButtonIndex: 0, urlButtonPrefix: 'https://musterstadt.de/' });
    expect(() => buildAnnouncementRequest(announcement({ url: 'https://example.org/x' }), templates.announcement)).toThrow(WhatsappPayloadError);
    expect(() => buildAnnouncementRequest(announcement({ url: null }), templates.announcement)).toThrow(WhatsappPayloadError);
  });
});

describe('buildConfirmationRequest', () => {
  it('puts CONFIRM:<token> on the quick-reply button at the configured index', () => {
    const templates = templatesWith({}, { quickReplyIndex: 1, body: [{ source: 'town' }] });
    const request = buildConfirmationRequest({ kind: 'confirmation', to: '+491711234567', token: 'tok_abc', townName: 'Musterstadt' }, templates.confirmation);
    expect(request.to).toBe('491711234567');
    expect(request.biz_opaque_callback_data).toBeUndefined();
    expect(request.template).toEqual({
      name: 'town_news_optin',
      language: { code: 'de' },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: 'Musterstadt' }] },
        { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'CONFIRM:tok_abc' }] },
      ],
    });
  });

  it('sends no body component when the template has no body parameters', () => {
    const request = buildConfirmationRequest({ kind: 'confirmation', to: '+491711234567', token: 't', townName: 'M' }, templatesWith().confirmation);
    expect(request.template.components.map((part) => part.type)).toEqual(['button']);
  });
});

describe('buildTextRequest', () => {
  it('sends text with link preview', () => {
    expect(buildTextRequest({ kind: 'text', to: '+4915123456789', text: 'Danke! https://musterstadt.de' })).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '4915123456789',
      type: 'text',
      text: { preview_url: true, body: 'Danke! https://musterstadt.de' },
    });
  });

  it('cuts the body to 4096 characters', () => {
    const { text } = buildTextRequest({ kind: 'text', to: '+4915123456789', text: 'ä'.repeat(5000) });
    expect(text.body).toHaveLength(4096);
    expect(text.body.endsWith('…')).toBe(true);
  });

  it('keeps line breaks in free text (only template parameters are cleaned)', () => {
    const body = buildMessageRequest({ kind: 'text', to: '+4915123456789', text: 'a\nb' }, templatesWith());
    expect(body.type === 'text' && body.text.body).toBe('a\nb');
  });
});

describe('recipient: number or business-scoped user id', () => {
  it('sends to a number with `to` (digits only) and no `recipient`', () => {
    const body = buildMessageRequest(announcement(), templatesWith());
    expect(body).toMatchObject({ to: '4915123456789' });
    expect(body).not.toHaveProperty('recipient');
  });

  it('sends to a citizen known only by username with `recipient` and no `to` (Meta: `to` would win)', () => {
    for (const bsuid of ['DE.13491208655302741918', 'US.ENT.11815799212886844830']) {
      const news = buildMessageRequest({ ...announcement(), to: bsuid }, templatesWith());
      const text = buildTextRequest({ kind: 'text', to: bsuid, text: 'Willkommen' });
      const confirmation = buildConfirmationRequest({ kind: 'confirmation', to: bsuid, token: 't', townName: 'Musterstadt' }, templatesWith().confirmation);
      for (const body of [news, text, confirmation]) {
        expect(body).toMatchObject({ messaging_product: 'whatsapp', recipient_type: 'individual', recipient: bsuid });
        expect(body).not.toHaveProperty('to');
      }
    }
  });
});
