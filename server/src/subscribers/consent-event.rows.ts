import { z } from 'zod';
import { CONSENT_EVENT_TYPES } from '../constants';
import { dateColumn, idColumn, parserOf } from '../database/row';

const text = z.string().nullable();

/**
 * The consent ledger's rows (database/row.ts). Loose: the export (GDPR Art. 15) hands out the
 * ledger as stored, so the columns Strapi adds itself (documentId, publishedAt, …) pass through.
 */
export const consentEventSchema = z.looseObject({
  id: idColumn,
  channel: z.string(),
  type: z.enum(CONSENT_EVENT_TYPES),
  method: z.string(),
  detail: text,
  language: text,
  consentVersion: text,
  consentTextHash: text,
  ipTruncated: text,
  userAgent: text,
  occurredAt: dateColumn,
});

export const consentEventFromRow = parserOf('consent-event', consentEventSchema);
export type ConsentEventRow = ReturnType<typeof consentEventFromRow>;
