'use strict';

const TOPICS = [
  { name: 'Verkehr', slug: 'verkehr', description: 'Straßensperrungen, Baustellen, Busverkehr' },
  { name: 'Ratssitzungen', slug: 'ratssitzungen', description: 'Sitzungen und Beschlüsse des Stadtrats' },
  { name: 'Veranstaltungen', slug: 'veranstaltungen', description: 'Feste, Märkte, Vereine' },
  { name: 'Notfälle', slug: 'notfaelle', description: 'Unwetter, Warnungen, Störungen' },
];

const ARTICLES = [
  { title: 'Hauptstraße ab Montag gesperrt', slug: 'hauptstrasse-gesperrt', topic: 'Verkehr', urgency: 'Wichtig', summary: 'Wegen Kanalarbeiten ist die Hauptstraße vom 14. bis 28. März zwischen Markt und Bahnhof gesperrt. Die Umleitung ist ausgeschildert.', easySummary: 'Die Hauptstraße ist gesperrt. Vom 14. März bis zum 28. März. Autos müssen einen anderen Weg fahren. Schilder zeigen den Weg.' },
  { title: 'Stadtrat tagt am Donnerstag', slug: 'stadtrat-donnerstag', topic: 'Ratssitzungen', urgency: 'Info', summary: 'Die nächste Sitzung des Stadtrats ist am Donnerstag um 18 Uhr im Rathaus. Auf der Tagesordnung: Haushalt und Radwegekonzept.' },
  { title: 'Frühlingsmarkt auf dem Marktplatz', slug: 'fruehlingsmarkt', topic: 'Veranstaltungen', urgency: 'Info', summary: 'Am Samstag von 10 bis 17 Uhr laden Vereine und Händler zum Frühlingsmarkt ein.' },
  // For one village only: reaches Mühlenfeld and the citizens who chose the whole town.
  { title: 'Mühlenweg in Mühlenfeld gesperrt', slug: 'muehlenweg-gesperrt', topic: 'Verkehr', urgency: 'Info', ortsteil: 'Mühlenfeld', summary: 'Wegen Leitungsarbeiten ist der Mühlenweg in Mühlenfeld am Dienstag von 8 bis 16 Uhr gesperrt.' },
  { title: 'Sturmwarnung: Orkanböen am Abend', slug: 'sturmwarnung', topic: 'Notfälle', urgency: 'Notfall', summary: 'Der Deutsche Wetterdienst warnt ab 18 Uhr vor Orkanböen bis 120 km/h. Bitte bleiben Sie im Haus und sichern Sie lose Gegenstände.' },
];

/** The demo's villages (config/plugins.js), as the sign-up stores a citizen's choice: `|slug|`, none for the whole town. */
const VILLAGE_SLUGS = ['altstadt', 'muehlenfeld', 'gross-suederau'];

/**
 * The all-clear of the storm warning, as a draft already marked in the side panel ("Folgemeldung"):
 * publishing it in the demo sends it to exactly the citizens who got the warning, at once, also in quiet hours.
 */
const ALL_CLEAR = { title: 'Sturm vorüber, Straßen wieder frei', slug: 'sturm-vorueber', topic: 'Notfälle', urgency: 'Info', summary: 'Die Unwetterwarnung ist aufgehoben. Die Feuerwehr hat umgestürzte Bäume beseitigt; alle Straßen sind wieder befahrbar.' };

const SOURCES = ['signup-page', 'rathaus-website', 'flyer', 'signup-page', 'facebook'];
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Sandbox only: made-up citizens (numbers from +49 1510 000…, which nobody owns) signed up over the
 * last 60 days, so the admin's statistics, broadcasts and sandbox phone have something to show.
 * Never with a real access token: the demo must not message real numbers.
 */
async function seedDemoCitizens(strapi, topicIds) {
  const subscribers = strapi.db.query('plugin::town-crier.subscriber');
  if (process.env.WHATSAPP_ACCESS_TOKEN || (await subscribers.count()) > 0) return;
  const now = Date.now();
  for (let i = 0; i < 64; i += 1) {
    const confirmedAt = new Date(now - Math.round(((64 - i) / 64) * 60 * DAY_MS) - (i % 7) * 3_600_000);
    const left = i % 9 === 4;
    await subscribers.create({
      data: {
        channel: 'whatsapp',
        address: `+491510000${String(1000 + i)}`,
        status: left ? 'unsubscribed' : 'active',
        locale: i % 10 === 0 ? 'en' : i % 10 === 5 ? 'de-x-ls' : 'de',
        source: SOURCES[i % SOURCES.length],
        topics: i % 3 === 0 ? [] : [topicIds[i % topicIds.length], topicIds[(i * 7) % topicIds.length]].filter((id, index, all) => all.indexOf(id) === index),
        // Every fourth chose the whole town; the others one village each.
        villages: i % 4 === 0 ? null : `|${VILLAGE_SLUGS[i % 4 - 1]}|`,
        consentVersion: '2026-01',
        confirmedAt,
        unsubscribedAt: left ? new Date(confirmedAt.getTime() + 5 * DAY_MS) : null,
      },
    });
  }
}

async function seedAllClearDraft(strapi, articles) {
  const warning = await articles.findFirst({ filters: { slug: 'sturmwarnung' }, status: 'published' });
  const announcement = warning && (await strapi.plugin('town-crier').service('announcements').findBySource('api::article.article', warning.documentId, warning.locale ?? null));
  if (!announcement) return;
  const draft = await articles.create({ data: ALL_CLEAR });
  await strapi.plugin('town-crier').service('follow-ups').setMark('api::article.article', draft.documentId, { originalDocumentId: announcement, kind: 'all-clear', includeNew: false });
}

const { fillArticleSlug } = require('./article-slug');

module.exports = {
  register({ strapi }) {
    fillArticleSlug(strapi);
  },

  /** Seeds the demo town once: topics, made-up citizens (sandbox only), a few published articles, and an admin. */
  async bootstrap({ strapi }) {
    const topics = strapi.db.query('plugin::town-crier.topic');
    if ((await topics.count()) === 0) {
      for (const topic of TOPICS) await topics.create({ data: { ...topic, active: true } });
    }
    const topicIds = (await topics.findMany({ select: ['id'], orderBy: { id: 'asc' } })).map((topic) => topic.id);
    // Before the articles, so their broadcasts reach the made-up citizens in the sandbox.
    await seedDemoCitizens(strapi, topicIds);
    const articles = strapi.documents('api::article.article');
    if ((await articles.count({})) === 0) {
      for (const article of ARTICLES) await articles.create({ data: article, status: 'published' });
      // A demo nicety: a failure here must not stop the demo from starting.
      await seedAllClearDraft(strapi, articles).catch((error) => strapi.log.warn(`demo: no all-clear draft seeded: ${error.message}`));
    }
    const admins = await strapi.db.query('admin::user').count();
    if (admins === 0 && process.env.DEMO_ADMIN_EMAIL !== '') {
      const superAdmin = await strapi.service('admin::role').getSuperAdmin();
      await strapi.service('admin::user').create({
        email: process.env.DEMO_ADMIN_EMAIL || 'admin@musterstadt.example',
        firstname: 'Demo',
        lastname: 'Admin',
        password: process.env.DEMO_ADMIN_PASSWORD || 'Musterstadt-2026',
        registrationToken: null,
        isActive: true,
        roles: superAdmin ? [superAdmin.id] : [],
      });
    }
  },
};
