import type { Core } from '@strapi/strapi';
import { ensureIndexes } from './database/indexes';
import { PERMISSION_ACTIONS } from './permissions';
import { getService } from './utils/get-service';
import { PLUGIN_ID } from './constants';
import { keepAnnouncementsOffTheHomePage } from './content-types/announcement/worker-fields';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = getService(strapi, 'runtime');
  const config = runtime.config();

  await ensureIndexes(strapi);
  await strapi.admin.services.permission.actionProvider.registerMany(PERMISSION_ACTIONS);
  warnWithoutRawBody(strapi);
  keepAnnouncementsOffTheHomePage(strapi);

  runtime.start();
  if (config.worker) {
    getService(strapi, 'workers').start();
  } else {
    strapi.log.info(`[${PLUGIN_ID}] worker: false — this instance publishes but processes no jobs.`);
  }
};

/**
 * Webhook signatures are computed over the raw body; without koa-body's `includeUnparsed`
 * every provider webhook would be rejected. The plugin cannot change the host's body parser,
 * so it says so as loudly as it can.
 */
function warnWithoutRawBody(strapi: Core.Strapi) {
  const middlewares = (strapi.config.get('middlewares') ?? []) as Array<string | { name?: string; config?: { includeUnparsed?: boolean } }>;
  const body = middlewares.find((entry) => typeof entry === 'object' && entry?.name === 'strapi::body');
  const includesRaw = typeof body === 'object' && body?.config?.includeUnparsed === true;
  if (!includesRaw) {
    strapi.log.error(
      `[${PLUGIN_ID}] config/middlewares must configure { name: 'strapi::body', config: { includeUnparsed: true } } — without the raw body every provider webhook is rejected (401).`
    );
  }
}
