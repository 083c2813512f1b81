import { Readable } from 'node:stream';
import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';
import { PLUGIN_ID } from '../constants';
import { answerWithError, payloadTooLargeError } from '../http/errors';

/** Public sign-up, confirm and unsubscribe bodies, and Web Push's unsubscribe and renew: nothing a citizen sends needs more. */
export const PUBLIC_BODY_MAX_BYTES = 8 * 1024;
/**
 * Provider webhooks: Meta batches up to 1,000 updates in one POST; a failed status with its
 * error and 512 characters of callback data is about 1.2 KB, a text message up to 4,096
 * characters about 5 KB. 8 MB holds the largest batch with room, and nothing beyond.
 */
export const WEBHOOK_BODY_MAX_BYTES = 8 * 1024 * 1024;

const tooLarge = (maxBytes: number) => payloadTooLargeError(`Request body too large (at most ${maxBytes} bytes)`, { maxBytes });

/**
 * The plugin's body limits, enforced before Strapi's body parser looks at a byte. `register`
 * places this in the application's middleware list right before `strapi::body` (it must run
 * before parsing, which route middlewares cannot), and it only acts on the plugin's public POST
 * routes. A declared `Content-Length` over the limit is refused on the header; a body without
 * one (chunked) is counted while it arrives and refused as soon as it passes the limit; a body
 * within the limit is handed on to the parser unchanged.
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const prefix = `${strapi.config.get('api.rest.prefix', '/api')}/${PLUGIN_ID}/`;
  const limitOf = (path: string): number | null => {
    if (!path.startsWith(prefix)) return null;
    const rest = path.slice(prefix.length);
    if (rest.startsWith('webhooks/')) return WEBHOOK_BODY_MAX_BYTES;
    if (rest.startsWith('subscriptions') || rest.startsWith('webpush/')) return PUBLIC_BODY_MAX_BYTES;
    return null;
  };

  return async (ctx: Context, next: Next) => {
    const maxBytes = ctx.method === 'POST' ? limitOf(ctx.path) : null;
    if (maxBytes === null) return next();
    const declared = ctx.request.get('content-length');
    if (declared) {
      if (Number(declared) > maxBytes) {
        ctx.set('Connection', 'close');
        // Application-level: it answers in Strapi's shape itself rather than relying on which
        // @strapi/utils copy Strapi's error middleware recognises (docs/architecture.md).
        return answerWithError(ctx, tooLarge(maxBytes));
      }
      return next();
    }
    if (!ctx.request.get('transfer-encoding')) return next();

    // Chunked: read it here, counting, and stop at the limit.
    const chunks: Buffer[] = [];
    let size = 0;
    const over = await new Promise<boolean>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          cleanup();
          ctx.req.pause();
          resolve(true);
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve(false);
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        ctx.req.off('data', onData);
        ctx.req.off('end', onEnd);
        ctx.req.off('error', onError);
      };
      ctx.req.on('data', onData);
      ctx.req.on('end', onEnd);
      ctx.req.on('error', onError);
    });
    if (over) {
      ctx.set('Connection', 'close');
      return answerWithError(ctx, tooLarge(maxBytes));
    }
    // Hand the parser the same bytes, now with their length, as the request it reads from.
    const body = Buffer.concat(chunks);
    const stream = new Readable({ read() {} });
    stream.push(body);
    stream.push(null);
    const replay = Object.assign(stream, {
      headers: { ...ctx.req.headers, 'content-length': String(body.length) },
      method: ctx.req.method,
      url: ctx.req.url,
      socket: ctx.req.socket,
    });
    delete replay.headers['transfer-encoding'];
    ctx.req = replay as unknown as Context['req'];
    return next();
  };
};
