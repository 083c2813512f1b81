import type { Core } from '@strapi/strapi';
import { ensureIndexes } from './database/indexes';
import { lowerCaseLegacyEmailAddresses } from './subscribers/legacy-email-case';
import { ensureAccountSubscribers } from './subscribers/account-subscribers';
import { PERMISSION_ACTIONS } from './permissions';
import { recordBudgetChange } from './audit/config-changes';
import { getService } from './utils/get-service';
import { PLUGIN_ID, UID } from './constants';
import { WEBHOOK_BODY_MAX_BYTES } from './middlewares/body-limit';
import { keepAnnouncementsOffTheHomePage } from './content-types/announcement/worker-fields';
import { unmatchedTopicValues } from './announcements/topic-match';
import type { PluginConfig } from './config/schema';
import { maskedMessage } from './utils/log';
import { rowOf, rowsOf } from './database/row';
import { PROXY_WARNING, proxyTrustsClientAddress } from './http/proxy-check';
import { registerVillageConditions } from './approval/admin-directory';

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = getService(strapi, 'runtime');
  const config = runtime.config();

  await ensureIndexes(strapi);
  await lowerCaseLegacyEmailAddresses(strapi);
  await ensureAccountSubscribers(strapi, config);
  await strapi.admin.services.permission.actionProvider.registerMany(PERMISSION_ACTIONS);
  // Send rights per village: one role condition per village ("Nur Ortsteil Mühlenfeld"), docs/admin.md.
  await registerVillageConditions(strapi, config.town.villages);
  warnWithoutRawBody(strapi);
  if (proxyTrustsClientAddress(strapi)) strapi.log.warn(`[${PLUGIN_ID}] ${PROXY_WARNING}`);
  keepAnnouncementsOffTheHomePage(strapi);
  // Once the server listens, every bootstrap has run (the site's own may create topics).
  strapi.server.httpServer.once('listening', () => {
    warnAboutUnmatchedTopics(strapi, config).catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] could not compare topic values with topics: ${maskedMessage(error)}`));
  });

  // The budget lives in the config: a changed amount is recorded in the audit trail at startup.
  await recordBudgetChange(strapi, config).catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] audit: could not compare the WhatsApp budget: ${maskedMessage(error)}`));
  runtime.start();
  getService(strapi, 'whatsapp-account').start();
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
  const middlewares = (strapi.config.get('middlewares') ?? []) as Array<string | { name?: string; config?: { includeUnparsed?: boolean; jsonLimit?: string | number } }>;
  const body = middlewares.find((entry) => typeof entry === 'object' && entry?.name === 'strapi::body');
  const includesRaw = typeof body === 'object' && body?.config?.includeUnparsed === true;
  const jsonLimit = typeof body === 'object' ? body?.config?.jsonLimit : undefined;
  const jsonLimitBytes = typeof jsonLimit === 'number' ? jsonLimit : parseSize(jsonLimit ?? '1mb');
  if (jsonLimitBytes !== null && jsonLimitBytes < WEBHOOK_BODY_MAX_BYTES) {
    strapi.log.warn(
      `[${PLUGIN_ID}] strapi::body's jsonLimit is ${jsonLimit ?? '1mb (the default)'}: Meta batches up to 1,000 webhook updates in one POST, which can be larger. Set jsonLimit: '8mb' (the plugin keeps its own public routes to 8 KB).`
    );
  }
  if (!includesRaw) {
    strapi.log.error(
      `[${PLUGIN_ID}] config/middlewares must configure { name: 'strapi::body', config: { includeUnparsed: true } } — without the raw body every provider webhook is rejected (401).`
    );
  }
}

/** `'1mb'`, `'512kb'`, `'8mb'` as koa-body reads them; null for what it cannot read. */
function parseSize(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  if (!match) return null;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb' | 'gb'];
  return Math.round(Number(match[1]) * unit);
}

/**
 * An entry whose topic value matches no topic goes to every subscriber (docs/admin.md). For
 * enumeration topic attributes the values are known now, so the town hears which topics to
 * create before the first such entry is published; the side panel warns the editor again.
 */
async function warnAboutUnmatchedTopics(strapi: Core.Strapi, config: PluginConfig) {
  const slugs = rowsOf(await strapi.db.query(UID.topic).findMany({ select: ['slug'] }), (row) => rowOf(row, 'topic').text('slug'));
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
