import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../constants';
import { columnName, tableName } from '../database/names';
import { z } from 'zod';
import { idColumn, idsFromRows, nullableDateColumn, parserOf } from '../database/row';

/** Raw knex rows of the subscriber table (epoch ms on SQLite, Date on PostgreSQL), parsed here. */
const loweredFromRow = parserOf('subscriber', z.object({ lowered: z.string() }));
const storedFromRow = parserOf('subscriber', z.object({ id: idColumn, address: z.string(), confirmedAt: nullableDateColumn, unsubscribedAt: nullableDateColumn }));
type StoredRow = ReturnType<typeof storedFromRow>;

/** Lower-case forms looked up per query: far below every database's limit of bound values. */
const CHUNK = 500;

/** When the row's consent last changed (confirmed or withdrawn); a row never confirmed has none. */
const lastConsentAt = (row: StoredRow) => Math.max(row.confirmedAt?.getTime() ?? -Infinity, row.unsubscribedAt?.getTime() ?? -Infinity);

/**
 * E-mail addresses used to be stored with their local part as typed (`Anna@…`); they are now
 * lower case as a whole, and sign-ups look them up so. Rows stored before are lowered once at
 * startup. Case variants of one mailbox (`Anna@x.de`, `ANNA@x.de`, perhaps `anna@x.de`) become
 * one row: the one whose consent changed last (so a later withdrawal wins over an older
 * confirmation) keeps the address and takes the others' ledger entries and inbox messages; the
 * others keep no personal data, only their place in anonymous counts and delivery history.
 *
 * A data migration never stops startup: a failure is logged (by its code, never a value: a
 * database's message may quote the address) and the server starts. The log holds counts only.
 */
export async function lowerCaseLegacyEmailAddresses(strapi: Core.Strapi) {
  try {
    const { lowered, merged, mergedRows } = await lowerAndMerge(strapi);
    if (lowered || merged) {
      strapi.log.info(`[${PLUGIN_ID}] e-mail addresses lowered to their canonical form: ${lowered}; mailboxes stored as several case variants merged into one row each: ${merged} (${mergedRows} rows left without personal data)`);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    strapi.log.error(`[${PLUGIN_ID}] e-mail addresses could not be lowered at startup (${typeof code === 'string' ? code : (error as Error).name}); the server starts anyway, and tries again at the next start`);
  }
}

async function lowerAndMerge(strapi: Core.Strapi) {
  const table = tableName(strapi, UID.subscriber);
  const column = (attribute: string) => columnName(strapi, UID.subscriber, attribute);
  const [channel, address] = [column('channel'), column('address')];
  const knex = strapi.db.connection;
  const mixedRows: unknown[] = await knex(table)
    .distinct(knex.raw(`LOWER(${address}) as lowered`))
    .where(channel, 'email')
    .whereNotNull(address)
    .whereRaw(`${address} <> LOWER(${address})`);
  const mixed = mixedRows.map(loweredFromRow);
  const counts = { lowered: 0, merged: 0, mergedRows: 0 };
  for (let start = 0; start < mixed.length; start += CHUNK) {
    const forms = mixed.slice(start, start + CHUNK).map((row) => row.lowered);
    const stored: unknown[] = await knex(table)
      .select({ id: 'id', address, confirmedAt: column('confirmedAt'), unsubscribedAt: column('unsubscribedAt') })
      .where(channel, 'email')
      .whereRaw(`LOWER(${address}) IN (${forms.map(() => '?').join(', ')})`, forms);
    const rows = stored.map(storedFromRow);
    for (const form of forms) {
      const variants = rows.filter((row) => row.address.toLowerCase() === form);
      if (!variants.length) continue;
      await strapi.db.transaction(async () => {
        if (variants.length > 1) {
          await mergeVariants(strapi, variants);
          counts.merged += 1;
          counts.mergedRows += variants.length - 1;
        }
        const kept = keeperOf(variants);
        if (kept.address !== form) {
          await strapi.db.query(UID.subscriber).update({ where: { id: kept.id }, data: { address: form } });
          if (variants.length === 1) counts.lowered += 1;
        }
      });
    }
  }
  return counts;
}

/** The variant whose consent changed last; among equals the newest row. */
const keeperOf = (variants: StoredRow[]) => [...variants].sort((a, b) => lastConsentAt(b) - lastConsentAt(a) || b.id - a.id)[0];

async function mergeVariants(strapi: Core.Strapi, variants: StoredRow[]) {
  const kept = keeperOf(variants);
  const now = new Date();
  for (const other of variants.filter((row) => row.id !== kept.id)) {
    // The ledger is the proof of consent for the mailbox: it stays, under the row that is kept.
    for (const uid of [UID.consentEvent, UID.inboundMessage]) {
      const linked: unknown[] = await strapi.db.query(uid).findMany({ where: { subscriber: other.id }, select: ['id'] });
      for (const id of idsFromRows(linked)) await strapi.db.query(uid).update({ where: { id }, data: { subscriber: kept.id } });
    }
    await strapi.db.query(UID.subscriber).update({
      where: { id: other.id },
      data: {
        address: null,
        name: null,
        villages: null,
        signupLinkId: null,
        tokenHash: null,
        confirmCode: null,
        expiresAt: null,
        status: 'unsubscribed',
        unsubscribedAt: other.unsubscribedAt ?? now,
        erasedAt: now,
      },
    });
  }
}
