/** What the plugin says to citizens, in German and English. Town-specific texts come from config. */
export type Locale = 'de' | 'en';

export const texts = {
  welcome: {
    de: (town: string) => `Willkommen bei den Nachrichten von ${town}! Sie erhalten ab jetzt unsere Meldungen. Mit STOP melden Sie sich jederzeit ab, mit THEMEN sehen Sie Ihre Themen, mit HILFE erhalten Sie Hilfe.`,
    en: (town: string) => `Welcome to the news of ${town}! You will now receive our announcements. Write STOP to leave at any time, TOPICS (THEMEN) for your topics, HELP for help.`,
  },
  unsubscribed: {
    de: (town: string) => `Sie sind von den Nachrichten von ${town} abgemeldet und erhalten keine Meldungen mehr. Mit START melden Sie sich wieder an.`,
    en: (town: string) => `You have left the news of ${town} and will receive no more messages. Write START to come back.`,
  },
  help: {
    de: (town: string, privacyUrl: string) => `Nachrichten von ${town}. STOP: abmelden. START: anmelden. THEMEN: Ihre Themen. Datenschutz: ${privacyUrl}`,
    en: (town: string, privacyUrl: string) => `News of ${town}. STOP: leave. START: join. THEMEN: your topics. Privacy: ${privacyUrl}`,
  },
  topics: {
    de: (mine: string[], all: string[]) => `Ihre Themen: ${mine.length ? mine.join(', ') : 'alle Meldungen'}. Verfügbar: ${all.join(', ') || '–'}.`,
    en: (mine: string[], all: string[]) => `Your topics: ${mine.length ? mine.join(', ') : 'all news'}. Available: ${all.join(', ') || '–'}.`,
  },
  changeTopics: {
    de: (url: string) => `Themen ändern oder einen anderen Kanal wählen: ${url}`,
    en: (url: string) => `Change topics or choose another channel: ${url}`,
  },
  notSubscribed: {
    de: (signupUrl: string) => `Sie sind (noch) nicht angemeldet. Melden Sie sich hier an: ${signupUrl}`,
    en: (signupUrl: string) => `You are not subscribed (yet). Sign up here: ${signupUrl}`,
  },
  wrongCode: {
    de: () => 'Dieser Code passt nicht. Bitte nutzen Sie den Link von der Anmeldeseite.',
    en: () => 'This code does not match. Please use the link from the sign-up page.',
  },
} as const;

export const localeOf = (value: string | null | undefined): Locale => (value === 'en' ? 'en' : 'de');
