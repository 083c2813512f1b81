import type { ContentTypeMapping } from '../config/schema';
import type { Urgency } from '../constants';
import type { WarningDraftKind, WarningSeverity } from '../../../shared/contracts/warnings';
import type { OfficialWarning } from './types';

/** minor/moderate → info/important, severe/extreme → emergency (goes out at once, also in quiet hours). */
export function urgencyOfSeverity(severity: WarningSeverity): Urgency {
  if (severity === 'extreme' || severity === 'severe') return 'emergency';
  return severity === 'moderate' ? 'important' : 'info';
}

/** The value the town's urgency field takes for an urgency: its own word from `urgencyValues`, else the shared word. */
export function urgencyFieldValue(mapping: ContentTypeMapping, urgency: Urgency): string {
  const own = Object.entries(mapping.urgencyValues ?? {}).find(([, value]) => value === urgency);
  return own ? own[0] : urgency;
}

export const SEVERITY_WORDS: Record<WarningSeverity, string> = {
  minor: 'Wetterwarnung / geringe Gefahr',
  moderate: 'erhebliche Gefahr',
  severe: 'Unwetterwarnung / große Gefahr',
  extreme: 'extreme Gefahr',
};

const TITLE_PREFIX: Record<WarningDraftKind, string> = { warning: '', update: 'Aktualisiert: ', 'all-clear': 'Entwarnung: ' };

const formatTime = (date: Date | null, timeZone: string) =>
  date ? new Intl.DateTimeFormat('de-DE', { timeZone, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' }).format(date) + ' Uhr' : null;

export interface DraftText {
  title: string;
  text: string;
}

/**
 * The draft's title and text, in German (the town's editors read and change it before publishing).
 * DWD texts are relayed in full with the DWD's attribution (GeoNutzV). NINA texts only with
 * `fullText`: by default the draft has the headline, severity, area and the link (docs/warnings.md).
 */
export function draftText(warning: OfficialWarning, kind: WarningDraftKind, options: { fullText: boolean; timeZone: string; ended?: 'cancelled' | 'expired' }): DraftText {
  const title = `${TITLE_PREFIX[kind]}${warning.headline}`.slice(0, 250);
  const lines: string[] = [];
  if (kind === 'all-clear') {
    lines.push(options.ended === 'expired' ? 'Die amtliche Warnung ist abgelaufen und wurde nicht verlängert.' : 'Die amtliche Warnung wurde aufgehoben.');
  } else {
    const from = formatTime(warning.onset, options.timeZone);
    const until = formatTime(warning.expires, options.timeZone);
    lines.push(`${kind === 'update' ? 'Die amtliche Warnung wurde geändert. ' : ''}Stufe: ${SEVERITY_WORDS[warning.severity]}.${warning.areaName ? ` Gebiet: ${warning.areaName}.` : ''}`);
    if (from || until) lines.push(`Gültig${from ? ` ab ${from}` : ''}${until ? ` bis ${until}` : ''}.`);
    if (options.fullText) {
      if (warning.description) lines.push(stripTags(warning.description));
      if (warning.instruction) lines.push(stripTags(warning.instruction));
    }
  }
  if (warning.link) lines.push(`Die amtliche Meldung: ${warning.link}`);
  lines.push(`Quelle: ${warning.attribution}`);
  return { title, text: lines.join('\n\n') };
}

/** NINA's descriptions carry `<br/>` and the odd tag; the draft is plain text. */
export function stripTags(value: string): string {
  return value
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .trim();
}
