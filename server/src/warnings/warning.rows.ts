import { z } from 'zod';
import { flagColumn, idColumn, nullable, optionalDateColumn, parserOf } from '../database/row';
import { WARNING_DRAFT_KINDS, WARNING_MESSAGE_TYPES, WARNING_SEVERITIES, WARNING_SOURCES, WARNING_STATES } from '../../../shared/contracts/warnings';

const draftEntry = z.object({ documentId: z.string(), kind: z.enum(WARNING_DRAFT_KINDS), createdAt: z.string() });

/** A `town_crier_official_warnings` row, parsed once where it is read: dates as Date, JSON columns checked. */
const warningRow = z.object({
  id: idColumn,
  key: z.string(),
  source: z.enum(WARNING_SOURCES),
  warningId: z.string(),
  version: z.string(),
  msgType: z.enum(WARNING_MESSAGE_TYPES),
  severity: z.enum(WARNING_SEVERITIES),
  state: z.enum(WARNING_STATES),
  event: nullable(z.string()),
  headline: z.string(),
  areaName: nullable(z.string()),
  areaCodes: nullable(z.array(z.string())),
  villages: nullable(z.array(z.string())),
  sourceChangedAt: optionalDateColumn,
  onset: optionalDateColumn,
  expires: optionalDateColumn,
  link: nullable(z.string()),
  draftUid: nullable(z.string()),
  draftDocumentId: nullable(z.string()),
  lastDraftDocumentId: nullable(z.string()),
  lastDraftKind: nullable(z.enum(WARNING_DRAFT_KINDS)),
  lastDraftAt: optionalDateColumn,
  drafts: nullable(z.array(draftEntry)),
  autoPublished: nullable(flagColumn),
});
export type WarningRow = z.infer<typeof warningRow>;

export const warningFromRow: (raw: unknown) => WarningRow = parserOf('official warning', warningRow);

/** Only the drafts made so far (a draft is appended to what the row holds now). */
const draftsColumn = warningRow.pick({ drafts: true });
const parseDraftsFromRow = parserOf('official warning', draftsColumn);
export const draftsFromRow = (raw: unknown) => parseDraftsFromRow(raw).drafts;
