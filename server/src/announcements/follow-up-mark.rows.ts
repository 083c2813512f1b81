import { FOLLOW_UP_KINDS, type FollowUpKind } from '../constants';
import { rowOf } from '../database/row';

/** An editor's follow-up mark on a news entry (`follow-up-mark` table); written only by ./follow-ups.service.ts. */
export interface FollowUpMarkRow {
  id: number;
  entryKey: string;
  originalDocumentId: string;
  kind: FollowUpKind;
  includeNew: boolean;
}

export function followUpMarkFromRow(raw: unknown): FollowUpMarkRow {
  const row = rowOf(raw, 'follow-up-mark');
  return { id: row.int('id'), entryKey: row.text('entryKey'), originalDocumentId: row.text('originalDocumentId'), kind: row.oneOf('kind', FOLLOW_UP_KINDS), includeNew: row.flag('includeNew') };
}

/** A mark read with `select: ['id']`. */
export const followUpMarkIdOf = (raw: unknown): number => rowOf(raw, 'follow-up-mark').int('id');
