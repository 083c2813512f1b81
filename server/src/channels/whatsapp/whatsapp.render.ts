import type { MetaTemplate, MetaTemplateComponent } from './whatsapp.business-api';

/**
 * A WhatsApp message as the citizen's phone shows it, from the request body the plugin sends (or
 * records in sandbox mode). A template's wording lives at Meta; the request only carries the
 * values. So the text comes from the template as Meta has it (read from the Business Management
 * API), or, while Meta has not confirmed it, from the wording the plugin submits
 * (docs/whatsapp-setup.md), marked as unconfirmed. Pure: the sandbox phone and the side panel's
 * preview both use it, and the admin only shows what it answers.
 */

export interface RenderedButton {
  title: string;
  /** What a tap sends back (a quick reply's payload) or opens (a URL button's address). */
  payload: string;
}

export type RenderSource = 'meta' | 'plugin' | 'unknown';

export interface RenderedWhatsappMessage {
  header: string | null;
  text: string;
  footer: string | null;
  buttons: RenderedButton[];
  /**
   * For templates: where the wording came from. `meta`: the template as Meta has it; `plugin`:
   * the wording the plugin submits, not (yet) confirmed by Meta; `unknown`: neither, only the values.
   */
  template: { name: string; language: string | null; source: RenderSource; status: string | null; category: string | null } | null;
}

/** A template's wording: Meta's own, or what the plugin would submit. */
export type TemplateWording = Pick<MetaTemplate, 'name' | 'language' | 'components'> & { status?: string; category?: string };

interface RequestParameter {
  type?: string;
  text?: string;
  payload?: string;
  parameter_name?: string;
}

interface RequestComponent {
  type: string;
  sub_type?: string;
  index?: string;
  parameters?: RequestParameter[];
}

interface RequestBody {
  type?: string;
  text?: { body?: string };
  template?: { name?: string; language?: { code?: string }; components?: RequestComponent[] };
}

/** Meta names languages `de`, `de_DE`, `en_US`; the config usually says `de`, which matches `de_DE` too. */
const sameLanguage = (a: string | null | undefined, b: string | null | undefined) => {
  if (!a || !b) return false;
  const [x, y] = [a, b].map((code) => code.toLowerCase().replace('-', '_'));
  return x === y || (!x.includes('_') && y.startsWith(`${x}_`)) || (!y.includes('_') && x.startsWith(`${y}_`));
};

/** `{{1}}` by position, `{{titel}}` by `parameter_name`; a placeholder without a value stays visible. */
export function fillPlaceholders(text: string, parameters: RequestParameter[]): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => {
    const parameter = /^\d+$/.test(key) ? parameters[Number(key) - 1] : parameters.find((candidate) => candidate.parameter_name === key);
    return parameter?.text ?? whole;
  });
}

const componentOf = (wording: TemplateWording, type: string): MetaTemplateComponent | undefined =>
  wording.components.find((candidate) => candidate.type.toUpperCase() === type);

const requestComponent = (components: RequestComponent[], type: string) => components.find((component) => component.type === type);

function fromWording(wording: TemplateWording, components: RequestComponent[]): Pick<RenderedWhatsappMessage, 'header' | 'text' | 'footer' | 'buttons'> {
  const header = componentOf(wording, 'HEADER');
  const headerText = header && (header.format ?? 'TEXT').toUpperCase() === 'TEXT' && header.text ? fillPlaceholders(header.text, requestComponent(components, 'header')?.parameters ?? []) : null;
  const body = fillPlaceholders(componentOf(wording, 'BODY')?.text ?? '', requestComponent(components, 'body')?.parameters ?? []);
  const footer = componentOf(wording, 'FOOTER')?.text ?? null;
  const buttons = (componentOf(wording, 'BUTTONS')?.buttons ?? []).map((button, index) => {
    const sent = components.find((component) => component.type === 'button' && Number(component.index ?? -1) === index)?.parameters?.[0];
    if (button.type.toUpperCase() === 'QUICK_REPLY') return { title: button.text ?? '', payload: sent?.payload ?? button.text ?? '' };
    if (button.type.toUpperCase() === 'URL') return { title: button.text ?? '', payload: button.url ? fillPlaceholders(button.url, sent?.text !== undefined ? [sent] : []) : '' };
    return { title: button.text ?? '', payload: '' };
  });
  return { header: headerText, text: body, footer, buttons };
}

/** Neither Meta nor the plugin knows the template: the values in order, as before templates were read. */
function valuesOnly(name: string, components: RequestComponent[]): Pick<RenderedWhatsappMessage, 'header' | 'text' | 'footer' | 'buttons'> {
  const values = components
    .filter((component) => component.type === 'header' || component.type === 'body')
    .flatMap((component) => (component.parameters ?? []).map((parameter) => parameter.text ?? ''));
  const buttons = components
    .filter((component) => component.type === 'button')
    .map((component) => {
      const parameter = component.parameters?.[0] ?? {};
      return component.sub_type === 'quick_reply' ? { title: `${Number(component.index ?? 0) + 1}`, payload: parameter.payload ?? '' } : { title: '↗', payload: parameter.text ?? '' };
    });
  return { header: null, text: [`[${name}]`, ...values].join('\n'), footer: null, buttons };
}

/**
 * Renders a Cloud API request body. `atMeta`: the town's templates as read from Meta (empty when
 * not read); `pluginWording`: the templates the plugin would submit (its German wording).
 */
export function renderWhatsappMessage(body: unknown, known: { atMeta: readonly TemplateWording[]; pluginWording: readonly TemplateWording[] }): RenderedWhatsappMessage {
  const request = (body ?? {}) as RequestBody;
  if (request.type === 'text') return { header: null, text: request.text?.body ?? '', footer: null, buttons: [], template: null };
  if (request.type !== 'template' || !request.template) return { header: null, text: '', footer: null, buttons: [], template: null };
  const name = request.template.name ?? '';
  const language = request.template.language?.code ?? null;
  const components = request.template.components ?? [];
  const atMeta = known.atMeta.find((template) => template.name === name && sameLanguage(template.language, language));
  if (atMeta) {
    return { ...fromWording(atMeta, components), template: { name, language, source: 'meta', status: atMeta.status ?? null, category: atMeta.category?.toLowerCase() ?? null } };
  }
  const planned = known.pluginWording.find((template) => template.name === name && sameLanguage(template.language, language));
  if (planned) {
    return { ...fromWording(planned, components), template: { name, language, source: 'plugin', status: null, category: planned.category?.toLowerCase() ?? null } };
  }
  return { ...valuesOnly(name, components), template: { name, language, source: 'unknown', status: null, category: null } };
}
