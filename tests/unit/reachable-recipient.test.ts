import knex from 'knex';
import type { Core } from '@strapi/strapi';
import { describe, expect, it } from 'vitest';
import { reachableRule, unreachable } from '../../server/src/delivery/reachable-recipient';

/** Column names as Strapi makes them: the attribute in snake_case (what `columnName` falls back to). */
const strapi = { db: { metadata: { get: () => ({ attributes: {} }) } } } as unknown as Core.Strapi;
const pg = knex({ client: 'pg' });

/**
 * The reachable-recipient rule is written once: the JS check and the claim's SQL take their
 * columns and condition from delivery/reachable-recipient.ts (and its marks from
 * subscribers/recipient-rule.ts), so they cannot drift apart.
 */
describe('the reachable recipient, one rule', () => {
  it("gives the claim's SQL the condition the claims wrote by hand before", () => {
    const { sql, bindings } = reachableRule(strapi).sql('s');
    expect(pg.raw(sql, bindings).toString()).toBe(`coalesce("s"."status", '') = 'active' AND coalesce("s"."address", '') <> '' AND "s"."marketing_stopped_at" IS NULL AND "s"."undeliverable_at" IS NULL`);
  });

  it('selects what the JS check reads, under the names it reads them by', () => {
    expect(reachableRule(strapi).columns('s')).toEqual(['s.status as subscriber_status', 's.address as address', 's.marketing_stopped_at as marketing_stopped_at', 's.undeliverable_at as undeliverable_at']);
  });

  it('answers in JS what the SQL answers', () => {
    const reachable = { subscriber_status: 'active', address: 'a@example.org', marketing_stopped_at: null, undeliverable_at: null };
    expect(unreachable(reachable)).toBe(false);
    expect(unreachable({ ...reachable, subscriber_status: 'unsubscribed' })).toBe(true);
    expect(unreachable({ ...reachable, subscriber_status: null })).toBe(true);
    expect(unreachable({ ...reachable, address: '' })).toBe(true);
    expect(unreachable({ ...reachable, marketing_stopped_at: new Date() })).toBe(true);
    expect(unreachable({ ...reachable, undeliverable_at: new Date() })).toBe(true);
  });
});
