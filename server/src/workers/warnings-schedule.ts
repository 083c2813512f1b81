import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../constants';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';

/**
 * Official warnings are polled on each worker's own timer (`warnings.pollEverySeconds`), like
 * retention: the database and the sources only, so a Redis outage does not hold a warning up.
 * Several workers may poll at once; the warnings store's claims make one draft of each change.
 * Nothing runs when no source is configured.
 */
export function scheduleWarnings(strapi: Core.Strapi) {
  const runtime = getService(strapi, 'runtime');
  const warnings = getService(strapi, 'official-warnings');
  if (!warnings.sources().length) return;
  runtime.every('warnings', runtime.config().warnings.pollEverySeconds * 1000, () => warnings.poll());
  setImmediate(() => {
    warnings.poll().catch((error: Error) => strapi.log.error(`[${PLUGIN_ID}] warnings: ${maskedMessage(error)}`));
  });
}
