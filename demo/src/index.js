'use strict';

const TOPICS = [
  { name: 'Verkehr', slug: 'verkehr', description: 'Straßensperrungen, Baustellen, Busverkehr' },
  { name: 'Ratssitzungen', slug: 'ratssitzungen', description: 'Sitzungen und Beschlüsse des Stadtrats' },
  { name: 'Veranstaltungen', slug: 'veranstaltungen', description: 'Feste, Märkte, Vereine' },
  { name: 'Notfälle', slug: 'notfaelle', description: 'Unwetter, Warnungen, Störungen' },
];

const ARTICLES = [
  { title: 'Hauptstraße ab Montag gesperrt', slug: 'hauptstrasse-gesperrt', topic: 'verkehr', urgency: 'important', summary: 'Wegen Kanalarbeiten ist die Hauptstraße vom 14. bis 28. März zwischen Markt und Bahnhof gesperrt. Die Umleitung ist ausgeschildert.' },
  { title: 'Stadtrat tagt am Donnerstag', slug: 'stadtrat-donnerstag', topic: 'ratssitzungen', urgency: 'info', summary: 'Die nächste Sitzung des Stadtrats ist am Donnerstag um 18 Uhr im Rathaus. Auf der Tagesordnung: Haushalt und Radwegekonzept.' },
  { title: 'Frühlingsmarkt auf dem Marktplatz', slug: 'fruehlingsmarkt', topic: 'veranstaltungen', urgency: 'info', summary: 'Am Samstag von 10 bis 17 Uhr laden Vereine und Händler zum Frühlingsmarkt ein.' },
];

module.exports = {
  register() {},

  /** Seeds the demo town once: topics, a few published articles, and an admin to log in with. */
  async bootstrap({ strapi }) {
    const topics = strapi.db.query('plugin::town-crier.topic');
    if ((await topics.count()) === 0) {
      for (const topic of TOPICS) await topics.create({ data: { ...topic, active: true } });
    }
    const articles = strapi.documents('api::article.article');
    if ((await articles.count({})) === 0) {
      for (const article of ARTICLES) await articles.create({ data: article, status: 'published' });
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
