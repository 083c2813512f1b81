import type { Core } from '@strapi/strapi';

/** Table and column names as Strapi created them, for raw knex queries. */
export function tableName(strapi: Core.Strapi, uid: string): string {
  return strapi.db.metadata.get(uid).tableName;
}

export function columnName(strapi: Core.Strapi, uid: string, attribute: string): string {
  const meta = strapi.db.metadata.get(uid).attributes[attribute] as { columnName?: string } | undefined;
  return meta?.columnName ?? attribute.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The join table of a many-to-many relation, e.g. subscriber ↔ topic. */
export function joinTableOf(strapi: Core.Strapi, uid: string, attribute: string) {
  const meta = strapi.db.metadata.get(uid).attributes[attribute] as unknown as {
    joinTable: { name: string; joinColumn: { name: string }; inverseJoinColumn: { name: string } };
  };
  return { table: meta.joinTable.name, ownerColumn: meta.joinTable.joinColumn.name, targetColumn: meta.joinTable.inverseJoinColumn.name };
}

/** PostgreSQL answers COUNT(*) as a string (bigint); SQLite as a number. */
export const toCount = (value: unknown): number => Number(value ?? 0) || 0;
