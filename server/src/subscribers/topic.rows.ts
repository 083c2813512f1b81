import { z } from 'zod';
import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { flagColumn, idColumn, tableRows } from '../database/row';

/** The topic table's rows as the citizen-facing code reads them (database/row.ts). */
export const topicRows = tableRows('topic', {
  id: idColumn,
  name: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  // SQLite answers booleans as 0/1 through raw knex.
  active: flagColumn.nullable(),
});

/** Topic reads by column list, each answer parsed. */
export const topicReads = (strapi: Core.Strapi) => {
  type Column = Parameters<typeof topicRows.pick>[0][number];
  return {
    async pickMany<C extends Column>(select: readonly C[], params: { where: Record<string, unknown>; orderBy?: unknown }) {
      const rows: unknown[] = await strapi.db.query(UID.topic).findMany({ ...params, select: [...select] });
      return rows.map(topicRows.pick(select));
    },
  };
};
