import type { Core } from '@strapi/strapi';
import { createPublishMiddleware } from './announcements/publish-middleware';
import { readPluginConfig } from './config';
import { checkContentTypeMappings, type ContentTypeLike } from './config/mapping-check';
import { PLUGIN_ID } from './constants';
import { createWorkerFieldsGuard } from './content-types/announcement/worker-fields';
import { createAuditDocumentGuard } from './audit/document-guard';

const BODY_LIMIT = `plugin::${PLUGIN_ID}.body-limit`;
const ACTIVITYPUB = `plugin::${PLUGIN_ID}.activitypub`;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  // Content types are known here and nothing has started yet: a mapping that names a field the
  // news type does not have stops startup instead of sending "-" as every title.
  const config = readPluginConfig(strapi);
  const problems = checkContentTypeMappings(config.contentTypes, strapi.contentTypes as unknown as Record<string, ContentTypeLike | undefined>, config.town.villages);
  if (problems.length) throw new Error(`Invalid ${PLUGIN_ID} plugin config: ${problems.join('; ')}`);

  // Registered in `register` so it wraps every document-service call, including the ones
  // other plugins' bootstrap code makes (scheduled releases publish through it too).
  strapi.documents.use(createPublishMiddleware(strapi));
  placeBeforeParser(strapi, BODY_LIMIT);
  // The town's ActivityPub actor: /.well-known/webfinger at the root, and the inbox's raw body for its digest.
  if (config.channels.activitypub.enabled) placeBeforeParser(strapi, ACTIVITYPUB);
  strapi.documents.use(createWorkerFieldsGuard());
  strapi.documents.use(createAuditDocumentGuard());
};

/**
 * The plugin's body limits must act before Strapi's body parser has read the body; route
 * middlewares run after it. So the limit joins the application's middleware list right before
 * `strapi::body` (after `strapi::errors`, so a refusal has Strapi's error shape). It only acts
 * on the plugin's own POST routes.
 */
function placeBeforeParser(strapi: Core.Strapi, name: string) {
  const middlewares = (strapi.config.get('middlewares') ?? []) as Array<string | { name?: string; resolve?: string; config?: unknown }>;
  if (!Array.isArray(middlewares) || middlewares.some((entry) => entry === name || (typeof entry === 'object' && entry?.name === name))) return;
  const nameOf = (entry: (typeof middlewares)[number]) => (typeof entry === 'string' ? entry : entry?.name);
  const body = middlewares.findIndex((entry) => nameOf(entry) === 'strapi::body');
  const errorsAt = middlewares.findIndex((entry) => nameOf(entry) === 'strapi::errors');
  // Without the usual list (or without `strapi::body` in it) there is nothing to place it before.
  if (body < 0 || errorsAt > body) return;
  const at = body;
  strapi.config.set('middlewares', [...middlewares.slice(0, at), name, ...middlewares.slice(at)]);
}
