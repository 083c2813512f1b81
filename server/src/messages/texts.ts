import { LANGUAGE_NAMES, type Language } from '../../../shared/languages';

/**
 * What the plugin says to citizens, in every language a town can enable: German, English and
 * Leichte Sprache (`de-x-ls`: short sentences, one thought each, everyday words). Town-specific
 * texts come from config. tests/unit/languages.test.ts checks every key in every language.
 */
export type Locale = Language;

export const texts = {
  welcome: {
    de: (town: string) => `Willkommen bei den Nachrichten von ${town}! Sie erhalten ab jetzt unsere Meldungen. Mit STOP melden Sie sich jederzeit ab, mit THEMEN sehen Sie Ihre Themen, mit HILFE erhalten Sie Hilfe.`,
    en: (town: string) => `Welcome to the news of ${town}! You will now receive our announcements. Write STOP to leave at any time, TOPICS (THEMEN) for your topics, HELP for help.`,
    'de-x-ls': (town: string) => `Willkommen! Sie bekommen jetzt die Nachrichten von ${town}. Sie wollen keine Nachrichten mehr? Dann schreiben Sie: STOP. Sie brauchen Hilfe? Dann schreiben Sie: HILFE.`,
  },
  unsubscribed: {
    de: (town: string) => `Sie sind von den Nachrichten von ${town} abgemeldet und erhalten keine Meldungen mehr. Mit START melden Sie sich wieder an.`,
    en: (town: string) => `You have left the news of ${town} and will receive no more messages. Write START to come back.`,
    'de-x-ls': (town: string) => `Sie bekommen jetzt keine Nachrichten mehr von ${town}. Sie wollen wieder Nachrichten? Dann schreiben Sie: START.`,
  },
  help: {
    de: (town: string, privacyUrl: string) => `Nachrichten von ${town}. STOP: abmelden. START: anmelden. THEMEN: Ihre Themen. SPRACHE: Ihre Sprache. Datenschutz: ${privacyUrl}`,
    en: (town: string, privacyUrl: string) => `News of ${town}. STOP: leave. START: join. THEMEN: your topics. LANGUAGE: your language. Privacy: ${privacyUrl}`,
    'de-x-ls': (town: string, privacyUrl: string) => `Das sind die Nachrichten von ${town}. Sie schreiben STOP: Sie bekommen keine Nachrichten mehr. Sie schreiben START: Sie bekommen wieder Nachrichten. Sie schreiben THEMEN: Sie sehen Ihre Themen. Sie schreiben SPRACHE: Sie können die Sprache ändern. Hier steht, was mit Ihren Daten passiert: ${privacyUrl}`,
  },
  topics: {
    de: (mine: string[], all: string[]) => `Ihre Themen: ${mine.length ? mine.join(', ') : 'alle Meldungen'}. Verfügbar: ${all.join(', ') || '–'}.`,
    en: (mine: string[], all: string[]) => `Your topics: ${mine.length ? mine.join(', ') : 'all news'}. Available: ${all.join(', ') || '–'}.`,
    'de-x-ls': (mine: string[], all: string[]) => `Ihre Themen sind: ${mine.length ? mine.join(', ') : 'alle Nachrichten'}. Diese Themen gibt es: ${all.join(', ') || '–'}.`,
  },
  /** THEMEN, in a town with villages: the citizen's villages and how to change them. */
  villages: {
    de: (mine: string[], all: string[]) =>
      `Ihre Ortsteile: ${mine.length ? mine.join(', ') : 'alle Ortsteile'}. Ortsteile: ${all.join(', ')}. Ändern: THEMEN und die Ortsteile, z. B. „THEMEN ${all.slice(0, 2).join(', ')}“, oder THEMEN ALLE für alle Ortsteile.`,
    en: (mine: string[], all: string[]) =>
      `Your villages: ${mine.length ? mine.join(', ') : 'all villages'}. Villages: ${all.join(', ')}. To change: THEMEN and the villages, e.g. “THEMEN ${all.slice(0, 2).join(', ')}”, or THEMEN ALL for all villages.`,
    'de-x-ls': (mine: string[], all: string[]) =>
      `Ihre Ortsteile sind: ${mine.length ? mine.join(', ') : 'alle Ortsteile'}. Diese Ortsteile gibt es: ${all.join(', ')}. Sie wollen andere Ortsteile? Dann schreiben Sie THEMEN und die Ortsteile. Zum Beispiel: THEMEN ${all.slice(0, 2).join(', ')}. Sie wollen alle Ortsteile? Dann schreiben Sie: THEMEN ALLE.`,
  },
  villagesChanged: {
    de: (mine: string[]) => (mine.length ? `Sie erhalten jetzt Meldungen für: ${mine.join(', ')} (und Meldungen für alle Ortsteile).` : 'Sie erhalten jetzt die Meldungen aus allen Ortsteilen.'),
    en: (mine: string[]) => (mine.length ? `You now get the news for: ${mine.join(', ')} (and news for all villages).` : 'You now get the news from all villages.'),
    'de-x-ls': (mine: string[]) =>
      mine.length ? `Sie bekommen jetzt die Nachrichten für: ${mine.join(', ')}. Und die Nachrichten für alle Ortsteile.` : 'Sie bekommen jetzt die Nachrichten aus allen Ortsteilen.',
  },
  unknownVillage: {
    de: (unknown: string[], all: string[]) => `Diesen Ortsteil kennen wir nicht: ${unknown.join(', ')}. Nichts geändert. Ortsteile: ${all.join(', ')}.`,
    en: (unknown: string[], all: string[]) => `We do not know this village: ${unknown.join(', ')}. Nothing changed. Villages: ${all.join(', ')}.`,
    'de-x-ls': (unknown: string[], all: string[]) => `Diesen Ortsteil gibt es nicht: ${unknown.join(', ')}. Wir haben nichts geändert. Diese Ortsteile gibt es: ${all.join(', ')}.`,
  },
  /** An active address signed up again without its manage link: the owner makes the change there; a stranger's try changes nothing. */
  changeRequest: {
    de: (town: string, url: string) =>
      `Mit Ihrer Adresse wurde eine neue Anmeldung für die Nachrichten von ${town} abgeschickt. Sie sind schon angemeldet, und es hat sich nichts geändert. Möchten Sie Ihre Themen, Ortsteile oder Sprache ändern? Bestätigen Sie Ihre Änderung über diesen Link: Dort sehen Sie Ihre Auswahl, ändern sie und tippen auf „Anmelden“. Die Änderung gilt dann sofort: ${url} Waren Sie das nicht, brauchen Sie nichts zu tun.`,
    en: (town: string, url: string) =>
      `A new sign-up for the news of ${town} was sent with your address. You are subscribed already, and nothing has changed. Do you want to change your topics, villages or language? Confirm your change with this link: it shows your choice; change it and tap “Subscribe”, and it takes effect at once: ${url} If this was not you, there is nothing to do.`,
    'de-x-ls': (town: string, url: string) =>
      `Jemand hat Ihre Adresse für die Nachrichten von ${town} angemeldet. Sie sind schon angemeldet. Es hat sich nichts geändert. Sie wollen andere Themen oder Ortsteile? Dann öffnen Sie diesen Link: ${url} Dort wählen Sie neu. Das waren nicht Sie? Dann müssen Sie nichts tun.`,
  },
  changeTopics: {
    de: (url: string) => `Themen ändern oder einen anderen Kanal wählen: ${url}`,
    en: (url: string) => `Change topics or choose another channel: ${url}`,
    'de-x-ls': (url: string) => `Sie wollen andere Themen? Dann öffnen Sie diesen Link: ${url}`,
  },
  notSubscribed: {
    de: (signupUrl: string) => `Sie sind (noch) nicht angemeldet. Melden Sie sich hier an: ${signupUrl}`,
    en: (signupUrl: string) => `You are not subscribed (yet). Sign up here: ${signupUrl}`,
    'de-x-ls': (signupUrl: string) => `Sie sind noch nicht angemeldet. Hier können Sie sich anmelden: ${signupUrl}`,
  },
  /** The one-time hint on another channel after WhatsApp said the number cannot receive our messages (130472, 131026). */
  whatsappUnreachableHint: {
    de: (town: string) => `Unsere WhatsApp-Nachrichten (${town}) erreichen Sie zurzeit nicht. Sie bekommen die Nachrichten der Gemeinde weiter über diesen Kanal.`,
    en: (town: string) => `Our WhatsApp messages (${town}) cannot reach you at the moment. You keep getting the town’s news on this channel.`,
    'de-x-ls': (town: string) => `Nachrichten von ${town} kommen bei Ihnen gerade nicht über WhatsApp an. Sie bekommen die Nachrichten weiter hier.`,
  },
  wrongCode: {
    de: () => 'Dieser Code passt nicht. Bitte nutzen Sie den Link von der Anmeldeseite.',
    en: () => 'This code does not match. Please use the link from the sign-up page.',
    'de-x-ls': () => 'Der Code ist falsch. Bitte öffnen Sie den Link von der Anmelde-Seite.',
  },
  /** The answer to `SPRACHE EN`: written in the new language. */
  languageChanged: {
    de: () => 'Sie erhalten unsere Nachrichten ab jetzt auf Deutsch.',
    en: () => 'From now on you will receive our news in English.',
    'de-x-ls': () => 'Sie bekommen die Nachrichten jetzt in Leichter Sprache.',
  },
  /** `SPRACHE` alone, or a language the town does not offer: lists the choices as keywords. */
  languageChoices: {
    de: (choices: string) => `Ihre Sprache: Deutsch. Zum Ändern schreiben Sie zum Beispiel: ${choices}`,
    en: (choices: string) => `Your language: English. To change it, write for example: ${choices}`,
    'de-x-ls': (choices: string) => `Ihre Sprache ist: Leichte Sprache. Sie wollen eine andere Sprache? Dann schreiben Sie: ${choices}`,
  },
} as const satisfies Record<string, Record<Language, (...args: never[]) => string>>;

