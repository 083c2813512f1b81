import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { changedCount } from '../database/row';
import { approvalFromRow, type ApprovalRow } from './approval.rows';

export type { ApprovalRow } from './approval.rows';

/** The one writer of `town_crier_approvals` (tests/unit/approval-table-owner.test.ts). */
export const approvalsStore = (strapi: Core.Strapi) => {
  const rows = () => strapi.db.query(UID.approval);
  return {
    async find(documentId: string): Promise<ApprovalRow | null> {
      const row = await rows().findOne({ where: { announcementDocumentId: documentId } });
      return row ? approvalFromRow(row) : null;
    },

    async findMany(documentIds: string[]): Promise<ApprovalRow[]> {
      if (!documentIds.length) return [];
      const found: unknown[] = await rows().findMany({ where: { announcementDocumentId: { $in: documentIds } } });
      return found.map(approvalFromRow);
    },

    /** One row per announcement: a second start (the reconciler's retry) finds the first one's. */
    async open(data: Omit<ApprovalRow, 'id' | 'decidedBy' | 'note' | 'decidedAt' | 'notifiedAt'>): Promise<ApprovalRow> {
      const existing = await this.find(data.announcementDocumentId);
      if (existing) return existing;
      return rows()
        .create({ data })
        .then(approvalFromRow, async (error: Error) => {
          const raced = await this.find(data.announcementDocumentId);
          if (!raced) throw error;
          return raced;
        });
    },

    /**
     * The decision, written only while the row is still in the state it was read in: of two
     * approvers clicking at once, one wins and the other changes nothing (answers false).
     */
    async decide(row: ApprovalRow, decision: { state: 'approved' | 'rejected'; decidedBy: number; note: string | null }): Promise<boolean> {
      const result = await rows().updateMany({
        where: { id: row.id, state: row.state },
        data: { state: decision.state, decidedBy: decision.decidedBy, note: decision.note, decidedAt: new Date() },
      });
      return changedCount(result) === 1;
    },

    /** The approvers were told once; answers false when another process already took the telling on. */
    async claimNotification(row: ApprovalRow): Promise<boolean> {
      return changedCount(await rows().updateMany({ where: { id: row.id, notifiedAt: { $null: true } }, data: { notifiedAt: new Date() } })) === 1;
    },
  };
};
