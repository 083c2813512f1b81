import type { Context, Next } from 'koa';
import { answerWithError, isHttpError } from '../http/errors';

/**
 * First middleware of every plugin route: answers the plugin's own errors in Strapi's error
 * shape, so the status never depends on which `@strapi/utils` copy Strapi's error middleware
 * compares against (see http/errors.ts). Anything else goes on to Strapi's error middleware.
 */
export default () => async (ctx: Context, next: Next) => {
  try {
    await next();
  } catch (error) {
    if (!isHttpError(error)) throw error;
    answerWithError(ctx, error);
  }
};