/** The keyword that switches to each language, as `languageChoices` lists it. */
export const LANGUAGE_KEYWORDS: Record<Language, string> = { de: 'SPRACHE DE', en: 'LANGUAGE EN', 'de-x-ls': 'SPRACHE LS' };

/** A language a text table has; anything else (an old row, a language no longer offered) reads German. */
export const localeOf = (value: string | null | undefined): Locale => (value === 'en' || value === 'de-x-ls' ? value : 'de');

export { LANGUAGE_NAMES };

/**
 * How a follow-up names the news it continues, on every channel: "Update zu: Sturmwarnung",
 * "Entwarnung: Sturmwarnung". WhatsApp uses it in the template's language.
 */
export const followUpTexts = {
  update: {
    de: (original: string) => `Update zu: ${original}`,
    en: (original: string) => `Update on: ${original}`,
    'de-x-ls': (original: string) => `Neues zu: ${original}`,
  },
  'all-clear': {
    de: (original: string) => `Entwarnung: ${original}`,
    en: (original: string) => `All-clear: ${original}`,
    'de-x-ls': (original: string) => `Keine Gefahr mehr: ${original}`,
  },
  original: { de: 'Die ursprüngliche Meldung', en: 'The original news', 'de-x-ls': 'Die erste Nachricht' },
  /** An all-clear's word where the urgency stands (WhatsApp's `urgency` parameter). */
  allClearLabel: { de: 'Entwarnung', en: 'All-clear', 'de-x-ls': 'Keine Gefahr mehr' },
} as const;

