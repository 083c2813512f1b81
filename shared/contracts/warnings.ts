/**
 * Official warnings (DWD weather warnings, NINA/MoWaS warnings of the district) that become
 * drafts in the town's news type: the vocabulary server and admin share.
 */

/** Where a warning came from. */
export const WARNING_SOURCES = ['dwd', 'nina'] as const;
export type WarningSource = (typeof WARNING_SOURCES)[number];

/** CAP severities, lower-cased, mildest first (DWD levels 1–4 are these four). */
export const WARNING_SEVERITIES = ['minor', 'moderate', 'severe', 'extreme'] as const;
export type WarningSeverity = (typeof WARNING_SEVERITIES)[number];

/** CAP message types: a new warning, a changed one, a cancelled one. */
export const WARNING_MESSAGE_TYPES = ['Alert', 'Update', 'Cancel'] as const;
export type WarningMessageType = (typeof WARNING_MESSAGE_TYPES)[number];

/** Where a warning stands for the town: still in force, cancelled by its source, or run out without a cancel. */
export const WARNING_STATES = ['active', 'cancelled', 'expired'] as const;
export type WarningState = (typeof WARNING_STATES)[number];

/** What a draft made from a warning is: the warning itself, an update of it, or its all-clear. */
export const WARNING_DRAFT_KINDS = ['warning', 'update', 'all-clear'] as const;
export type WarningDraftKind = (typeof WARNING_DRAFT_KINDS)[number];

/** Whether a severity is at least `minimum`. */
export const severityAtLeast = (severity: WarningSeverity, minimum: WarningSeverity) => WARNING_SEVERITIES.indexOf(severity) >= WARNING_SEVERITIES.indexOf(minimum);

/** One source as the channel status page shows it. */
export interface WarningSourceStatus {
  source: WarningSource;
  /** When the source last answered (200 or 304). */
  lastSuccessAt: string | null;
  /** Since when it fails without a success in between; null while it works. */
  failingSince: string | null;
  /** The last failure in words (an HTTP status or a network error), never a URL with credentials. */
  lastError: string | null;
  /** Warnings in force for the town from this source. */
  activeWarnings: number;
}

/** A draft made from a warning that nobody has published yet: the admin's banner. */
export interface WarningDraftNotice {
  source: WarningSource;
  kind: WarningDraftKind;
  headline: string;
  severity: WarningSeverity;
  contentType: string;
  documentId: string;
  createdAt: string;
  /** Published at once by an auto-publish rule: a person still has to approve it afterwards. */
  autoPublished: boolean;
}

export interface OfficialWarningsOverview {
  sources: WarningSourceStatus[];
  drafts: WarningDraftNotice[];
}

/** The side panel's word on a draft made from an official warning. */
export interface OfficialWarningOrigin {
  source: WarningSource;
  kind: WarningDraftKind;
  severity: WarningSeverity;
  event: string | null;
  /** The warning's area as the source names it. */
  areaName: string | null;
  /** When the source last changed the warning (its sent time). */
  sourceChangedAt: string | null;
  /** The warning at its source. */
  link: string | null;
  state: WarningState;
}
