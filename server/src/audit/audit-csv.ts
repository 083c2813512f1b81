import type { AuditEvent } from '../../../shared/contracts/audit';

const COLUMNS = ['occurredAt', 'action', 'actorKind', 'actorId', 'actorName', 'broadcastId', 'broadcastTitle', 'subscriberId', 'details'] as const;

/**
 * The audit trail as CSV: one event per line, the details as JSON in one column. It holds what the
 * events hold (no citizen's address, number or name: there is none to write).
 */
export function auditCsv(events: AuditEvent[]): string {
  const lines = [COLUMNS.join(',')];
  for (const event of events) {
    lines.push(
      [
        event.occurredAt,
        event.action,
        event.actorKind,
        event.actorId ?? '',
        event.actorName ?? '',
        event.broadcastId ?? '',
        event.broadcastTitle ?? '',
        event.subscriberId ?? '',
        Object.keys(event.details).length ? JSON.stringify(event.details) : '',
      ]
        .map(csvField)
        .join(',')
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * RFC 4180 quoting, plus a leading apostrophe for text a spreadsheet would run as a formula
 * (titles and names are typed by people).
 */
function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
