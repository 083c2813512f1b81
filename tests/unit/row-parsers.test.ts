import { describe, expect, it } from 'vitest';
import { RowShapeError, idFromRow } from '../../server/src/database/row';
import { subscriberFromRow, subscriberRows, subscriberWithTopicsFromRow } from '../../server/src/subscribers/subscriber.rows';
import { consentEventFromRow } from '../../server/src/subscribers/consent-event.rows';
import { recipientFromRow } from '../../server/src/subscribers/recipient-rule';
import { inboundMessageRows } from '../../server/src/inbox/inbound-message.rows';
import { feedAnnouncementFromRow } from '../../server/src/feed/feed.rows';

/** A subscriber row as Strapi's query engine answers it on SQLite: datetimes as ISO strings. */
const sqliteRow = {
  id: 7,
  documentId: 'abc',
  channel: 'whatsapp',
  address: '+4915123456789',
  whatsappUserId: null,
  name: 'Anna',
  pushSubscription: null,
  activitypubFollower: null,
  villages: '|dakendorf|',
  locale: 'de',
  status: 'pending',
  source: null,
  confirmedAt: null,
  unsubscribedAt: null,
  erasedAt: null,
  purgedAt: null,
  expiresAt: '2026-12-08T10:00:00.000Z',
  tokenHash: 'h',
  confirmCode: 'c',
  consentVersion: '1',
  lastInboundAt: null,
  marketingStoppedAt: null,
  undeliverableAt: null,
  signupLinkId: null,
  unreachableHintAt: null,
  createdAt: '2026-12-07T10:00:00.000Z',
  updatedAt: '2026-12-07T10:00:00.000Z',
  publishedAt: '2026-12-07T10:00:00.000Z',
};

describe('row parsers', () => {
  it('a subscriber row from SQLite (ISO strings) and from PostgreSQL (Date) parse to the same Dates', () => {
    const fromSqlite = subscriberFromRow(sqliteRow);
    const fromPostgres = subscriberFromRow({ ...sqliteRow, expiresAt: new Date('2026-12-08T10:00:00.000Z'), createdAt: new Date('2026-12-07T10:00:00.000Z') });
    expect(fromSqlite.expiresAt).toEqual(new Date('2026-12-08T10:00:00.000Z'));
    expect(fromPostgres.expiresAt).toEqual(fromSqlite.expiresAt);
    expect(fromPostgres.createdAt).toEqual(fromSqlite.createdAt);
    // Columns the table does not declare are not carried along.
    expect(fromSqlite).not.toHaveProperty('publishedAt');
  });

  it('raw knex on SQLite answers epoch milliseconds: also a Date', () => {
    const row = subscriberRows.pick(['id', 'confirmedAt'])({ id: 3, confirmedAt: 1_796_000_000_000 });
    expect(row).toEqual({ id: 3, confirmedAt: new Date(1_796_000_000_000) });
  });

  it('a missing column is an error naming the column, never a value of the row', () => {
    const { expiresAt: _left, ...missing } = sqliteRow;
    expect(() => subscriberFromRow(missing)).toThrow(RowShapeError);
    expect(() => subscriberFromRow(missing)).toThrow(/expiresAt/);
    const message = (() => {
      try {
        subscriberFromRow({ ...missing, status: 'gone' });
        return 'parsed';
      } catch (error) {
        return String(error);
      }
    })();
    expect(message).toMatch(/status/);
    expect(message).not.toContain('+4915123456789');
    expect(message).not.toContain('gone');
  });

  it('a picked read needs exactly its columns', () => {
    const pick = subscriberRows.pick(['address', 'villages']);
    expect(pick({ address: null, villages: '|a|' })).toEqual({ address: null, villages: '|a|' });
    expect(() => pick({ address: null })).toThrow(/villages/);
    // The same column list gives the same parser.
    expect(subscriberRows.pick(['address', 'villages'])).toBe(pick);
  });

  it('a date column that is not a date is refused', () => {
    expect(() => subscriberFromRow({ ...sqliteRow, expiresAt: 'tomorrow' })).toThrow(/expiresAt/);
  });

  it('topics populated, or none', () => {
    const row = subscriberWithTopicsFromRow({ ...sqliteRow, topics: [{ id: 1, name: 'Verkehr', slug: 'verkehr', active: 1, description: null }] });
    expect(row.topics).toEqual([{ id: 1, name: 'Verkehr', slug: 'verkehr', active: true }]);
    expect(subscriberWithTopicsFromRow(sqliteRow).topics).toEqual([]);
  });

  it('ids: a number, or the digits PostgreSQL answers for a bigint', () => {
    expect(idFromRow({ id: 5, other: 'x' })).toEqual({ id: 5 });
    expect(idFromRow({ id: '12' })).toEqual({ id: 12 });
    expect(() => idFromRow({})).toThrow(RowShapeError);
    expect(() => idFromRow(null)).toThrow(RowShapeError);
  });

  it('consent events keep the columns Strapi adds (the export hands them out) and parse occurredAt', () => {
    const event = consentEventFromRow({
      id: 1, channel: 'email', type: 'requested', method: 'web-form', detail: null, language: 'de', consentVersion: '1',
      consentTextHash: 'x', ipTruncated: null, userAgent: null, occurredAt: '2026-12-07T10:00:00.000Z', documentId: 'd',
    });
    expect(event.occurredAt).toEqual(new Date('2026-12-07T10:00:00.000Z'));
    expect(event).toHaveProperty('documentId', 'd');
  });

  it('the fan-out page row (hand-written parser): SQLite epoch ms, PostgreSQL Date, null, and a missing column', () => {
    expect(recipientFromRow({ id: 4, marketing_stopped_at: 1_796_000_000_000, undeliverable_at: null })).toEqual({
      id: 4,
      marketing_stopped_at: new Date(1_796_000_000_000),
      undeliverable_at: null,
    });
    const at = new Date('2026-12-07T10:00:00.000Z');
    expect(recipientFromRow({ id: '4', marketing_stopped_at: null, undeliverable_at: at }).undeliverable_at).toBe(at);
    expect(() => recipientFromRow({ id: 4, marketing_stopped_at: null })).toThrow(RowShapeError);
    expect(() => recipientFromRow({ id: 'x', marketing_stopped_at: null, undeliverable_at: null })).toThrow(RowShapeError);
  });

  it('inbox rows: receivedAt required, handledAt may be empty', () => {
    const pick = inboundMessageRows.pick(['receivedAt', 'handledAt']);
    expect(pick({ receivedAt: '2026-12-07T10:00:00.000Z', handledAt: null })).toEqual({ receivedAt: new Date('2026-12-07T10:00:00.000Z'), handledAt: null });
    expect(() => pick({ receivedAt: null, handledAt: null })).toThrow(/receivedAt/);
  });

  it('a feed announcement without topics populated has none', () => {
    const row = feedAnnouncementFromRow({ documentId: 'd', title: 'T', url: null, text: 'x', publishedAt: '2026-12-07T10:00:00.000Z', sendAt: null, updateOf: null, followUpKind: null });
    expect(row.topics).toEqual([]);
    expect(row.publishedAt).toEqual(new Date('2026-12-07T10:00:00.000Z'));
  });
});
