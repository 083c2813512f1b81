import type { WarningMessageType, WarningSeverity } from '../../../shared/contracts/warnings';
import { WARNING_SEVERITIES } from '../../../shared/contracts/warnings';
import type { OfficialWarning, TownAreaCodes } from './types';
import { coveredCodes } from './area';

/**
 * NINA's API as bundesAPI/nina-api's openapi.yaml describes warnung.bund.de/api31:
 * `GET /dashboard/{ARS}.json` (district level, last seven digits zero) answers a list of
 * `{ id, payload: { version, type, id, hash, data: { headline, provider, severity, msgType,
 * transKeys: { event }, area: { type, data } } }, i18nTitle: { de }, sent }`, and
 * `GET /warnings/{identifier}.json` the CAP message: `identifier, sender, sent, status, msgType,
 * scope, references, info: [{ event, urgency, severity, certainty, headline, description,
 * instruction, web, senderName, expires, area: [{ areaDesc, geocode: [{ valueName, value }] }] }]`.
 */
export interface NinaDashboardItem {
  id?: string;
  payload?: {
    version?: number;
    type?: string;
    id?: string;
    hash?: string;
    data?: { headline?: string; provider?: string; severity?: string; msgType?: string; transKeys?: { event?: string }; area?: { type?: string; data?: string } };
  };
  i18nTitle?: { de?: string };
  sent?: string;
}

export interface NinaCapMessage {
  identifier?: string;
  sender?: string;
  sent?: string;
  status?: string;
  msgType?: string;
  references?: string;
  info?: Array<{
    language?: string;
    event?: string;
    severity?: string;
    headline?: string;
    description?: string;
    instruction?: string;
    web?: string;
    senderName?: string;
    effective?: string;
    onset?: string;
    expires?: string;
    area?: Array<{ areaDesc?: string; geocode?: Array<{ valueName?: string; value?: string }> }>;
  }>;
}

/** A dashboard entry: what the poller needs to decide whether to read the full message. */
export interface NinaListing {
  id: string;
  version: string;
  msgType: WarningMessageType;
}

export function ninaMessageType(value: string | undefined): WarningMessageType {
  const lower = (value ?? '').toLowerCase();
  if (lower === 'cancel') return 'Cancel';
  if (lower === 'update') return 'Update';
  return 'Alert';
}

export function ninaSeverity(value: string | undefined): WarningSeverity {
  const lower = (value ?? '').toLowerCase() as WarningSeverity;
  // CAP's "Unknown" (and anything else) reads as minor: no auto-publish fires on it.
  return WARNING_SEVERITIES.includes(lower) ? lower : 'minor';
}

/** The dashboard's entries; an entry without id is skipped. The version is the payload's version, else its hash. */
export function ninaDashboard(body: unknown): NinaListing[] {
  if (!Array.isArray(body)) throw new Error('NINA dashboard is not a list');
  return (body as NinaDashboardItem[]).flatMap((item) => {
    const id = item?.id ?? item?.payload?.id;
    if (!id) return [];
    const version = item.payload?.version !== undefined ? String(item.payload.version) : (item.payload?.hash ?? item.sent ?? '0');
    return [{ id, version, msgType: ninaMessageType(item.payload?.data?.msgType) }];
  });
}

const toDate = (value: string | undefined) => {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** The geocodes of a CAP message's areas: ARS values (`valueName` "ARS"/"AreaId"/"ZGEM"/…); "1+11057100001"-style lists split. */
function geocodesOf(message: NinaCapMessage): string[] {
  return (message.info ?? []).flatMap((info) =>
    (info.area ?? []).flatMap((area) => (area.geocode ?? []).flatMap((code) => String(code.value ?? '').split(/[+,;\s]/).filter((part) => /^\d{5,12}$/.test(part))))
  );
}

/**
 * The CAP message as a warning for the town, or a warning with no `areaCodes` when none of its
 * areas covers the town (a neighbouring municipality's). The German `info` block is read.
 */
export function ninaWarning(message: NinaCapMessage, listing: NinaListing, town: TownAreaCodes, publicUrl: string): OfficialWarning {
  const info = message.info?.find((block) => (block.language ?? 'de').toLowerCase().startsWith('de')) ?? message.info?.[0] ?? {};
  // An Update or Cancel may come as a message of its own that names the original in `references`
  // ("sender,identifier,sent …"): the warning keeps the original's id, so it continues that thread.
  const referenced = message.references?.trim().split(/\s+/)[0]?.split(',')[1];
  const id = (message.msgType && ninaMessageType(message.msgType) !== 'Alert' && referenced) || message.identifier || listing.id;
  return {
    source: 'nina',
    warningId: id,
    version: listing.version,
    msgType: ninaMessageType(message.msgType ?? listing.msgType),
    severity: ninaSeverity(info.severity),
    event: info.event ?? null,
    headline: String(info.headline ?? 'Amtliche Warnung').slice(0, 250),
    description: info.description ?? null,
    instruction: info.instruction ?? null,
    areaName: info.area?.map((area) => area.areaDesc).filter(Boolean).join(', ') || null,
    areaCodes: coveredCodes(geocodesOf(message), town, 'ars'),
    sentAt: toDate(message.sent) ?? new Date(),
    onset: toDate(info.onset ?? info.effective),
    expires: toDate(info.expires),
    link: `${publicUrl.replace(/\/$/, '')}/meldungen/${encodeURIComponent(message.identifier ?? id)}/`,
    attribution: info.senderName ?? 'Bundesamt für Bevölkerungsschutz und Katastrophenhilfe (NINA)',
  };
}