/** The line that says which news a follow-up continues, or null for an original. */
export function followUpLine(followUp: { kind: 'update' | 'all-clear'; originalTitle: string } | undefined, locale: Locale): string | null {
  return followUp ? followUpTexts[followUp.kind][locale](followUp.originalTitle) : null;
}

/** A follow-up's title as channels without a separate line show it: "Entwarnung: Sturmwarnung – Sturm vorbei". */
export function titleWithFollowUp(content: { title: string; followUp?: { kind: 'update' | 'all-clear'; originalTitle: string } }, locale: Locale): string {
  const line = followUpLine(content.followUp, locale);
  if (!line) return content.title;
  return content.title.trim() === content.followUp?.originalTitle.trim() ? line : `${line} – ${content.title}`;
}


/** What the channel status tells the town about its WhatsApp templates and account, in German and English. */
export const whatsappStatusTexts = {
  missing: {
    de: (name: string, language: string) => `Die Vorlage „${name}“ (${language}) gibt es bei Meta nicht. Legen Sie sie im WhatsApp Manager an oder reichen Sie sie hier ein.`,
    en: (name: string, language: string) => `Meta has no template “${name}” (${language}). Create it in WhatsApp Manager or submit it here.`,
  },
  pending: {
    de: (name: string) => `Die Vorlage „${name}“ wird von Meta noch geprüft (bis zu 24 Stunden). Bis dahin wird damit nichts zugestellt.`,
    en: (name: string) => `Meta is still reviewing the template “${name}” (up to 24 hours). Nothing is delivered with it until then.`,
  },
  rejected: {
    de: (name: string, reason: string) => `Meta hat die Vorlage „${name}“ abgelehnt${reason ? ` (Grund: ${reason})` : ''}. Mit ihr kann nichts gesendet werden.`,
    en: (name: string, reason: string) => `Meta rejected the template “${name}”${reason ? ` (reason: ${reason})` : ''}. Nothing can be sent with it.`,
  },
  paused: {
    de: (name: string) => `Meta hat die Vorlage „${name}“ wegen schlechter Bewertungen pausiert (erst 3, dann 6 Stunden). Versände warten so lange.`,
    en: (name: string) => `Meta paused the template “${name}” for low quality (3 hours, then 6). Broadcasts wait meanwhile.`,
  },
  disabled: {
    de: (name: string) => `Meta hat die Vorlage „${name}“ gesperrt (zu oft pausiert). Legen Sie eine neue Vorlage an.`,
    en: (name: string) => `Meta disabled the template “${name}” (paused too often). Create a new template.`,
  },
  otherStatus: {
    de: (name: string, status: string) => `Die Vorlage „${name}“ hat bei Meta den Status ${status}.`,
    en: (name: string, status: string) => `The template “${name}” has the status ${status} at Meta.`,
  },
  recategorised: {
    de: (name: string, from: string, to: string) => `Meta hat die Vorlage „${name}“ von ${from} zu ${to} umgestuft. Das ändert den Preis pro Nachricht${to === 'MARKETING' ? ' und unterwirft sie Metas Marketing-Obergrenzen pro Person' : ''}.`,
    en: (name: string, from: string, to: string) => `Meta re-categorised the template “${name}” from ${from} to ${to}. This changes the price per message${to === 'MARKETING' ? ' and subjects it to Meta’s per-person marketing caps' : ''}.`,
  },
  parameterCount: {
    de: (name: string, part: string, atMeta: number, configured: number) => `Die Vorlage „${name}“ hat im ${part === 'header' ? 'Kopf' : 'Text'} ${atMeta} Platzhalter, konfiguriert sind ${configured}. Meta würde jede Nachricht ablehnen (Fehler 132000).`,
    en: (name: string, part: string, atMeta: number, configured: number) => `The template “${name}” has ${atMeta} placeholder(s) in its ${part}, the configuration fills ${configured}. Meta would reject every message (error 132000).`,
  },
  buttonMissing: {
    de: (name: string, kind: string, index: number) => `Die Vorlage „${name}“ hat an Position ${index + 1} keinen ${kind === 'URL' ? 'Link-Knopf' : 'Antwort-Knopf'}, die Konfiguration erwartet einen.`,
    en: (name: string, kind: string, index: number) => `The template “${name}” has no ${kind === 'URL' ? 'link' : 'quick-reply'} button at position ${index + 1}, but the configuration expects one.`,
  },
  unreadable: {
    de: (error: string) => `Die Vorlagen und Limits konnten bei Meta nicht gelesen werden: ${error}`,
    en: (error: string) => `Templates and limits could not be read from Meta: ${error}`,
  },
  noBusinessAccount: {
    de: () => 'Keine WhatsApp-Business-Konto-ID (businessAccountId) eingetragen: Vorlagen und Limits können nicht bei Meta gelesen werden.',
    en: () => 'No WhatsApp Business Account id (businessAccountId) configured: templates and limits cannot be read from Meta.',
  },
  versionEnding: {
    de: (version: string, date: string, days: number) => `Die Graph-API-Version ${version} wird am ${date} abgeschaltet (in ${days} Tagen). Stellen Sie apiVersion auf eine neuere Version um.`,
    en: (version: string, date: string, days: number) => `Graph API version ${version} is retired on ${date} (in ${days} days). Move apiVersion to a newer version.`,
  },
  versionRetired: {
    de: (version: string, date: string) => `Die Graph-API-Version ${version} ist seit ${date} abgeschaltet. Stellen Sie apiVersion sofort um.`,
    en: (version: string, date: string) => `Graph API version ${version} was retired on ${date}. Change apiVersion now.`,
  },
} as const;
