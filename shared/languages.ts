/**
 * The languages a citizen can choose, declared once for the server (config, sign-up, keywords,
 * fan-out) and the admin (the side panel's "17 in English"). `de-x-ls` is Leichte Sprache
 * (easy-to-read German, BITV 2.0): a private-use BCP 47 tag, since the registry has none.
 * Every citizen-facing text exists in each of these (tests/unit/languages.test.ts); a new
 * language is added here and in every text table the test names.
 */
export const LANGUAGES = ['de', 'en', 'de-x-ls'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** Each language's name, in German and English (the admin), and in itself (the sign-up page's choice). */
export const LANGUAGE_NAMES: Record<Language, { de: string; en: string; own: string }> = {
  de: { de: 'Deutsch', en: 'German', own: 'Deutsch' },
  en: { de: 'Englisch', en: 'English', own: 'English' },
  'de-x-ls': { de: 'Leichte Sprache', en: 'Easy-to-read German', own: 'Leichte Sprache' },
};
