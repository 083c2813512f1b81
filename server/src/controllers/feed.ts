import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { notFoundError } from '../http/errors';
import { getService } from '../utils/get-service';
import type { FeedFormat } from '../feed/feed.service';

/** GET /feed.xml and /feed.atom: public, cacheable, answered with 304 when the reader is up to date. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const serve = async (ctx: Context, format: FeedFormat) => {
    if (!getService(strapi, 'runtime').config().feed.enabled) throw notFoundError('The news feed is switched off');
    const feed = await getService(strapi, 'feed').render(format);
    ctx.set('Cache-Control', `public, max-age=${getService(strapi, 'runtime').config().feed.maxAgeSeconds}`);
    ctx.set('ETag', feed.etag);
    ctx.set('Last-Modified', feed.lastModified.toUTCString());
    ctx.type = feed.contentType;
    ctx.status = 200;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = feed.body;
  };
  return {
    rss: (ctx: Context) => serve(ctx, 'rss'),
    atom: (ctx: Context) => serve(ctx, 'atom'),
  };
};
