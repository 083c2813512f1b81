import type { WhatsappConfig } from './whatsapp.config';
import { whatsappStatusTexts } from '../../messages/texts';
import type { MetaTemplate, MetaTemplateComponent } from './whatsapp.business-api';
import { configuredTemplates } from './whatsapp.payloads';

/**
 * Compares the templates the config names with what Meta has, and says what is wrong in plain
 * German and English: missing, not approved, re-categorised, or placeholders that do not match
 * what the plugin fills in (Meta would reject every message with 132000).
 */

export const TEMPLATE_PROBLEMS = ['missing', 'pending', 'rejected', 'paused', 'disabled', 'other-status', 'recategorised', 'parameter-count', 'button-missing'] as const;
export type TemplateProblemCode = (typeof TEMPLATE_PROBLEMS)[number];

export interface TemplateProblem {
  code: TemplateProblemCode;
  /** `announcement` or `confirmation`: which of the plugin's templates. */
  kind: string;
  template: string;
  message: { de: string; en: string };
}

/** A recorded `template_category_update`, newest last. */
export interface CategoryChange {
  templateName: string;
  language: string | null;
  previousCategory: string | null;
  newCategory: string | null;
}

type Texts = typeof whatsappStatusTexts;
const say = <Key extends keyof Texts>(key: Key, ...args: Parameters<Texts[Key]['de']>) => ({
  de: (whatsappStatusTexts[key].de as (...values: unknown[]) => string)(...args),
  en: (whatsappStatusTexts[key].en as (...values: unknown[]) => string)(...args),
});

/** Distinct placeholders in a template text: `{{1}}`, `{{2}}` or named `{{titel}}`. */
export function placeholderCount(text: string | undefined): number {
  if (!text) return 0;
  return new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((match) => match[1])).size;
}

const component = (template: MetaTemplate, type: string): MetaTemplateComponent | undefined =>
  template.components.find((candidate) => candidate.type.toUpperCase() === type);

/** Meta names languages `de`, `de_DE`, `en_US`; the config usually says `de`. */
const sameLanguage = (a: string, b: string) => a.toLowerCase().replace('-', '_') === b.toLowerCase().replace('-', '_');

export function templateProblems(templates: WhatsappConfig['templates'], atMeta: MetaTemplate[], categoryChanges: CategoryChange[] = []): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  // The main templates and every per-language one (`templates.byLanguage`); a template named twice is checked once.
  const expected = configuredTemplates(templates)
    .map(({ kind, template }) =>
      kind === 'announcement'
        ? { kind, name: template.name, language: template.language, header: templates.announcement.header.length, body: templates.announcement.body.length, button: templates.announcement.urlButtonIndex === undefined ? null : { type: 'URL', index: templates.announcement.urlButtonIndex } }
        : { kind, name: template.name, language: template.language, header: 0, body: templates.confirmation.body.length, button: { type: 'QUICK_REPLY', index: templates.confirmation.quickReplyIndex } }
    )
    .filter((wanted, index, all) => all.findIndex((other) => other.kind === wanted.kind && other.name === wanted.name && sameLanguage(other.language, wanted.language)) === index);
  for (const wanted of expected) {
    const add = (code: TemplateProblemCode, message: { de: string; en: string }) => problems.push({ code, kind: wanted.kind, template: wanted.name, message });
    const found = atMeta.find((template) => template.name === wanted.name && sameLanguage(template.language, wanted.language));
    if (!found) {
      add('missing', say('missing', wanted.name, wanted.language));
      continue;
    }
    const status = found.status.toUpperCase();
    if (status === 'PENDING' || status === 'IN_APPEAL') add('pending', say('pending', wanted.name));
    else if (status === 'REJECTED') add('rejected', say('rejected', wanted.name, ''));
    else if (status === 'PAUSED') add('paused', say('paused', wanted.name));
    else if (status === 'DISABLED') add('disabled', say('disabled', wanted.name));
    else if (status !== 'APPROVED') add('other-status', say('otherStatus', wanted.name, status));

    const change = [...categoryChanges].reverse().find((entry) => entry.templateName === wanted.name && (!entry.language || sameLanguage(entry.language, wanted.language)));
    if (change?.newCategory && change.previousCategory && change.newCategory !== change.previousCategory) {
      add('recategorised', say('recategorised', wanted.name, change.previousCategory, change.newCategory));
    }

    const bodyAtMeta = placeholderCount(component(found, 'BODY')?.text);
    if (bodyAtMeta !== wanted.body) add('parameter-count', say('parameterCount', wanted.name, 'body', bodyAtMeta, wanted.body));
    const header = component(found, 'HEADER');
    const headerAtMeta = header && (header.format ?? 'TEXT').toUpperCase() === 'TEXT' ? placeholderCount(header.text) : 0;
    if (headerAtMeta !== wanted.header) add('parameter-count', say('parameterCount', wanted.name, 'header', headerAtMeta, wanted.header));
    if (wanted.button) {
      const button = component(found, 'BUTTONS')?.buttons?.[wanted.button.index];
      if (!button || button.type.toUpperCase() !== wanted.button.type) add('button-missing', say('buttonMissing', wanted.name, wanted.button.type, wanted.button.index));
    }
  }
  return problems;
}

/**
 * The two templates the plugin needs, worded as in docs/whatsapp-setup.md, for one-click
 * submission to `POST /<WABA_ID>/message_templates`. Meta decides the category in the end.
 */
export function templateSubmissions(templates: WhatsappConfig['templates'], townName: string) {
  return [
    {
      kind: 'confirmation',
      name: templates.confirmation.name,
      language: templates.confirmation.language,
      category: 'UTILITY',
      components: [
        {
          type: 'BODY',
          text: `Sie haben sich für die Nachrichten der Stadt ${townName} angemeldet. Bitte bestätigen Sie mit dem Knopf unten. Wenn Sie das nicht waren, ignorieren Sie diese Nachricht einfach.`,
        },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ja, anmelden' }] },
      ],
    },
    {
      kind: 'announcement',
      name: templates.announcement.name,
      language: templates.announcement.language,
      category: 'MARKETING',
      components: [
        {
          type: 'BODY',
          text: `Neues aus ${townName}: {{1}}\n\n{{2}}\n\nMehr dazu auf unserer Website. Abmelden: STOP`,
          example: { body_text: [['Straßensperrung Hauptstraße', 'Die Hauptstraße ist vom 14.03. bis 16.03. gesperrt.']] },
        },
      ],
    },
  ];
}
