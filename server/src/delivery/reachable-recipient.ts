import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { columnName } from '../database/names';
import { UNREACHABLE_MARKS, knownUnreachable } from '../subscribers/recipient-rule';

/**
 * Whom the news may still go to, right before a send: a subscriber row that is active, has an
 * address, and carries none of the marks of the known unreachable (`UNREACHABLE_MARKS` of
 * subscribers/recipient-rule.ts, which fan-out and the counts before sending use too). Written
 * once, here, for the three places the send path asks it: `unreachable` in JS on a row read with
 * its delivery, and `reachableSql` inside the claim's statement (PostgreSQL and SQLite,
 * deliveries.store.groups.ts). `reachableColumns` selects what `unreachable` reads.
 */
export const REACHABLE_STATUS = 'active';

/** How a mark is selected, so `knownUnreachable` finds it (`marketingStoppedAt` → `marketing_stopped_at`). */
const selectedAs = (attribute: string) => attribute.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const reachableRule = (strapi: Core.Strapi) => {
  const column = (alias: string, attribute: string) => `${alias}.${columnName(strapi, UID.subscriber, attribute)}`;
  return {
    /** The subscriber columns the rule reads, under the names `unreachable` reads them by. */
    columns: (alias: string) => [
      `${column(alias, 'status')} as subscriber_status`,
      `${column(alias, 'address')} as address`,
      ...UNREACHABLE_MARKS.map((mark) => `${column(alias, mark)} as ${selectedAs(mark)}`),
    ],
    /**
     * The rule as a condition on the subscriber `alias`, for a raw statement or `whereRaw`. Written
     * with `coalesce(…)` so PostgreSQL's planner keeps the primary key the only way in (see the
     * claim's note in deliveries.store.groups.ts).
     */
    sql: (alias: string): { sql: string; bindings: string[] } => ({
      sql: ["coalesce(??, '') = ?", "coalesce(??, '') <> ''", ...UNREACHABLE_MARKS.map(() => '?? IS NULL')].join(' AND '),
      bindings: [column(alias, 'status'), REACHABLE_STATUS, column(alias, 'address'), ...UNREACHABLE_MARKS.map((mark) => column(alias, mark))],
    }),
  };
};

/** Someone the news cannot reach any more: left, no address, or known unreachable on this channel. */
export const unreachable = (row: { subscriber_status: string | null; address: string | null; marketing_stopped_at: unknown; undeliverable_at: unknown }) =>
  row.subscriber_status !== REACHABLE_STATUS || !row.address || knownUnreachable(row);
