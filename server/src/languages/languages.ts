import { LANGUAGES, isLanguage, type Language } from '../../../shared/languages';
import type { AnnouncementContent } from '../channels/channel';

export { LANGUAGES, LANGUAGE_NAMES, isLanguage, type Language } from '../../../shared/languages';

/**
 * Languages: which one a citizen reads, and which version of a news item they get. Pure
 * functions, called from sign-up, the keyword commands, fan-out's preview counts and the
 * deliver step, so the rule lives in one place (docs/languages.md).
 */

export interface LanguageSettings {
  /** The languages the town offers (config `languages`). */
  languages: readonly Language[];
  /** The town's default language (config `defaultLocale`). */
  defaultLocale: Language;
}

/** A citizen's stored language as the town serves it now: a language the town no longer offers falls back to its default. */
export function citizenLanguage(stored: string | null | undefined, settings: LanguageSettings): Language {
  return isLanguage(stored) && settings.languages.includes(stored) ? stored : settings.defaultLocale;
}

/** A language code a citizen or a link gives (`en`, `EN`, `de-x-ls`); null when it is none of ours. */
export function languageOfCode(value: unknown): Language | null {
  if (typeof value !== 'string') return null;
  const code = value.trim().toLowerCase().replace(/_/g, '-');
  return isLanguage(code) ? code : null;
}

/** The word after `SPRACHE` / `LANGUAGE`, accents and case already folded by the command parser. */
const KEYWORDS: Record<string, Language> = {
  DE: 'de',
  DEUTSCH: 'de',
  GERMAN: 'de',
  EN: 'en',
  ENGLISCH: 'en',
  ENGLISH: 'en',
  LS: 'de-x-ls',
  DEXLS: 'de-x-ls',
  LEICHT: 'de-x-ls',
  LEICHTE: 'de-x-ls',
  EINFACH: 'de-x-ls',
  EASY: 'de-x-ls',
};

export function languageOfKeyword(argument: string | null | undefined): Language | null {
  if (!argument) return null;
  return KEYWORDS[argument.toUpperCase().replace(/[^A-Z]/g, '')] ?? null;
}

/**
 * The citizen language a Strapi i18n locale stands for: `de`, `de-DE`, `de-AT` → `de`;
 * `en`, `en-GB` → `en`; a locale the host created as `de-x-ls` → Leichte Sprache. Null for a
 * locale no citizen reads (its version is kept, nobody gets it).
 */
export function languageOfLocale(locale: string | null | undefined): Language | null {
  if (!locale) return null;
  const exact = languageOfCode(locale);
  if (exact) return exact;
  const primary = locale.toLowerCase().split(/[-_]/)[0];
  return isLanguage(primary) ? primary : null;
}

/** One language's version of a news item, as stored on the announcement (`languageVersions`). */
export interface LanguageVersion {
  title: string;
  text: string;
  url: string | null;
}
export type LanguageVersions = Partial<Record<Language, LanguageVersion>>;

/**
 * The stored `languageVersions` JSON, read: the versions of languages we know with a title and a
 * text (what `announceSource` writes); null when there are none stored.
 */
export function languageVersionsOf(stored: unknown): LanguageVersions | null {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return null;
  const versions: LanguageVersions = {};
  for (const [code, value] of Object.entries(stored)) {
    if (!isLanguage(code) || typeof value !== 'object' || value === null) continue;
    const fields = new Map<string, unknown>(Object.entries(value));
    const [title, text, url] = [fields.get('title'), fields.get('text'), fields.get('url')];
    if (typeof title === 'string' && typeof text === 'string') versions[code] = { title, text, url: typeof url === 'string' ? url : null };
  }
  return versions;
}

/**
 * Which version a citizen gets: their own language; for Leichte Sprache then German (whose
 * plain-language summary, when the news type has one, is stored as the `de-x-ls` version);
 * then the town's default language; then whatever version was published first (the
 * announcement's own title and text).
 */
export function versionChain(language: Language, defaultLocale: Language): Language[] {
  const chain: Language[] = [language];
  if (language === 'de-x-ls') chain.push('de');
  chain.push(defaultLocale);
  return [...new Set(chain)];
}

export function pickVersion(versions: LanguageVersions | null | undefined, language: Language, defaultLocale: Language): { language: Language; version: LanguageVersion } | null {
  for (const candidate of versionChain(language, defaultLocale)) {
    const version = versions?.[candidate];
    if (version) return { language: candidate, version };
  }
  return null;
}

/** The announcement's content in the version the citizen gets (the delivery hook). */
export function contentInLanguage(
  base: AnnouncementContent,
  versions: LanguageVersions | null | undefined,
  citizen: string | null | undefined,
  settings: LanguageSettings
): { content: AnnouncementContent; language: Language } {
  const language = citizenLanguage(citizen, settings);
  const picked = pickVersion(versions, language, settings.defaultLocale);
  if (!picked) return { content: base, language };
  return { content: { ...base, title: picked.version.title, text: picked.version.text, url: picked.version.url ?? base.url }, language };
}

/**
 * Recipients per language for the preview ("17 in English"): stored languages grouped as the
 * deliver step will serve them (a language the town no longer offers counts as the default).
 */
export function countByLanguage(rows: Array<{ locale: string | null; n: number }>, settings: LanguageSettings): Partial<Record<Language, number>> {
  const counts: Partial<Record<Language, number>> = {};
  for (const row of rows) {
    const language = citizenLanguage(row.locale, settings);
    counts[language] = (counts[language] ?? 0) + row.n;
  }
  return Object.fromEntries(LANGUAGES.filter((language) => counts[language]).map((language) => [language, counts[language]])) as Partial<Record<Language, number>>;
}
