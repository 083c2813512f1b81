import type { Core } from '@strapi/strapi';
import { ensureIndexes } from './database/indexes';
import { PERMISSION_ACTIONS } from './permissions';
import { getService } from './utils/get-service';
import { PLUGIN_ID, UID } from './constants';
import { unmatchedTopicValues } from './announcements/topic-match';
import type { PluginConfig } from './config/schema';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = getService(strapi, 'runtime');
  const config = runtime.config();

  await ensureIndexes(strapi);
  await strapi.admin.services.permission.actionProvider.registerMany(PERMISSION_ACTIONS);
  warnWithoutRawBody(strapi);
  // Once the server listens, every bootstrap has run (the site's own may create topics).
  strapi.server.httpServer.once('listening', () => {
    warnAboutUnmatchedTopics(strapi, config).catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] could not compare topic values with topics: ${error.message}`));
  });

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

/**
 * An entry whose topic value matches no topic goes to every subscriber (docs/admin.md). For
 * enumeration topic attributes the values are known now, so the town hears which topics to
 * create before the first such entry is published; the side panel warns the editor again.
 */
async function warnAboutUnmatchedTopics(strapi: Core.Strapi, config: PluginConfig) {
  const slugs = ((await strapi.db.query(UID.topic).findMany({ select: ['slug'] })) as Array<{ slug: string }>).map((topic) => topic.slug);
  for (const [uid, mapping] of Object.entries(config.contentTypes)) {
    if (!mapping.topics) continue;
    const attributes = strapi.contentTypes[uid as keyof typeof strapi.contentTypes]?.attributes as Record<string, { type?: string; enum?: string[] }> | undefined;
    const attribute = attributes?.[mapping.topics];
    if (attribute?.type !== 'enumeration' || !attribute.enum) continue;
    const unmatched = unmatchedTopicValues(attribute.enum, slugs);
    if (unmatched.length) {
      strapi.log.warn(
        `[${PLUGIN_ID}] ${uid}.${mapping.topics}: no topic matches ${unmatched.map((value) => `"${value}"`).join(', ')}; ` +
          'news with these values goes to every subscriber until topics with these slugs exist (Content Manager → Town Crier topic).'
      );
    }
  }
}
