import { createHash } from 'node:crypto';
import type { WarningSeverity } from '../../../shared/contracts/warnings';
import type { OfficialWarning, TownAreaCodes } from './types';
import { coveredCodes } from './area';

/**
 * The DWD's open-data warnings file (`warnapp/json/warnings.json`), as published: JSONP,
 * `warnWetter.loadWarnings({"time":…,"warnings":{"<warncellid>":[{…}]},"vorabInformation":{…},
 * "copyright":"Copyright Deutscher Wetterdienst"});`, each warning with `state`, `type`, `level`
 * (1 Wetterwarnung … 4 extremes Unwetter), `start`/`end` in epoch milliseconds (`end` may be null),
 * `regionName`, `event`, `headline`, `description`, `instruction`, `altitudeStart`, `altitudeEnd`.
 * The file carries no warning id: a warning is its `type`, `event` and `start` (the DWD repeats
 * them unchanged in every version), and a version is a hash of what can change.
 */
export interface DwdFileWarning {
  state?: string;
  type?: number;
  level?: number;
  start?: number;
  end?: number | null;
  regionName?: string;
  event?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  altitudeStart?: number | null;
  altitudeEnd?: number | null;
}

export interface DwdFile {
  time?: number;
  warnings?: Record<string, DwdFileWarning[]>;
  vorabInformation?: Record<string, DwdFileWarning[]>;
  copyright?: string;
}

/** The JSON inside `warnWetter.loadWarnings(…);` (plain JSON is accepted too). */
export function unwrapJsonp(body: string): DwdFile {
  const text = body.trim();
  const start = text.indexOf('(');
  const end = text.lastIndexOf(')');
  const json = text.startsWith('{') ? text : start >= 0 && end > start ? text.slice(start + 1, end) : '';
  const parsed = JSON.parse(json) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('DWD warnings file is not an object');
  return parsed as DwdFile;
}

/**
 * DWD levels 1–4 are CAP's minor, moderate, severe, extreme. Heat and UV warnings use levels of
 * their own (10, 11, 20, 50 …: "starke/extreme Hitze"); they are treated as moderate, so a
 * town's auto-publish rule for severe or extreme never fires on them unread.
 */
export function dwdSeverity(level: number | undefined): WarningSeverity {
  if (level === 4) return 'extreme';
  if (level === 3) return 'severe';
  if (level === 2) return 'moderate';
  if (level === 1 || level === 0 || level === undefined) return 'minor';
  return 'moderate';
}

const toDate = (ms: number | null | undefined) => (typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms) : null);

/**
 * The warnings of the file that concern the town: one per warning, however many of the town's
 * cells carry it, with the cells in `areaCodes`. Pre-announcements (`vorabInformation`) are not
 * warnings and are left out.
 */
export function dwdWarningsFor(file: DwdFile, town: TownAreaCodes, linkUrl: string): OfficialWarning[] {
  const byId = new Map<string, { warning: DwdFileWarning; cells: string[] }>();
  for (const [cell, warnings] of Object.entries(file.warnings ?? {})) {
    if (!coveredCodes([cell], town, 'warncell').length || !Array.isArray(warnings)) continue;
    for (const warning of warnings) {
      if (!warning || typeof warning.start !== 'number' || !warning.event) continue;
      const id = `dwd:${warning.type ?? 'x'}:${warning.event}:${warning.start}`;
      const entry = byId.get(id) ?? { warning, cells: [] };
      entry.cells.push(cell);
      byId.set(id, entry);
    }
  }
  const sentAt = toDate(file.time) ?? new Date();
  return [...byId.entries()].map(([warningId, { warning, cells }]) => {
    const version = createHash('sha256')
      .update(JSON.stringify([warning.level, warning.end, warning.headline, warning.description, warning.instruction]))
      .digest('hex')
      .slice(0, 16);
    return {
      source: 'dwd',
      warningId,
      version,
      // The file has no message type: a known id with another version is an update (the poller decides).
      msgType: 'Alert',
      severity: dwdSeverity(warning.level),
      event: warning.event ?? null,
      headline: String(warning.headline ?? warning.event ?? 'Amtliche Warnung').slice(0, 250),
      description: warning.description ?? null,
      instruction: warning.instruction ?? null,
      areaName: warning.regionName ?? null,
      areaCodes: coveredCodes(cells, town, 'warncell'),
      sentAt,
      onset: toDate(warning.start),
      expires: toDate(warning.end),
      link: linkUrl,
      attribution: 'Deutscher Wetterdienst',
    } satisfies OfficialWarning;
  });
}
