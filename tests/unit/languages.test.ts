import { describe, expect, it } from 'vitest';
import { LANGUAGES, LANGUAGE_NAMES, type Language } from '../../shared/languages';
import { LANGUAGE_KEYWORDS, texts } from '../../server/src/messages/texts';
import { announcementMail, confirmationMail, textMail } from '../../server/src/channels/email/email.content';
import { renderLanguagePage, renderLanguageResult, renderLinkPage, renderLinkResult } from '../../server/src/signup/link-pages';
import { renderSignupPage, scriptCopy } from '../../server/src/signup/page';
import { announcementHtml } from '../../server/src/channels/telegram/telegram.payloads';
import { parseCommand } from '../../server/src/webhooks/inbound-commands.service';
import { citizenLanguage, contentInLanguage, countByLanguage, languageOfKeyword, languageOfLocale, pickVersion } from '../../server/src/languages/languages';
import { pluginConfigSchema } from '../../server/src/config/schema';
import { buildMessageRequest } from '../../server/src/channels/whatsapp/whatsapp.payloads';
import { templateProblems } from '../../server/src/channels/whatsapp/whatsapp.templates';

/**
 * Every text a citizen sees exists in every language a town can enable (German, English,
 * Leichte Sprache), and the Leichte Sprache wording is its own, not a copy of the German.
 */
const content = { title: 'Hauptstraße gesperrt', text: 'Ab Montag gesperrt.', url: 'https://musterstadt.de/a', urgency: 'emergency' as const, topicNames: ['Verkehr'], townName: 'Musterstadt' };
/** Arguments each message takes (a town and a link, or lists of topics or villages). */
const sample = (fn: (...args: never[]) => string) => {
  const call = fn as (...args: unknown[]) => string;
  try {
    return call(['Verkehr'], ['Verkehr', 'Kultur']);
  } catch {
    return call('Musterstadt', 'https://x.de', 'y');
  }
};

describe('citizen texts in every language', () => {
  it('has every message key in every language, none empty', () => {
    for (const [key, byLanguage] of Object.entries(texts)) {
      expect(Object.keys(byLanguage).sort(), key).toEqual([...LANGUAGES].sort());
      for (const language of LANGUAGES) expect(sample(byLanguage[language]).trim().length, `${key}.${language}`).toBeGreaterThan(5);
    }
  });

  it('words Leichte Sprache on its own: no message is the German one', () => {
    const copied = Object.entries(texts).filter(([, byLanguage]) => sample(byLanguage['de-x-ls']) === sample(byLanguage.de));
    expect(copied.map(([key]) => key)).toEqual([]);
  });

  it('keeps Leichte Sprache sentences short', () => {
    for (const [key, byLanguage] of Object.entries(texts)) {
      const sentences = sample(byLanguage['de-x-ls']).split(/(?<=[.?!:])\s+/);
      const long = sentences.filter((sentence) => sentence.replace(/https?:\S+/g, '').split(/\s+/).length > 15);
      expect(long, key).toEqual([]);
    }
  });

  it('has e-mails, link pages, the sign-up page and its script in every language', () => {
    for (const language of LANGUAGES) {
      const mail = announcementMail(content, { unsubscribeUrl: 'https://x.de/u', manageUrl: 'https://x.de/m', languageUrl: 'https://x.de/l' }, language);
      expect(mail.html).toContain(`<html lang="${language}">`);
      expect(mail.text).not.toMatch(/undefined/);
      expect(confirmationMail('Musterstadt', 'https://x.de/c', language).subject).not.toMatch(/undefined/);
      expect(textMail('Musterstadt', 'Hallo', language).subject).toContain('Musterstadt');
      for (const kind of ['confirm', 'unsubscribe'] as const) {
        expect(renderLinkPage(kind, { locale: language, townName: 'Musterstadt', action: '/a', token: 't'.repeat(10) })).not.toMatch(/undefined/);
        expect(renderLinkResult(kind, { locale: language, townName: 'Musterstadt', ok: false })).not.toMatch(/undefined/);
      }
      expect(renderLanguagePage({ locale: language, townName: 'Musterstadt', action: '/a', token: 't'.repeat(10), languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code].own })), current: 'de' })).not.toMatch(/undefined/);
      expect(renderLanguageResult({ locale: language, ok: true })).toContain(`<html lang="${language}">`);
      expect(announcementHtml(content, language)).not.toMatch(/undefined/);
      const page = renderSignupPage({
        locale: language,
        languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code].own, href: `?lang=${code}` })),
        town: { name: 'Musterstadt', kind: 'Stadt' },
        topics: [{ slug: 'verkehr', name: 'Verkehr', description: null }],
        consent: { version: 'v1', text: 'Einwilligung', privacyPolicyUrl: 'https://x.de/p' },
        channels: [{ id: 'whatsapp', label: 'WhatsApp' }, { id: 'email', label: 'E-Mail' }],
        scriptUrl: '/s.js',
        apiUrl: '/api',
      });
      expect(page).not.toMatch(/undefined/);
      expect(page).toContain('aria-current="page"');
      expect(Object.keys(scriptCopy[language]).sort()).toEqual(Object.keys(scriptCopy.de).sort());
    }
    // The script's Leichte Sprache is its own wording too.
    const same = Object.keys(scriptCopy.de).filter((key) => scriptCopy['de-x-ls'][key as keyof typeof scriptCopy.de] === scriptCopy.de[key as keyof typeof scriptCopy.de]);
    expect(same).toEqual(['failed']);
  });

  it('names each language and its keyword', () => {
    for (const language of LANGUAGES) {
      expect(LANGUAGE_NAMES[language].own).toBeTruthy();
      expect(languageOfKeyword(parseCommand(LANGUAGE_KEYWORDS[language])?.argument)).toBe(language);
    }
    expect(parseCommand('Sprache Englisch')).toEqual({ command: 'language', argument: 'ENGLISCH' });
    expect(languageOfKeyword('LEICHTE')).toBe('de-x-ls');
    expect(languageOfKeyword('KLINGONISCH')).toBeNull();
  });
});

