import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../constants';
import { columnName, tableName } from '../database/names';

/**
 * E-mail addresses used to be stored with their local part as typed (`Anna@…`); they are now
 * lower case as a whole, and sign-ups look them up so. Rows stored before are lowered once at
 * startup, unless a row with the lower-case address exists already (then both stay, and the log
 * says how many: an admin can erase the duplicate). Database only; the log holds counts only.
 */
export async function lowerCaseLegacyEmailAddresses(strapi: Core.Strapi) {
  const table = tableName(strapi, UID.subscriber);
  const channel = columnName(strapi, UID.subscriber, 'channel');
  const address = columnName(strapi, UID.subscriber, 'address');
  const knex = strapi.db.connection;
  const mixed = knex(table).where(channel, 'email').whereNotNull(address).whereRaw(`${address} <> LOWER(${address})`);
  const updated = await mixed
    .clone()
    .whereNotExists(knex(`${table} as same`).where(`same.${channel}`, 'email').whereRaw(`same.${address} = LOWER(${table}.${address})`))
    .update({ [address]: knex.raw(`LOWER(${address})`) });
  const [{ left }] = (await mixed.clone().count({ left: '*' })) as Array<{ left: number | string }>;
  if (updated || Number(left)) {
    strapi.log.info(`[${PLUGIN_ID}] e-mail addresses lowered to their canonical form: ${updated}; left as they are because the lower-case address exists: ${Number(left)}`);
  }
}
