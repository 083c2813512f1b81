import type { Core } from '@strapi/strapi';
import { getService } from '../utils/get-service';
import type { AuditActorInput } from './actor';

/**
 * A retention purge in the audit trail: by an admin (the personal-data route) or the system (each
 * worker's retention timer). Recorded only when it deleted something, so the timer that runs every
 * quarter of an hour on every worker does not fill the trail with empty runs; several workers
 * purging at once each record the rows they purged themselves.
 */
export async function recordPurge(strapi: Core.Strapi, actor: AuditActorInput, purged: { subscribers: number; messages: number; outbox: number }, now = new Date()) {
  if (purged.subscribers + purged.messages + purged.outbox === 0) return;
  const details = { subscribers: purged.subscribers, messages: purged.messages, outbox: purged.outbox };
  await getService(strapi, 'audit').record({ action: 'purged', actorId: actor, details }, now);
}
