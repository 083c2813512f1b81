'use strict';

const ARTICLE = 'api::article.article';

/**
 * The article's link is https://musterstadt.example/news/{slug}: an editor who publishes without
 * pressing the slug field's regenerate button would send a broken link. So an article saved
 * without a slug gets one from its title, unique, the way the content manager generates it.
 */
function fillArticleSlug(strapi) {
  strapi.documents.use(async (context, next) => {
    if (context.uid === ARTICLE && (context.action === 'create' || context.action === 'update')) {
      const data = context.params.data;
      if (data && typeof data.title === 'string' && data.title.trim() && (data.slug === undefined || data.slug === null || data.slug === '')) {
        const existing =
          context.action === 'update' && data.slug === undefined
            ? await strapi.db.query(ARTICLE).findOne({ where: { documentId: context.params.documentId }, select: ['slug'] })
            : null;
        if (!existing?.slug) {
          data.slug = await strapi
            .plugin('content-manager')
            .service('uid')
            .generateUIDField({ contentTypeUID: ARTICLE, field: 'slug', data, locale: context.params.locale });
        }
      }
    }
    return next();
  });
}

module.exports = { fillArticleSlug, ARTICLE };
