import type { WarningMessageType, WarningSeverity, WarningSource } from '../../../shared/contracts/warnings';

/**
 * A warning as both sources are read into: one shape for the poller, whatever the payload was.
 * `areaCodes` are the town's configured codes (WarnCellIDs or ARS) the warning covers: the
 * municipality's code means the whole town, village codes only those villages.
 */
export interface OfficialWarning {
  source: WarningSource;
  /** Stable across versions of the warning (NINA's identifier; for DWD see dwd.ts). */
  warningId: string;
  /** Changes with every new version at the source: what dedupes a poll. */
  version: string;
  msgType: WarningMessageType;
  severity: WarningSeverity;
  event: string | null;
  headline: string;
  description: string | null;
  instruction: string | null;
  /** The area as the source names it ("Gemeinde Musterstadt", "Kreis Ostholstein"). */
  areaName: string | null;
  /** Configured codes of the town the warning covers; empty: it does not concern the town. */
  areaCodes: string[];
  /** When the source sent this version. */
  sentAt: Date;
  onset: Date | null;
  expires: Date | null;
  /** The warning at its source, for the draft's link. */
  link: string | null;
  /** The name to credit ("Deutscher Wetterdienst", the NINA sender's name). */
  attribution: string;
}

/** The town's codes for a source: the municipality's and those of villages that have their own. */
export interface TownAreaCodes {
  municipality: string;
  villages: Record<string, string>;
}
