import type { WhatsappConfig } from './whatsapp.config';
import { followUpTexts, titleWithFollowUp, type Locale } from '../../messages/texts';
import type { Urgency } from '../../constants';
import type { AnnouncementContent, OutboundMessage } from '../channel';
import { recipientFields } from './whatsapp.identity';
import { LANGUAGES, type Language } from '../../../../shared/languages';

/**
 * Request bodies for `POST /{version}/{phone-number-id}/messages`. Pure functions: the same
 * message always yields the same body, so the sandbox records exactly what live mode sends.
 */

/** Meta's limit for `text.body`. */
export const TEXT_BODY_MAX_LENGTH = 4096;
/** Meta's limit for a template body after its parameters are filled in. */
export const TEMPLATE_BODY_MAX_LENGTH = 1024;
/** Meta's limit for the single parameter of a text header. */
export const HEADER_PARAMETER_MAX_LENGTH = 60;
/** Meta's limit for the dynamic suffix of a URL button. */
export const URL_BUTTON_SUFFIX_MAX_LENGTH = 2000;
/**
 * The template's own wording counts towards the 1024-character body limit, but the config
 * does not tell us how long it is. This much is kept free for it; a body over the limit
 * fails with 132005 for every recipient, so erring on the short side is the cheaper mistake.
 */
export const TEMPLATE_STATIC_TEXT_ALLOWANCE = 200;
/** Meta rejects empty template parameters; a dash keeps the sentence readable. */
export const EMPTY_PARAMETER_PLACEHOLDER = '-';
export const CONFIRMATION_PAYLOAD_PREFIX = 'CONFIRM:';

const ELLIPSIS = '…';

type TemplateParameterConfig = WhatsappConfig['templates']['announcement']['body'][number];
type TemplateParameterSource = TemplateParameterConfig['source'];

export interface TextParameter {
  type: 'text';
  text: string;
  parameter_name?: string;
}

export type TemplateComponent =
  | { type: 'header'; parameters: TextParameter[] }
  | { type: 'body'; parameters: TextParameter[] }
  | { type: 'button'; sub_type: 'url'; index: string; parameters: Array<{ type: 'text'; text: string }> }
  | { type: 'button'; sub_type: 'quick_reply'; index: string; parameters: Array<{ type: 'payload'; payload: string }> };

interface RequestEnvelope {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  /** Phone number digits; absent when the citizen is known only by their BSUID. */
  to?: string;
  /** The citizen's business-scoped user id, for citizens known only by username. */
  recipient?: string;
  /** Echoed back in status webhooks, which is how an ambiguous send is reconciled. */
  biz_opaque_callback_data?: string;
}

export interface TemplateMessageRequest extends RequestEnvelope {
  type: 'template';
  template: { name: string; language: { code: string }; components: TemplateComponent[] };
}

export interface TextMessageRequest extends RequestEnvelope {
  type: 'text';
  text: { preview_url: boolean; body: string };
}

export type WhatsappMessageRequest = TemplateMessageRequest | TextMessageRequest;

/**
 * Thrown when a message cannot be expressed with the configured template, e.g. the article URL
 * does not start with the URL button's prefix. Every recipient of the announcement would get
 * the same broken message, so it is classified as an announcement-level failure.
 */
export class WhatsappPayloadError extends Error {
  constructor(
    readonly reason: 'url-missing' | 'url-prefix-mismatch' | 'url-too-long',
    message: string
  ) {
    super(message);
    this.name = 'WhatsappPayloadError';
  }
}

/**
 * Shortens `value` to at most `maxLength` UTF-16 code units, ending in '…' when cut. Counting
 * code units is an upper bound of any character count Meta may use, and the cut never splits
 * a surrogate pair, so emoji survive whole or not at all.
 */
export function truncateText(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  if (maxLength <= 0) return '';
  const budget = maxLength - ELLIPSIS.length;
  let kept = '';
  for (const codePoint of value) {
    if (kept.length + codePoint.length > budget) break;
    kept += codePoint;
  }
  return kept.trimEnd() + ELLIPSIS;
}

/**
 * Makes a value acceptable as a template text parameter. Meta rejects parameters with
 * newlines, tabs or more than four consecutive spaces, and empty ones; announcement text is
 * written by editors and has all of these. Optionally shortens to `maxLength`.
 */
export function cleanTemplateParameter(value: string | null | undefined, maxLength?: number): string {
  const cleaned = (value ?? '')
    .replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ')
    .replace(/ {5,}/g, '    ')
    .trim();
  if (!cleaned) return EMPTY_PARAMETER_PLACEHOLDER;
  return maxLength === undefined ? cleaned : truncateText(cleaned, maxLength);
}

