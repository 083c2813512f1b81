import type { Core } from '@strapi/strapi';
import { UID, type ChannelId } from '../constants';
import type { ApprovalHold, ApprovalHoldReason, ApprovalState } from '../../../shared/contracts/approval';

export interface ApprovalRow {
  id: number;
  announcementDocumentId: string;
  state: ApprovalState;
  holds: ApprovalHold[] | null;
  /** Per channel whose run waits, the reason it shows. */
  heldChannels: Partial<Record<ChannelId, ApprovalHoldReason>> | null;
  villages: string[] | null;
  publishedBy: number | null;
  decidedBy: number | null;
  note: string | null;
  decidedAt: Date | string | null;
  notifiedAt: Date | string | null;
}

/** The one writer of `town_crier_approvals` (tests/unit/approval-table-owner.test.ts). */
export const approvalsStore = (strapi: Core.Strapi) => {
  const rows = () => strapi.db.query(UID.approval);
  return {
    find: async (documentId: string) => (await rows().findOne({ where: { announcementDocumentId: documentId } })) as ApprovalRow | null,

    findMany: async (documentIds: string[]) =>
      documentIds.length ? ((await rows().findMany({ where: { announcementDocumentId: { $in: documentIds } } })) as ApprovalRow[]) : [],

    /** One row per announcement: a second start (the reconciler's retry) finds the first one's. */
    async open(data: Omit<ApprovalRow, 'id' | 'decidedBy' | 'note' | 'decidedAt' | 'notifiedAt'>): Promise<ApprovalRow> {
      const existing = await this.find(data.announcementDocumentId);
      if (existing) return existing;
      return (await rows()
        .create({ data })
        .catch(async (error: Error) => {
          const raced = await this.find(data.announcementDocumentId);
          if (!raced) throw error;
          return raced;
        })) as ApprovalRow;
    },

    /**
     * The decision, written only while the row is still in the state it was read in: of two
     * approvers clicking at once, one wins and the other changes nothing (answers false).
     */
    async decide(row: ApprovalRow, decision: { state: 'approved' | 'rejected'; decidedBy: number; note: string | null }): Promise<boolean> {
      const result = (await rows().updateMany({
        where: { id: row.id, state: row.state },
        data: { state: decision.state, decidedBy: decision.decidedBy, note: decision.note, decidedAt: new Date() },
      })) as { count: number };
      return result.count === 1;
    },

    /** The approvers were told once; answers false when another process already took the telling on. */
    async claimNotification(row: ApprovalRow): Promise<boolean> {
      const result = (await rows().updateMany({ where: { id: row.id, notifiedAt: { $null: true } }, data: { notifiedAt: new Date() } })) as { count: number };
      return result.count === 1;
    },
  };
};
