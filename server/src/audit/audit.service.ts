import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { PLUGIN_ID, UID } from '../constants';
import { maskedMessage } from '../utils/log';
import { DAY_MS } from '../utils/time';
import { retryTransient } from '../utils/transient-db';
import { getService } from '../utils/get-service';
import { AUDIT_TARGET_OF, type AuditAction, type AuditActor, type AuditActorKind, type AuditDetails, type AuditEvent } from '../../../shared/contracts/audit';
import type { Pagination } from '../../../shared/contracts/admin-api';
import { auditCsv } from './audit-csv';
import type { AuditActorInput } from './actor';
import { auditActorFromRow, auditEventFromRow, idFromRow, type AuditEventRow } from './audit-event.rows';
import { adminUsersOf } from '../admins/admin-users';
import { changedCount } from '../database/row';

/** What `record` takes: the action, who did it, what it concerns, and the action's own facts. */
export interface AuditRecordInput<Action extends AuditAction = AuditAction> {
  action: Action;
  /** An admin user's id, `'system'` (retention, a scheduled release), or an API token by name. */
  actorId: AuditActorInput;
  /** The broadcast: its announcement's documentId. */
  broadcastId?: string | null;
  /** The citizen: the subscriber's id (never an address). */
  subscriberId?: number | null;
  details?: AuditDetails<Action>;
  /**
   * Makes the event appear once however often the action is carried out (a publish that the
   * reconciler carries out again): a second record with the same key is a no-op.
   */
  onceKey?: string;
}

export interface AuditFilter {
  action?: AuditAction;
  actorKind?: AuditActorKind;
  actorId?: number;
  broadcastId?: string;
  subscriberId?: number;
  from?: Date;
  to?: Date;
}

/** An announcement's title, for the event's own copy of it. */
const titleColumn = z.object({ title: z.string().nullish() }).nullish();

/** Rows per read when the CSV walks the whole filter; the CSV stops at CSV_MAX_ROWS and says so. */
const CSV_PAGE = 500;
export const CSV_MAX_ROWS = 100_000;
/** Events deleted per statement by retention. */
const PURGE_CHUNK = 500;
/** The approver's note and other admin-typed text in details are kept short. */
const MAX_DETAIL_TEXT = 500;