describe('which version a citizen gets', () => {
  const settings = { languages: ['de', 'en', 'de-x-ls'] as Language[], defaultLocale: 'de' as Language };
  const v = (title: string) => ({ title, text: `${title} text`, url: null });

  it('maps Strapi locales to citizen languages', () => {
    expect(['de', 'de-DE', 'en', 'en-GB', 'de-x-ls', 'fr', null].map(languageOfLocale)).toEqual(['de', 'de', 'en', 'en', 'de-x-ls', null, null]);
  });

  it('serves own language, then German for Leichte Sprache, then the default, then the first published', () => {
    expect(pickVersion({ de: v('de'), en: v('en') }, 'en', 'de')?.language).toBe('en');
    expect(pickVersion({ de: v('de') }, 'en', 'de')?.language).toBe('de');
    expect(pickVersion({ de: v('de'), 'de-x-ls': v('ls') }, 'de-x-ls', 'en')?.language).toBe('de-x-ls');
    expect(pickVersion({ de: v('de'), en: v('en') }, 'de-x-ls', 'en')?.language).toBe('de');
    expect(pickVersion({ en: v('en') }, 'de', 'de')).toBeNull();
    expect(contentInLanguage(content, { en: v('en') }, 'de', settings).content.title).toBe('Hauptstraße gesperrt');
  });

  it('treats a language the town no longer offers as its default', () => {
    expect(citizenLanguage('de-x-ls', { languages: ['de', 'en'], defaultLocale: 'de' })).toBe('de');
    expect(citizenLanguage(null, { languages: ['de', 'en'], defaultLocale: 'en' })).toBe('en');
    expect(countByLanguage([{ locale: 'de', n: 3 }, { locale: 'en', n: 2 }, { locale: 'de-x-ls', n: 1 }], { languages: ['de', 'en'], defaultLocale: 'de' })).toEqual({ de: 4, en: 2 });
  });
});

describe('languages in the config', () => {
  it('offers German and English by default and refuses a default language the town does not offer', () => {
    expect(pluginConfigSchema.parse({}).languages).toEqual(['de', 'en']);
    const refused = pluginConfigSchema.safeParse({ languages: ['de'], defaultLocale: 'en' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].path).toEqual(['languages']);
    expect(pluginConfigSchema.safeParse({ languages: ['de', 'fr'] }).success).toBe(false);
  });

  it('chooses the WhatsApp template per language and checks each at Meta', () => {
    const whatsapp = pluginConfigSchema.parse({
      channels: { whatsapp: { templates: { byLanguage: { en: { announcement: { name: 'town_news', language: 'en' } }, 'de-x-ls': { announcement: { name: 'town_news_einfach', language: 'de' } } } } } },
    }).channels.whatsapp;
    const request = (locale: Language) => buildMessageRequest({ kind: 'announcement', to: '+4915100000001', deliveryRef: 'd:1', content, locale }, whatsapp.templates);
    expect(request('en')).toMatchObject({ template: { name: 'town_news', language: { code: 'en' } } });
    expect(request('de-x-ls')).toMatchObject({ template: { name: 'town_news_einfach', language: { code: 'de' } } });
    expect(request('de')).toMatchObject({ template: { name: 'town_news', language: { code: 'de' } } });
    const approved = (name: string, language: string) => ({ name, language, status: 'APPROVED', category: 'MARKETING', components: [{ type: 'BODY', text: '{{1}} {{2}}' }] });
    const problems = templateProblems(whatsapp.templates, [approved('town_news', 'de'), approved('town_news', 'en')] as never);
    expect(problems.filter((problem) => problem.code === 'missing').map((problem) => problem.template)).toEqual(['town_news_optin', 'town_news_einfach']);
    expect(pluginConfigSchema.safeParse({ channels: { whatsapp: { templates: { byLanguage: { fr: { announcement: { name: 'x', language: 'fr' } } } } } } }).success).toBe(false);
  });
});