/**
 * Shortens body parameters until together they fit `budget`: always the longest one (the last
 * of equals, usually the article text), so short fields like the title stay whole.
 */
export function fitParametersToBudget(values: string[], budget: number): string[] {
  const fitted = [...values];
  const total = () => fitted.reduce((sum, value) => sum + value.length, 0);
  for (let excess = total() - budget; excess > 0; excess = total() - budget) {
    let longest = 0;
    fitted.forEach((value, index) => {
      if (value.length >= fitted[longest].length) longest = index;
    });
    const current = fitted[longest];
    // One character plus the ellipsis is as short as a parameter gets; below that nothing can give.
    if (current.length <= 1 + ELLIPSIS.length) break;
    fitted[longest] = truncateText(current, Math.max(1 + ELLIPSIS.length, current.length - excess));
  }
  return fitted;
}

const URGENCY_LABELS: Record<'de' | 'en', Record<Urgency, string>> = {
  de: { info: 'Info', important: 'Wichtig', emergency: 'Notfall' },
  en: { info: 'Info', important: 'Important', emergency: 'Emergency' },
};

const templateLocale = (languageCode: string): Locale => (languageCode.toLowerCase().startsWith('de') ? 'de' : 'en');

/** Citizens read the urgency in the template's language, not our enum value. */
function urgencyLabel(urgency: Urgency, languageCode: string): string {
  const language = languageCode.toLowerCase().startsWith('de') ? 'de' : 'en';
  return URGENCY_LABELS[language][urgency];
}

function parameterValue(source: TemplateParameterSource, content: AnnouncementContent, languageCode: string): string {
  switch (source) {
    case 'title':
      // A follow-up says which news it continues: "Entwarnung: Sturmwarnung – Sturm vorbei".
      return titleWithFollowUp(content, templateLocale(languageCode));
    case 'text':
      return content.text;
    case 'url':
      return content.url ?? '';
    case 'urgency':
      // An all-clear of an emergency is urgent, but it is no warning.
      return content.followUp?.kind === 'all-clear' ? followUpTexts.allClearLabel[templateLocale(languageCode)] : urgencyLabel(content.urgency, languageCode);
    case 'topic':
      return content.topicNames.join(', ');
    case 'town':
      return content.townName;
  }
}

function textParameters(configs: TemplateParameterConfig[], values: string[]): TextParameter[] {
  return configs.map((config, index) =>
    config.name ? { type: 'text', parameter_name: config.name, text: values[index] } : { type: 'text', text: values[index] }
  );
}

function bodyComponent(configs: TemplateParameterConfig[], content: AnnouncementContent, languageCode: string, staticTextAllowance: number): TemplateComponent[] {
  if (!configs.length) return [];
  const cleaned = configs.map((config) => cleanTemplateParameter(parameterValue(config.source, content, languageCode)));
  const fitted = fitParametersToBudget(cleaned, TEMPLATE_BODY_MAX_LENGTH - staticTextAllowance);
  return [{ type: 'body', parameters: textParameters(configs, fitted) }];
}

function urlButtonSuffix(url: string | null, prefix: string | undefined): string {
  if (!url) throw new WhatsappPayloadError('url-missing', 'The announcement has no URL, but the WhatsApp template has a URL button.');
  let suffix = url;
  if (prefix) {
    if (!url.startsWith(prefix)) {
      throw new WhatsappPayloadError('url-prefix-mismatch', `The announcement URL does not start with the URL button prefix ${prefix}.`);
    }
    suffix = url.slice(prefix.length);
  }
  if (suffix.length > URL_BUTTON_SUFFIX_MAX_LENGTH) {
    throw new WhatsappPayloadError('url-too-long', `The announcement URL is longer than ${URL_BUTTON_SUFFIX_MAX_LENGTH} characters.`);
  }
  return suffix;
}

function envelope(to: string, deliveryRef?: string): RequestEnvelope {
  const base: RequestEnvelope = { messaging_product: 'whatsapp', recipient_type: 'individual', ...recipientFields(to) };
  return deliveryRef ? { ...base, biz_opaque_callback_data: deliveryRef } : base;
}

export interface AnnouncementPayloadOptions {
  /** Characters of the body reserved for the template's fixed wording. */
  staticTextAllowance?: number;
}

/**
 * The announcement as an approved template message: outside the 24 h window nothing else may
 * be sent. Throws `WhatsappPayloadError` when the URL does not fit the template's URL button.
 */
