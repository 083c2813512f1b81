import { rowOf, rowsOf } from '../database/row';

/** A publish that still has to become a broadcast (a `publish-intent` row); written only by ./publish-outbox.service.ts. */
export interface PublishIntent {
  id: number;
  sourceUid: string;
  entryDocumentId: string;
  entryLocale: string | null;
  attempts: number;
  /** Until when the process that wrote it carries it out. */
  leaseUntil: Date | null;
  actor: string | null;
  /** The admin user who published (null for a script or API client). */
  publishedBy: number | null;
  /** When the publish happened (`createdAt`, written by `record` on the lease's clock). */
  recordedAt: Date | null;
}

export function publishIntentFromRow(raw: unknown): PublishIntent {
  const row = rowOf(raw, 'publish-intent');
  return {
    id: row.int('id'),
    sourceUid: row.text('sourceUid'),
    entryDocumentId: row.text('entryDocumentId'),
    entryLocale: row.textOrNull('entryLocale'),
    attempts: row.intOrNull('attempts') ?? 0,
    leaseUntil: row.date('leaseUntil'),
    actor: row.textOrNull('actor'),
    publishedBy: row.intOrNull('publishedBy'),
    recordedAt: row.date('createdAt'),
  };
}

export const publishIntentsFromRows = (raw: unknown): PublishIntent[] => rowsOf(raw, publishIntentFromRow);
