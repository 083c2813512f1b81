import { validationError } from '../http/errors';
import type { Context, Next } from 'koa';

/** Public JSON bodies are small; anything larger is refused before it is looked at. */
export default (config: { maxBytes?: number } | undefined) => {
  const maxBytes = config?.maxBytes ?? 8 * 1024;
  return async (ctx: Context, next: Next) => {
    const length = Number(ctx.request.get('content-length') || 0);
    if (length > maxBytes) {
      throw validationError(`Request body too large (at most ${maxBytes} bytes)`, {
        errors: [{ path: ['body'], message: 'too large', name: 'ValidationError' }],
      });
    }
    return next();
  };
};
