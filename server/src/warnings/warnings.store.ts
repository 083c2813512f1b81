import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import type { WarningDraftKind, WarningSource, WarningState } from '../../../shared/contracts/warnings';
import { changedCount } from '../database/row';
import type { OfficialWarning } from './types';
import type { Validators } from './conditional-fetch';
import { draftsFromRow, warningFromRow, type WarningRow } from './warning.rows';
import { sourceFromRow, type SourceRow } from './warning-source.rows';

export type { WarningRow } from './warning.rows';
export type { SourceRow } from './warning-source.rows';

export const warningKey = (source: WarningSource, warningId: string) => `${source}|${warningId}`;

/** The fields of a warning that a new version may change. */
const versionFields = (warning: OfficialWarning, villages: string[]) => ({
  version: warning.version,
  msgType: warning.msgType,
  severity: warning.severity,
  event: warning.event?.slice(0, 250) ?? null,
  headline: warning.headline.slice(0, 250),
  areaName: warning.areaName,
  areaCodes: warning.areaCodes,
  villages,
  sourceChangedAt: warning.sentAt,
  onset: warning.onset,
  expires: warning.expires,
  link: warning.link,
});

/**
 * Every write of `town_crier_official_warnings` and `town_crier_warning_sources` (one writer per
 * table, docs/architecture.md). Claims are conditional writes, so two workers polling at the same
 * moment make one draft: the unique key for a new warning, the old version for a change.
 */
export function createWarningsStore(strapi: Core.Strapi) {
  const warnings = () => strapi.db.query(UID.officialWarning);
  const sources = () => strapi.db.query(UID.warningSource);

  return {
    async source(source: WarningSource): Promise<SourceRow | null> {
      const row = await sources().findOne({ where: { source } });
      return row ? sourceFromRow(row) : null;
    },

    async sources(): Promise<SourceRow[]> {
      const rows: unknown[] = await sources().findMany({});
      return rows.map(sourceFromRow);
    },

    async recordSuccess(source: WarningSource, validators: Validators, now: Date): Promise<void> {
      const data = { etag: validators.etag?.slice(0, 250) ?? null, lastModified: validators.lastModified?.slice(0, 250) ?? null, lastSuccessAt: now, failingSince: null, lastError: null };
      const existing = await this.source(source);
      if (existing) await sources().update({ where: { id: existing.id }, data });
      else await sources().create({ data: { source, ...data } }).catch(() => sources().updateMany({ where: { source }, data }));
    },

    /** Keeps the validators and the warnings as they were: only the failure is noted, and since when. */
    async recordFailure(source: WarningSource, error: string, now: Date): Promise<void> {
      const existing = await this.source(source);
      if (!existing) {
        await sources().create({ data: { source, failingSince: now, lastError: error } }).catch(() => undefined);
        return;
      }
      await sources().update({ where: { id: existing.id }, data: { lastError: error, failingSince: existing.failingSince ?? now } });
    },

    async find(source: WarningSource, warningId: string): Promise<WarningRow | null> {
      const row = await warnings().findOne({ where: { key: warningKey(source, warningId) } });
      return row ? warningFromRow(row) : null;
    },

    /** The stored warnings of `source` among `warningIds`, in one read. */
    async findMany(source: WarningSource, warningIds: string[]): Promise<WarningRow[]> {
      if (!warningIds.length) return [];
      const rows: unknown[] = await warnings().findMany({ where: { key: { $in: warningIds.map((warningId) => warningKey(source, warningId)) } } });
      return rows.map(warningFromRow);
    },

    /** Claims a warning seen for the first time; null when another worker claimed it first. */
    async claimNew(warning: OfficialWarning, villages: string[]): Promise<WarningRow | null> {
      try {
        return warningFromRow(
          await warnings().create({
            data: { key: warningKey(warning.source, warning.warningId), source: warning.source, warningId: warning.warningId.slice(0, 250), state: 'active', drafts: [], ...versionFields(warning, villages) },
          })
        );
      } catch (error) {
        if (await this.find(warning.source, warning.warningId)) return null;
        throw error;
      }
    },

    /** Moves a warning from the version this worker saw to the new one; false when another worker did. */
    async claimVersion(row: WarningRow, warning: OfficialWarning, villages: string[], state: WarningState): Promise<boolean> {
      return (changedCount(await warnings().updateMany({ where: { id: row.id, version: row.version }, data: { ...versionFields(warning, villages), state } })) ?? 0) > 0;
    },

    /** Ends a warning (cancelled, or run out); false when it had ended already. */
    async claimEnd(row: WarningRow, state: Exclude<WarningState, 'active'>): Promise<boolean> {
      return (changedCount(await warnings().updateMany({ where: { id: row.id, state: 'active' }, data: { state } })) ?? 0) > 0;
    },

    async recordDraft(row: WarningRow, draft: { uid: string; documentId: string; kind: WarningDraftKind; autoPublished?: boolean }, now: Date): Promise<void> {
      const current = await warnings().findOne({ where: { id: row.id }, select: ['drafts'] });
      const fresh = (current ? draftsFromRow(current) : null) ?? [];
      await warnings().update({
        where: { id: row.id },
        data: {
          ...(draft.kind === 'warning' ? { draftUid: draft.uid, draftDocumentId: draft.documentId, autoPublished: Boolean(draft.autoPublished) } : {}),
          lastDraftDocumentId: draft.documentId,
          lastDraftKind: draft.kind,
          lastDraftAt: now,
          drafts: [...fresh, { documentId: draft.documentId, kind: draft.kind, createdAt: now.toISOString() }],
        },
      });
    },

    async active(source: WarningSource): Promise<WarningRow[]> {
      const rows: unknown[] = await warnings().findMany({ where: { source, state: 'active' } });
      return rows.map(warningFromRow);
    },

    async countActive(source: WarningSource): Promise<number> {
      return warnings().count({ where: { source, state: 'active' } });
    },

    /** Warnings whose newest draft was made since `since`, newest first. */
    async recentDrafts(since: Date): Promise<WarningRow[]> {
      const rows: unknown[] = await warnings().findMany({ where: { lastDraftAt: { $gte: since } }, orderBy: { lastDraftAt: 'desc' }, limit: 20 });
      return rows.map(warningFromRow);
    },

    /** The warning a news entry was drafted from: its own draft or its newest follow-up. */
    async byDraft(documentId: string): Promise<WarningRow | null> {
      const row = await warnings().findOne({ where: { $or: [{ lastDraftDocumentId: documentId }, { draftDocumentId: documentId }] } });
      return row ? warningFromRow(row) : null;
    },
  };
}
export type WarningsStore = ReturnType<typeof createWarningsStore>;
