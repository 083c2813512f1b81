import type { Core } from '@strapi/strapi';
import type { Knex } from 'knex';

/**
 * Runs a raw knex query inside the transaction the caller is in, if any. The query engine
 * (`strapi.db.query`) joins Strapi's current transaction by itself; a raw knex builder does not,
 * and would wait for a second connection: on SQLite (one connection) forever. The content
 * manager's Publish runs the whole publish, and so the broadcast's start, in one transaction.
 * It answers `unknown`: the caller parses the rows (database/row.ts), as after any other query.
 */
export async function inCurrentTransaction(strapi: Core.Strapi, builder: Knex.QueryBuilder): Promise<unknown> {
  if (!strapi.db.inTransaction()) return await builder;
  return strapi.db.transaction(async ({ trx }) => await builder.transacting(trx as Knex.Transaction));
}
