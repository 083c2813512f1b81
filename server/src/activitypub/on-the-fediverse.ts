import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { RECEIVED_DELIVERY_STATUSES, UID } from '../constants';

const CHANNEL = 'activitypub';
/** A run row as read here. */
const runRow = z.object({ announcementDocumentId: z.string(), state: z.string() });
/** Run states in which the news goes out (or went out): not held for approval, scheduled, or cancelled before it went. */
const OUT_RUN_STATES = ['sending', 'sent'];

/**
 * Whether a news item is on the Fediverse: its ActivityPub run sends or has sent, or a follower's
 * server received it. Until then (the grace period, a scheduled time, a hold for four-eyes approval,
 * a rejection or cancel before it went) the actor shows no Note of it, and a re-publish sends no
 * Update: the public copy must never run ahead of what the town let go out.
 */
export function onTheFediverse(strapi: Core.Strapi) {
  return {
    /** The news items that are out, newest run first. */
    async documentIds(): Promise<string[]> {
      const rows: unknown[] = await strapi.db.query(UID.run).findMany({ where: { channel: CHANNEL }, select: ['announcementDocumentId', 'state'], orderBy: { id: 'desc' } });
      const runs = rows.map((row) => runRow.parse(row));
      const out: string[] = [];
      for (const run of runs) if (await this.isOut(run.announcementDocumentId, run.state)) out.push(run.announcementDocumentId);
      return out;
    },

    /** Whether this news item is out; `runState` saves the read when the caller has the run. */
    async isOut(documentId: string, runState?: string): Promise<boolean> {
      const found: unknown = runState === undefined ? await strapi.db.query(UID.run).findOne({ where: { announcementDocumentId: documentId, channel: CHANNEL }, select: ['state'] }) : null;
      const state = runState ?? (found ? runRow.pick({ state: true }).parse(found).state : undefined);
      if (!state) return false;
      if (OUT_RUN_STATES.includes(state)) return true;
      // Paused or cancelled after some followers' servers got it: it is out all the same.
      return (await strapi.db.query(UID.delivery).count({ where: { announcementDocumentId: documentId, channel: CHANNEL, status: { $in: [...RECEIVED_DELIVERY_STATUSES] } } })) > 0;
    },
  };
}
