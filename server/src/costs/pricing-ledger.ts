import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { inCurrentTransaction } from '../utils/current-transaction';
import { UID, type ChannelId } from '../constants';
import type { ProviderPricing } from '../channels/channel';
import { tableName } from '../database/names';
import { rowsOf } from '../database/row';
import { keyedHash } from '../utils/secret';
import { dbTimestamp } from '../utils/time';
import type { OneToOneKind } from '../../../shared/contracts/costs';
import type { PricedCount } from './budget-math';
import { ledgerGroupFromRow } from './budget.rows';

/** One priced one-to-one message, as a status webhook told it. */
export interface PricedMessage {
  providerMessageId: string;
  kind: OneToOneKind;
  pricing: ProviderPricing;
  at: Date;
}

/**
 * **Every write of `town_crier_message_pricing`**: Meta's pricing of the town's one-to-one WhatsApp
 * messages, one row per message. Meta repeats `pricing` on `sent` and on `delivered` or `read`;
 * the row keeps the time of the first and the latest word on billable and category.
 */
export const pricingLedger = (strapi: Core.Strapi) => {
  const table = () => tableName(strapi, UID.messagePricing);
  const knex = () => strapi.db.connection;
  return {
    async record(channel: ChannelId, messages: PricedMessage[]) {
      if (!messages.length) return;
      const stamp = dbTimestamp(strapi);
      // One row per message even when a batch carries its `sent` and its `delivered`: the latest word wins.
      const byKey = new Map<string, Record<string, unknown>>();
      for (const message of [...messages].sort((a, b) => a.at.getTime() - b.at.getTime())) {
        const key = keyedHash(strapi, `${channel}:${message.providerMessageId}`);
        const first = byKey.get(key);
        byKey.set(key, {
          document_id: randomBytes(12).toString('hex'),
          message_key: key,
          channel,
          kind: message.kind,
          billable: message.pricing.billable,
          pricing_category: message.pricing.category ?? null,
          pricing_model: message.pricing.model ?? null,
          priced_at: first?.priced_at ?? dbTimestamp(strapi, message.at),
          created_at: stamp,
          updated_at: stamp,
          published_at: stamp,
        });
      }
      await knex()(table())
        .insert([...byKey.values()])
        .onConflict(['message_key'])
        .merge(['billable', 'pricing_category', 'pricing_model', 'updated_at']);
    },

    /** Retention: rows priced before `before` (the overview shows 12 months; the ledger keeps 13 and a bit). */
    async prune(before: Date) {
      await knex()(table()).where('priced_at', '<', dbTimestamp(strapi, before)).delete();
    },

    /** Priced messages per kind, category and billable flag, priced in [from, to). */
    async counts(channel: ChannelId, from: Date, to: Date): Promise<PricedCount[]> {
      // Also asked at Publish (the budget's verdict), inside the content manager's transaction.
      const rows = await inCurrentTransaction(
        strapi,
        knex()(table())
          .select('kind', 'pricing_category as category', 'billable')
          .count({ count: '*' })
          .where('channel', channel)
          .where('priced_at', '>=', dbTimestamp(strapi, from))
          .where('priced_at', '<', dbTimestamp(strapi, to))
          .groupBy('kind', 'pricing_category', 'billable')
      );
      return rowsOf(rows, ledgerGroupFromRow);
    },
  };
};