export function buildAnnouncementRequest(
  message: Extract<OutboundMessage, { kind: 'announcement' }>,
  template: WhatsappConfig['templates']['announcement'],
  options: AnnouncementPayloadOptions = {}
): TemplateMessageRequest {
  const { content } = message;
  const components: TemplateComponent[] = [];
  if (template.header.length) {
    const values = template.header.map((config) => cleanTemplateParameter(parameterValue(config.source, content, template.language), HEADER_PARAMETER_MAX_LENGTH));
    components.push({ type: 'header', parameters: textParameters(template.header, values) });
  }
  components.push(...bodyComponent(template.body, content, template.language, options.staticTextAllowance ?? TEMPLATE_STATIC_TEXT_ALLOWANCE));
  if (template.urlButtonIndex !== undefined) {
    components.push({
      type: 'button',
      sub_type: 'url',
      index: String(template.urlButtonIndex),
      parameters: [{ type: 'text', text: urlButtonSuffix(content.url, template.urlButtonPrefix) }],
    });
  }
  return {
    ...envelope(message.to, message.deliveryRef),
    type: 'template',
    template: { name: template.name, language: { code: template.language }, components },
  };
}

/**
 * The double opt-in request: a template whose quick-reply button returns `CONFIRM:<token>`,
 * so confirming is one tap and needs no link. Body parameters other than `town` have nothing
 * to show here and are sent as a dash.
 */
export function buildConfirmationRequest(
  message: Extract<OutboundMessage, { kind: 'confirmation' }>,
  template: WhatsappConfig['templates']['confirmation']
): TemplateMessageRequest {
  const content: AnnouncementContent = { title: '', text: '', url: null, urgency: 'info', topicNames: [], townName: message.townName };
  return {
    ...envelope(message.to, message.deliveryRef),
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      components: [
        ...bodyComponent(template.body, content, template.language, TEMPLATE_STATIC_TEXT_ALLOWANCE),
        {
          type: 'button',
          sub_type: 'quick_reply',
          index: String(template.quickReplyIndex),
          parameters: [{ type: 'payload', payload: `${CONFIRMATION_PAYLOAD_PREFIX}${message.token}` }],
        },
      ],
    },
  };
}

/** Free text; only deliverable inside the citizen's 24 h customer-service window. */
export function buildTextRequest(message: Extract<OutboundMessage, { kind: 'text' }>): TextMessageRequest {
  return {
    ...envelope(message.to, message.deliveryRef),
    type: 'text',
    text: { preview_url: true, body: truncateText(message.text, TEXT_BODY_MAX_LENGTH) },
  };
}

/**
 * The template for one citizen language: `templates.byLanguage[language]` names another approved
 * template (Meta keeps one per name and language); its placeholders and buttons are the main
 * template's. A language without an entry uses the main template.
 */
export function templateFor<Kind extends 'announcement' | 'confirmation'>(templates: WhatsappConfig['templates'], kind: Kind, language: Language | undefined): WhatsappConfig['templates'][Kind] {
  const chosen = language ? templates.byLanguage[language]?.[kind] : undefined;
  return chosen ? { ...templates[kind], name: chosen.name, language: chosen.language } : templates[kind];
}

/** Every template the config names, per kind and citizen language (the template-status check looks for each). */
export function configuredTemplates(templates: WhatsappConfig['templates']) {
  const entries: Array<{ kind: 'announcement' | 'confirmation'; forLanguage: Language | null; template: WhatsappConfig['templates']['announcement'] | WhatsappConfig['templates']['confirmation'] }> = [
    { kind: 'announcement', forLanguage: null, template: templates.announcement },
    { kind: 'confirmation', forLanguage: null, template: templates.confirmation },
  ];
  for (const language of LANGUAGES) {
    for (const kind of ['announcement', 'confirmation'] as const) {
      if (templates.byLanguage[language]?.[kind]) entries.push({ kind, forLanguage: language, template: templateFor(templates, kind, language) });
    }
  }
  return entries;
}

/** The request body for any outbound message. */
export function buildMessageRequest(message: OutboundMessage, templates: WhatsappConfig['templates']): WhatsappMessageRequest {
  switch (message.kind) {
    case 'announcement':
      return buildAnnouncementRequest(message, templateFor(templates, 'announcement', message.locale));
    case 'confirmation':
      return buildConfirmationRequest(message, templateFor(templates, 'confirmation', message.locale));
    case 'text':
      return buildTextRequest(message);
  }
}
