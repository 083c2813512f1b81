/**
 * The demo town's admin: German beside English, and German field labels for the demo's own
 * article type (Strapi shows an attribute's name, e.g. "summary", unless the admin has a
 * message `content-manager.content-types.<uid>.<field>` for it).
 */
const ARTICLE = 'content-manager.content-types.api::article.article';

// Strapi opens in English unless the browser remembered another language; a German browser
// gets the German admin from the first visit (the language menu in the profile still switches).
if (typeof window !== 'undefined' && window.localStorage && !window.localStorage.getItem('strapi-admin-language')) {
  const languages = window.navigator.languages || [window.navigator.language || ''];
  if (/^de\b/i.test(languages[0] || '')) window.localStorage.setItem('strapi-admin-language', 'de');
}

export default {
  config: {
    locales: ['de'],
    translations: {
      de: {
        Article: 'Meldung',
        [`${ARTICLE}.title`]: 'Titel',
        [`${ARTICLE}.summary`]: 'Kurztext (geht an die Abonnenten)',
        [`${ARTICLE}.easySummary`]: 'Kurztext in Leichter Sprache (freiwillig)',
        [`${ARTICLE}.body`]: 'Text',
        [`${ARTICLE}.slug`]: 'Adresse (Slug)',
        [`${ARTICLE}.topic`]: 'Thema',
        [`${ARTICLE}.urgency`]: 'Dringlichkeit',
        [`${ARTICLE}.ortsteil`]: 'Ortsteil (leer: alle Ortsteile)',
      },
      en: {
        [`${ARTICLE}.summary`]: 'Summary (sent to subscribers)',
        [`${ARTICLE}.easySummary`]: 'Summary in Leichte Sprache (easy-to-read German, optional)',
        [`${ARTICLE}.urgency`]: 'Urgency',
        [`${ARTICLE}.ortsteil`]: 'Village (empty: the whole town)',
      },
    },
  },
  bootstrap() {},
};
