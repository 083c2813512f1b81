import { randomUUID } from 'node:crypto';
import { within } from '../utils/time';
import type { Core } from '@strapi/strapi';
import type { Context, Next } from 'koa';
import { PLUGIN_ID } from '../constants';
import { ACTIVITY_JSON, nodeinfoLinks } from '../channels/activitypub/documents';
import { answerWithError, forbiddenError, notFoundError, payloadTooLargeError, rateLimitError, unauthorizedError, validationError } from '../http/errors';
import { keyedHash } from '../utils/secret';
import { clientKey } from './rate-limit';
import { getService } from '../utils/get-service';

/** An activity is a few kilobytes; Mastodon refuses inbox bodies over 1 MB, and so do we. */
export const INBOX_BODY_MAX_BYTES = 1024 * 1024;

async function readBody(ctx: Context, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The town's actor on the web. WebFinger and NodeInfo must answer at the site's root
 * (`/.well-known/…`), where no plugin route can live, and the inbox must see the body's exact
 * bytes for its digest before Strapi's parser reads it; so this is an application middleware,
 * placed right before `strapi::body` by `register`. It answers only its own paths, and only while
 * `channels.activitypub.enabled`; every other request passes on untouched.
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => {
  const base = () => `${strapi.config.get('api.rest.prefix', '/api')}/${PLUGIN_ID}/activitypub`;

  return async (ctx: Context, next: Next) => {
    const path = ctx.path;
    if (!path.startsWith('/.well-known/') && !path.startsWith(base())) return next();
    const runtime = getService(strapi, 'runtime');
    if (!runtime.config().channels.activitypub.enabled) return next();
    const federation = runtime.federation();
    const json = (body: unknown, type = ACTIVITY_JSON, status = 200) => {
      ctx.status = status;
      ctx.set('Content-Type', `${type}; charset=utf-8`);
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.body = JSON.stringify(body);
    };

    if (ctx.method === 'GET' && path === '/.well-known/webfinger') {
      const resource = typeof ctx.query.resource === 'string' ? ctx.query.resource : '';
      if (!resource) return answerWithError(ctx, validationError('resource is required'));
      const document = federation.webfinger(resource);
      return document ? json(document, 'application/jrd+json') : answerWithError(ctx, notFoundError('No such account here'));
    }
    if (ctx.method === 'GET' && path === '/.well-known/nodeinfo') return json(nodeinfoLinks(`${federation.identity().urls.base}/nodeinfo/2.1`), 'application/json');
    if (!path.startsWith(`${base()}/`)) return next();

    const rest = path.slice(base().length + 1);
    if (ctx.method === 'POST' && rest === 'inbox') {
      // Each POST may make us fetch a key from wherever it says: a flood is refused before that. Redis keys carry an HMAC of the address.
      const perMinute = runtime.config().channels.activitypub.inboxRequestsPerMinute;
      const who = keyedHash(strapi, `ap-inbox:${clientKey(ctx.request.ip || 'unknown')}`);
      // Like the sign-up limit (rate-limit.ts): Redis that does not answer within a second lets the request through.
      const admitted = await within(1000, runtime.limits().admitToWindow(`ap-inbox:${who}`, randomUUID(), perMinute, 60_000, Date.now())).catch(() => ({ admitted: true as const }));
      if (!admitted.admitted) {
        ctx.set('Retry-After', String(Math.max(1, Math.ceil((admitted.retryAtMs - Date.now()) / 1000))));
        return answerWithError(ctx, rateLimitError('Too many requests to this inbox; try again later'));
      }
      const rawBody = await readBody(ctx, INBOX_BODY_MAX_BYTES);
      if (!rawBody) return answerWithError(ctx, payloadTooLargeError(`Request body too large (at most ${INBOX_BODY_MAX_BYTES} bytes)`, { maxBytes: INBOX_BODY_MAX_BYTES }));
      const answer = await federation.inbox({ method: 'POST', url: `http://placeholder${ctx.req.url ?? path}`, headers: ctx.req.headers, rawBody });
      if (answer.status === 202) {
        ctx.status = 202;
        ctx.body = '';
        return;
      }
      const error = answer.status === 401 ? unauthorizedError(answer.message) : answer.status === 403 ? forbiddenError(answer.message) : validationError(answer.message);
      return answerWithError(ctx, error);
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (rest === 'actor') return json(await federation.actor());
    if (rest === 'outbox') return json(await federation.outbox());
    if (rest === 'followers') return json(await federation.followersCollection());
    if (rest === 'nodeinfo/2.1') return json(await federation.nodeinfo(), 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"');
    const note = /^notes\/([^/]+)$/.exec(rest);
    if (note) {
      const found = await federation.note(decodeURIComponent(note[1]));
      return found ? json(found.body, ACTIVITY_JSON, found.status) : answerWithError(ctx, notFoundError('No such post'));
    }
    return next();
  };
};