/**
 * The audit trail (`town_crier_audit_events`): the one writer of the table. `record` is called
 * after an action succeeded; an event that cannot be written after the transient-error retries is
 * logged (action and ids, nothing personal) and the action's answer stands: the action happened.
 * Nobody deletes events but `purgeExpired` (retention, `audit.retentionDays`).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const events = () => strapi.db.query(UID.auditEvent);
  const config = () => getService(strapi, 'runtime').config().audit;

  const actorOf = async (actor: AuditActorInput): Promise<{ actorKind: AuditActorKind; actorId: number | null; actorName: string | null }> => {
    if (actor === 'system') return { actorKind: 'system', actorId: null, actorName: null };
    if (typeof actor === 'object') return { actorKind: 'api-token', actorId: null, actorName: actor.name };
    // The admin's name, not their e-mail: the trail is exported as CSV and read by many.
    return { actorKind: 'admin', actorId: actor, actorName: await adminUsersOf(strapi).personalNameOf(actor) };
  };

  const titleOf = async (documentId: string): Promise<string | null> => {
    const row: unknown = await strapi.db.query(UID.announcement).findOne({ where: { documentId }, select: ['title'], orderBy: { publishedAt: 'desc' } });
    return titleColumn.parse(row)?.title ?? null;
  };

  const whereOf = (filter: AuditFilter) => {
    const occurredAt: Record<string, Date> = {};
    if (filter.from) occurredAt.$gte = filter.from;
    if (filter.to) occurredAt.$lt = filter.to;
    return {
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.actorKind ? { actorKind: filter.actorKind } : {}),
      ...(filter.actorId ? { actorId: filter.actorId } : {}),
      ...(filter.broadcastId ? { announcementDocumentId: filter.broadcastId } : {}),
      ...(filter.subscriberId ? { subscriberId: filter.subscriberId } : {}),
      ...(Object.keys(occurredAt).length ? { occurredAt } : {}),
    };
  };

  const present = (raw: unknown): AuditEvent => {
    const row: AuditEventRow = auditEventFromRow(raw);
    return {
      id: row.id,
      occurredAt: row.occurredAt.toISOString(),
      action: row.action,
      actorKind: row.actorKind,
      actorId: row.actorId,
      actorName: row.actorName,
      broadcastId: row.announcementDocumentId,
      broadcastTitle: row.announcementTitle,
      subscriberId: row.subscriberId,
      details: row.details ?? {},
    };
  };

  return {
    /** Writes one event (see the service's comment for what happens when it cannot). Answers whether a row was written. */
    async record<Action extends AuditAction>(input: AuditRecordInput<Action>, now = new Date()): Promise<boolean> {
      try {
        return await retryTransient(async () => {
          if (input.onceKey && (await events().count({ where: { onceKey: input.onceKey } }))) return false;
          const target = AUDIT_TARGET_OF[input.action];
          const broadcastId = target === 'broadcast' ? (input.broadcastId ?? null) : null;
          const data = {
            occurredAt: now,
            action: input.action,
            ...(await actorOf(input.actorId)),
            announcementDocumentId: broadcastId,
            announcementTitle: broadcastId ? await titleOf(broadcastId) : null,
            subscriberId: target === 'subscriber' ? (input.subscriberId ?? null) : null,
            details: boundedDetails(input.details),
            onceKey: input.onceKey ?? null,
          };
          try {
            await events().create({ data });
            return true;
          } catch (error) {
            // A concurrent record with the same key won the unique index: the event is there once.
            if (input.onceKey && (await events().count({ where: { onceKey: input.onceKey } }))) return false;
            throw error;
          }
        });
      } catch (error) {
        strapi.log.error(
          `[${PLUGIN_ID}] audit: could not record "${input.action}" (broadcast ${input.broadcastId ?? '-'}, subscriber ${input.subscriberId ?? '-'}): ${maskedMessage(error)}`
        );
        return false;
      }
    },

    async list(filter: AuditFilter, { page = 1, pageSize = 25 }: { page?: number; pageSize?: number } = {}): Promise<{ results: AuditEvent[]; pagination: Pagination }> {
      const where = whereOf(filter);
      const [rows, total]: [unknown[], number] = await Promise.all([
        events().findMany({ where, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }], offset: (page - 1) * pageSize, limit: pageSize }),
        events().count({ where }),
      ]);
      return { results: rows.map(present), pagination: { page, pageSize, total, pageCount: Math.max(1, Math.ceil(total / pageSize)) } };
    },

    /** Everyone who appears in the trail, for the page's filter (the name of their latest event). */
    async actors(): Promise<AuditActor[]> {
      const rows: unknown[] = await events().findMany({ select: ['actorKind', 'actorId', 'actorName'], orderBy: { id: 'desc' }, limit: 5000 });
      const seen = new Map<string, AuditActor>();
      for (const row of rows.map(auditActorFromRow)) {
        const key = `${row.actorKind}:${row.actorId ?? row.actorName ?? ''}`;
        if (!seen.has(key)) seen.set(key, { actorKind: row.actorKind, actorId: row.actorId ?? null, actorName: row.actorName ?? null });
      }
      return [...seen.values()].sort((a, b) => (a.actorName ?? '').localeCompare(b.actorName ?? '', 'de'));
    },

    /** The filtered trail as CSV, newest first, at most CSV_MAX_ROWS events. */
    async csv(filter: AuditFilter): Promise<string> {
      const where = whereOf(filter);
      const rows: AuditEvent[] = [];
      for (let offset = 0; offset < CSV_MAX_ROWS; offset += CSV_PAGE) {
        const page: unknown[] = await events().findMany({ where, orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }], offset, limit: CSV_PAGE });
        rows.push(...page.map(present));
        if (page.length < CSV_PAGE) break;
      }
      return auditCsv(rows);
    },

    /** Retention: deletes events older than `audit.retentionDays`. Answers how many. */
    async purgeExpired(now = new Date()): Promise<number> {
      const cutoff = new Date(now.getTime() - config().retentionDays * DAY_MS);
      let deleted = 0;
      for (;;) {
        const rows: unknown[] = await events().findMany({ where: { occurredAt: { $lt: cutoff } }, select: ['id'], limit: PURGE_CHUNK });
        if (!rows.length) return deleted;
        deleted += changedCount(await events().deleteMany({ where: { id: { $in: rows.map(idFromRow) } } })) ?? rows.length;
        if (rows.length < PURGE_CHUNK) return deleted;
      }
    },
  };
};

/** Details as stored: a plain object, admin-typed text cut to MAX_DETAIL_TEXT characters. */
function boundedDetails(details: unknown): Record<string, unknown> {
  if (!details || typeof details !== 'object') return {};
  return Object.fromEntries(
    Object.entries(details as Record<string, unknown>)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, typeof value === 'string' ? value.slice(0, MAX_DETAIL_TEXT) : value])
  );
}
