import { describe, expect, it } from 'vitest';
import { fillPlaceholders, renderWhatsappMessage, type TemplateWording } from '../../server/src/channels/whatsapp/whatsapp.render';
import { buildAnnouncementRequest, buildConfirmationRequest } from '../../server/src/channels/whatsapp/whatsapp.payloads';
import { templateSubmissions } from '../../server/src/channels/whatsapp/whatsapp.templates';
import { whatsappConfigSchema } from '../../server/src/config/schema';

const config = whatsappConfigSchema.parse({
  templates: { announcement: { name: 'town_news', header: [{ source: 'topic' }], urlButtonIndex: 0, urlButtonPrefix: 'https://www.musterstadt.de/' } },
}).templates;
const plain = whatsappConfigSchema.parse({}).templates;
const content = {
  title: 'Vollsperrung der Hauptstraße',
  text: 'Die Hauptstraße ist am Samstag gesperrt.',
  url: 'https://www.musterstadt.de/news/sperrung',
  urgency: 'info' as const,
  topicNames: ['Verkehr'],
  townName: 'Musterstadt',
};
const news = buildAnnouncementRequest({ kind: 'announcement', to: '+4915100000001', deliveryRef: 'd:1', content }, config.announcement);
const optin = buildConfirmationRequest({ kind: 'confirmation', to: '+4915100000001', token: 'tok123', townName: 'Musterstadt' }, plain.confirmation);

/** The templates as Meta has them: German wording with header, footer and buttons, as a town may have created them. */
const atMeta: TemplateWording[] = [
  {
    name: 'town_news',
    language: 'de_DE',
    status: 'PAUSED',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Musterstadt – {{1}}' },
      { type: 'BODY', text: 'Neues aus Musterstadt: {{1}}\n\n{{2}}\n\nAbmelden: STOP' },
      { type: 'FOOTER', text: 'Ihre Stadtverwaltung' },
      { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Zur Meldung', url: 'https://www.musterstadt.de/{{1}}' }] },
    ],
  },
  {
    name: 'town_news_optin',
    language: 'de',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'BODY', text: 'Bitte bestätigen Sie Ihre Anmeldung bei Musterstadt.' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ja, anmelden' }] },
    ],
  },
];
const pluginWording = templateSubmissions(plain, 'Musterstadt');

describe('WhatsApp messages rendered as the phone shows them', () => {
  it('fills positional and named placeholders and leaves unknown ones visible', () => {
    expect(fillPlaceholders('{{1}} / {{ 2 }} / {{3}}', [{ text: 'a' }, { text: 'b' }])).toBe('a / b / {{3}}');
    expect(fillPlaceholders('Hallo {{titel}}', [{ parameter_name: 'titel', text: 'Welt' }])).toBe('Hallo Welt');
  });

  it("renders a template read from Meta with its header, body, footer and button labels, the values filled in", () => {
    const rendered = renderWhatsappMessage(news, { atMeta, pluginWording });
    expect(rendered.template).toEqual({ name: 'town_news', language: 'de', source: 'meta', status: 'PAUSED', category: 'marketing' });
    expect(rendered.header).toBe('Musterstadt – Verkehr');
    expect(rendered.text).toBe('Neues aus Musterstadt: Vollsperrung der Hauptstraße\n\nDie Hauptstraße ist am Samstag gesperrt.\n\nAbmelden: STOP');
    expect(rendered.footer).toBe('Ihre Stadtverwaltung');
    expect(rendered.buttons).toEqual([{ title: 'Zur Meldung', payload: 'https://www.musterstadt.de/news/sperrung' }]);

    const confirmation = renderWhatsappMessage(optin, { atMeta, pluginWording });
    expect(confirmation.text).toBe('Bitte bestätigen Sie Ihre Anmeldung bei Musterstadt.');
    // Meta's German label; the payload is the one the plugin sent, so a tap confirms.
    expect(confirmation.buttons).toEqual([{ title: 'Ja, anmelden', payload: 'CONFIRM:tok123' }]);
    expect(confirmation.template?.source).toBe('meta');
  });

  it('without Meta, renders the wording the plugin would submit, marked as not confirmed by Meta', () => {
    const confirmation = renderWhatsappMessage(optin, { atMeta: [], pluginWording });
    expect(confirmation.template).toMatchObject({ name: 'town_news_optin', source: 'plugin', status: null, category: 'utility' });
    expect(confirmation.text).toBe('Sie haben sich für die Nachrichten der Stadt Musterstadt angemeldet. Bitte bestätigen Sie mit dem Knopf unten. Wenn Sie das nicht waren, ignorieren Sie diese Nachricht einfach.');
    expect(confirmation.buttons).toEqual([{ title: 'Ja, anmelden', payload: 'CONFIRM:tok123' }]);

    const plainNews = buildAnnouncementRequest({ kind: 'announcement', to: '+4915100000001', deliveryRef: 'd:1', content }, plain.announcement);
    const rendered = renderWhatsappMessage(plainNews, { atMeta: [], pluginWording });
    expect(rendered.template?.source).toBe('plugin');
    expect(rendered.text).toBe('Neues aus Musterstadt: Vollsperrung der Hauptstraße\n\nDie Hauptstraße ist am Samstag gesperrt.\n\nMehr dazu auf unserer Website. Abmelden: STOP');
    expect(rendered.header).toBeNull();
  });

  it('a template known neither at Meta nor to the plugin shows its name and values; text messages show their text', () => {
    const other = { ...optin, template: { ...optin.template, name: 'eigene_vorlage' } };
    const rendered = renderWhatsappMessage(other, { atMeta, pluginWording });
    expect(rendered.template?.source).toBe('unknown');
    expect(rendered.text).toBe('[eigene_vorlage]');
    expect(rendered.buttons[0].payload).toBe('CONFIRM:tok123');
    expect(renderWhatsappMessage({ type: 'text', text: { body: 'Danke!' } }, { atMeta, pluginWording })).toMatchObject({ text: 'Danke!', template: null, buttons: [] });
  });
});
