import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../constants';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';
import { recordPurge } from '../audit/purge';

/**
 * One retention run at `now`: unconfirmed sign-ups expire, withdrawn citizens' records past
 * `retentionDays` are purged (recorded in the audit trail as the system's purge), and audit
 * events past `audit.retentionDays` are deleted, the only way they ever are. The audit's own
 * deletion comes before the purge's event, so that event is never deleted by the run it belongs to.
 * The log says how many, never whose.
 */
export async function runRetention(strapi: Core.Strapi, now = new Date()) {
  const expired = await getService(strapi, 'subscriptions').expirePending();
  const purged = await getService(strapi, 'privacy').purgeWithdrawn(now);
  const auditDeleted = await getService(strapi, 'audit').purgeExpired(now);
  await recordPurge(strapi, 'system', purged, now);
  const total = expired.deleted + expired.reverted + purged.subscribers + purged.messages + purged.outbox;
  if (total > 0) {
    strapi.log.info(
      `[${PLUGIN_ID}] retention: ${expired.deleted} unconfirmed sign-ups deleted, ${expired.reverted} returned to unsubscribed, ` +
        `${purged.subscribers} withdrawn subscribers' records and ${purged.messages} inbox messages past retention deleted, ${purged.outbox} sandbox messages`
    );
  }
  if (auditDeleted > 0) strapi.log.info(`[${PLUGIN_ID}] retention: ${auditDeleted} audit events past audit.retentionDays deleted`);
}

/**
 * Retention and the expiry of unconfirmed sign-ups, on every worker's own timer: what the
 * privacy notice promises ("deleted after …") happens without an admin pressing a button, and
 * without Redis (only the database is touched, so a Redis outage does not hold it up). Several
 * workers may run it at once; every step is a delete or a guarded update, so that is harmless.
 */
export function scheduleRetention(strapi: Core.Strapi) {
  const runtime = getService(strapi, 'runtime');
  const run = () => runRetention(strapi);
  runtime.every('retention', runtime.config().retentionEverySeconds * 1000, run);
  setImmediate(() => {
    run().catch((error: Error) => strapi.log.error(`[${PLUGIN_ID}] retention: ${maskedMessage(error)}`));
  });
}
