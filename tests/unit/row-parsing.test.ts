import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RowShapeError, countOf, flagColumn, idColumn, optionalDateColumn, parserOf, returnedIds, rowOf } from '../../server/src/database/row';
import { runFromRow } from '../../server/src/dispatch/run.rows';
import { announcementFromRow } from '../../server/src/announcements/announcement.rows';
import { claimFromRow, deliveryRecipientFromRow } from '../../server/src/delivery/delivery.rows';

/** Each table's `fromRow` turns what either driver answers into one type per field, once. */
describe('rows parsed at the edge', () => {
  it('reads a date whichever way the driver answers it: ISO string, epoch ms (number or digits), Date', () => {
    const at = new Date('2026-03-01T07:00:00.000Z');
    for (const stored of [at.toISOString(), at.getTime(), String(at.getTime()), at]) {
      expect(runFromRow({ id: 1, announcementDocumentId: 'a', channel: 'email', state: 'scheduled', reason: 'quiet-hours', resumesAt: stored, finishedAt: null }).resumesAt).toEqual(at);
    }
  });

  it("reads PostgreSQL's bigint strings as numbers and SQLite's 0/1 as booleans", () => {
    const row = rowOf({ id: '42', n: '17', flag: 1, off: 0 }, 't');
    expect([row.int('id'), row.count('n'), row.flag('flag'), row.flag('off')]).toEqual([42, 17, true, false]);
    expect(countOf([{ n: '3' }])).toBe(3);
    expect(countOf({ n: 4 })).toBe(4);
    expect(countOf([])).toBe(0);
    expect([...returnedIds({ rows: [{ id: '5' }, { id: 6 }] })]).toEqual([5, 6]);
    expect([...returnedIds([7, { id: 8 }])]).toEqual([7, 8]);
  });

  it('refuses a row that does not fit, naming table and field but never the value', () => {
    const read = () => runFromRow({ id: 1, announcementDocumentId: 'a', channel: 'email', state: 'flying', reason: null });
    expect(read).toThrow(RowShapeError);
    expect(read).toThrow(/broadcast-run\.state/);
    const address = () => deliveryRecipientFromRow({ id: 1, subscriber_id: 2, status: 'pending', address: 4915112345678 });
    expect(address).toThrow(/delivery\.address: expected text or null, found number/);
    expect(address).not.toThrow(/4915112345678/);
  });

  it('reads an announcement with its counters, dates and language versions', () => {
    const row = announcementFromRow({
      id: 3,
      documentId: 'doc',
      title: 'Water main',
      text: 'Closed',
      url: null,
      urgency: 'important',
      channels: ['email'],
      topics: [{ id: 1, documentId: 't', name: 'Roads', slug: 'roads', createdAt: 'x' }],
      languageVersions: { de: { title: 'Rohr', text: 'Zu', url: null }, xx: { title: 'n', text: 'n' } },
      recipientsCount: '12',
      publishedAt: '2026-03-01T07:00:00.000Z',
      createdAt: '2026-03-01T06:59:00.000Z',
      resumesAt: null,
    });
    expect(row.recipientsCount).toBe(12);
    expect(row.sentCount).toBe(0);
    expect(row.publishedAt).toEqual(new Date('2026-03-01T07:00:00.000Z'));
    expect(row.topics).toEqual([{ id: 1, documentId: 't', name: 'Roads', slug: 'roads' }]);
    expect(row.languageVersions).toEqual({ de: { title: 'Rohr', text: 'Zu', url: null } });
    expect(announcementFromRow({ ...row, topics: undefined }).topics).toBeUndefined();
  });

  it('keeps a claim stamp exactly as stored, so the takeover matches the row by it', () => {
    const claim = claimFromRow({ status: 'pending', claimed_at: 1767250800000, subscriber_id: '9' });
    expect(claim.claimed_at).toBe(1767250800000);
    expect(claim.claimedSince).toEqual(new Date(1767250800000));
    expect(claim.subscriber_id).toBe(9);
  });

  it('the zod fields and the hand-written readers read the same values the same way (one normaliser each)', () => {
    const at = new Date('2026-03-01T07:00:00.000Z');
    const zodRow = parserOf('probe', z.object({ when: optionalDateColumn, id: idColumn, on: flagColumn }));
    const cases: Array<[unknown, unknown, unknown]> = [
      [at.toISOString(), 7, true],
      [at.getTime(), '7', 1],
      [String(at.getTime()), 7, '0'],
      [at, '12', 't'],
      [null, 3, false],
    ];
    for (const [when, id, on] of cases) {
      const hand = rowOf({ when, id, on }, 'probe');
      expect(zodRow({ when, id, on })).toEqual({ when: hand.date('when'), id: hand.int('id'), on: hand.flag('on') });
    }
    for (const bad of [{ when: 'soon', id: 1, on: true }, { when: null, id: '1.5', on: true }, { when: null, id: 1, on: 2 }]) {
      expect(() => zodRow(bad)).toThrow(RowShapeError);
      const hand = rowOf(bad, 'probe');
      expect(() => [hand.date('when'), hand.int('id'), hand.flag('on')]).toThrow(RowShapeError);
    }
  });
});
