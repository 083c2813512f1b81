import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { tableName } from '../database/names';
import { dbTimestamp } from '../utils/time';
import { thresholdFromRow } from './budget.rows';

/** A claim whose mail never went out (the process died in between) may be taken over after this. */
const STALE_CLAIM_MS = 10 * 60_000;

/**
 * **Every write of `town_crier_budget_alerts`**: which thresholds were mailed in which month. A
 * threshold is claimed by inserting its row (unique on month and threshold), so of two workers
 * crossing it at once one mails; the row stays, so a restart does not mail it again.
 */
export const budgetAlerts = (strapi: Core.Strapi) => {
  const table = () => tableName(strapi, UID.budgetAlert);
  const knex = () => strapi.db.connection;
  return {
    /** The thresholds claimed (mailed, or being mailed) in `month`. */
    async claimed(month: string): Promise<number[]> {
      const rows: unknown[] = await knex()(table()).select('threshold').where('month', month);
      return rows.map(thresholdFromRow).sort((a, b) => a - b);
    },

    /** Whether this process may mail `threshold` of `month`: it inserted the row, or took over a claim left unmailed. */
    async claim(month: string, threshold: number, now: Date): Promise<boolean> {
      const stamp = dbTimestamp(strapi, now);
      try {
        await knex()(table()).insert({ document_id: randomBytes(12).toString('hex'), month, threshold, mailed_at: null, created_at: stamp, updated_at: stamp, published_at: stamp });
        return true;
      } catch {
        // Taken (the unique index refused the row): only a claim whose mail never went out is taken over.
        const taken = await knex()(table())
          .where({ month, threshold })
          .whereNull('mailed_at')
          .where('updated_at', '<', dbTimestamp(strapi, new Date(now.getTime() - STALE_CLAIM_MS)))
          .update({ updated_at: stamp });
        return Number(taken) === 1;
      }
    },

    async mailed(month: string, threshold: number, at: Date) {
      await knex()(table()).where({ month, threshold }).update({ mailed_at: dbTimestamp(strapi, at), updated_at: dbTimestamp(strapi, at) });
    },

    /** Retention: claims of months long past. */
    async prune(before: Date) {
      await knex()(table()).where('created_at', '<', dbTimestamp(strapi, before)).delete();
    },

    /** The mail could not be sent: the threshold is free again for the next check. */
    async release(month: string, threshold: number) {
      await knex()(table()).where({ month, threshold }).whereNull('mailed_at').delete();
    },
  };
};
