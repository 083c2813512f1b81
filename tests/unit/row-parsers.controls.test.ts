import { describe, expect, it } from 'vitest';
import { approvalFromRow } from '../../server/src/approval/approval.rows';
import { warningFromRow } from '../../server/src/warnings/warning.rows';
import { sourceFromRow } from '../../server/src/warnings/warning-source.rows';
import { auditEventFromRow } from '../../server/src/audit/audit-event.rows';
import { budgetedAnnouncementFromRow, ledgerGroupFromRow, pricedGroupFromRow, thresholdFromRow } from '../../server/src/costs/budget.rows';
import { adminUserFromRow, displayName, personalName } from '../../server/src/admins/admin-users';
import { changedCount } from '../../server/src/database/row';

const AT = '2026-03-01T10:00:00.000Z';

describe('rows parsed where they are read', () => {
  it('an approval: dates as Date whichever form the driver answers, missing columns as null', () => {
    const row = approvalFromRow({ id: '3', announcementDocumentId: 'doc', state: 'awaiting', holds: [{ reason: 'rule', channels: null }], heldChannels: { whatsapp: 'rule' }, villages: null, publishedBy: 7, decidedAt: AT, notifiedAt: Date.parse(AT) });
    expect(row).toMatchObject({ id: 3, publishedBy: 7, decidedBy: null, note: null, heldChannels: { whatsapp: 'rule' } });
    expect(row.decidedAt).toEqual(new Date(AT));
    expect(row.notifiedAt).toEqual(new Date(AT));
    expect(() => approvalFromRow({ id: 1, announcementDocumentId: 'doc', state: 'maybe' })).toThrow();
  });

  it('a warning and its source', () => {
    const warning = warningFromRow({
      id: 1, key: 'nina|x', source: 'nina', warningId: 'x', version: '2', msgType: 'Alert', severity: 'severe', state: 'active', headline: 'Sturm',
      expires: String(Date.parse(AT)), onset: null, drafts: [{ documentId: 'd', kind: 'warning', createdAt: AT }], autoPublished: false,
    });
    expect(warning.expires).toEqual(new Date(AT));
    expect(warning).toMatchObject({ onset: null, sourceChangedAt: null, event: null, areaCodes: null, lastDraftKind: null, autoPublished: false });
    expect(sourceFromRow({ id: 1, source: 'dwd', failingSince: AT })).toMatchObject({ etag: null, lastSuccessAt: null, failingSince: new Date(AT) });
  });

  it('an audit event: a missing time reads as the epoch, not as "now"', () => {
    expect(auditEventFromRow({ id: 1, action: 'purged', actorKind: 'system', occurredAt: null }).occurredAt).toEqual(new Date(0));
    expect(auditEventFromRow({ id: 1, action: 'purged', actorKind: 'admin', actorId: '4', occurredAt: AT })).toMatchObject({ actorId: 4, actorName: null, details: null });
  });

  it('cost groups: counts as numbers and billable as a boolean on SQLite and PostgreSQL alike', () => {
    expect(pricedGroupFromRow({ category: 'marketing', billable: 1, count: '12' })).toEqual({ category: 'marketing', billable: true, count: 12 });
    expect(pricedGroupFromRow({ category: null, billable: false, count: 3 })).toEqual({ category: null, billable: false, count: 3 });
    expect(ledgerGroupFromRow({ kind: 'confirmation', category: 'utility', billable: '0', count: 1 })).toEqual({ kind: 'confirmation', category: 'utility', billable: false, count: 1 });
    expect(thresholdFromRow({ threshold: '80' })).toBe(80);
    expect(budgetedAnnouncementFromRow({ documentId: 'd', channels: 'whatsapp', fanOutDoneAt: AT })).toMatchObject({ channels: null, topics: [], updateOf: null, fanOutDoneAt: new Date(AT) });
  });

  it('admin users: a name without the e-mail, and what updateMany answers', () => {
    const user = adminUserFromRow({ id: 2, firstname: 'Ada', lastname: null, username: 'ada', email: 'ada@example.org' });
    expect(displayName(user)).toBe('Ada');
    expect(personalName({ firstname: null, lastname: null, username: null })).toBeNull();
    expect(displayName({ firstname: null, lastname: null, username: null })).toBe('Admin');
    expect(changedCount({ count: 1 })).toBe(1);
    expect(changedCount({})).toBeNull();
  });
});
