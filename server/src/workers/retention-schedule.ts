import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../constants';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';
import { recordPurge } from '../audit/purge';

/**
 * Retention and the expiry of unconfirmed sign-ups, on every worker's own timer: what the
 * privacy notice promises ("deleted after …") happens without an admin pressing a button, and
 * without Redis (only the database is touched, so a Redis outage does not hold it up). Several
 * workers may run it at once; every step is a delete or a guarded update, so that is harmless.
 * The log says how many, never whose.
 */
export function scheduleRetention(strapi: Core.Strapi) {
  const runtime = getService(strapi, 'runtime');
  const run = async () => {
    const expired = await getService(strapi, 'subscriptions').expirePending();
    const purged = await getService(strapi, 'privacy').purgeWithdrawn();
    await recordPurge(strapi, 'system', purged);
    // The audit trail's own retention (audit.retentionDays): the one way its events are deleted.
    const auditDeleted = await getService(strapi, 'audit').purgeExpired();
    if (auditDeleted > 0) strapi.log.info(`[${PLUGIN_ID}] retention: ${auditDeleted} audit events past audit.retentionDays deleted`);
    const total = expired.deleted + expired.reverted + purged.subscribers + purged.messages + purged.outbox;
    if (total > 0) {
      strapi.log.info(
        `[${PLUGIN_ID}] retention: ${expired.deleted} unconfirmed sign-ups deleted, ${expired.reverted} returned to unsubscribed, ` +
          `${purged.subscribers} withdrawn subscribers' records and ${purged.messages} inbox messages past retention deleted, ${purged.outbox} sandbox messages`
      );
    }
  };
  runtime.every('retention', runtime.config().retentionEverySeconds * 1000, run);
  setImmediate(() => {
    run().catch((error: Error) => strapi.log.error(`[${PLUGIN_ID}] retention: ${maskedMessage(error)}`));
  });
}
