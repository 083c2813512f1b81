import type { Core } from '@strapi/strapi';
import { UID, type ConsentEventType } from '../constants';
import { getService } from '../utils/get-service';
import { sha256 } from './tokens';
import { truncateIp } from './ip';
import { chunksOf } from '../utils/chunks';
import { idsFromRows } from '../database/row';
import { consentEventFromRow, type ConsentEventRow } from './consent-event.rows';

export interface ConsentEventInput {
  subscriberId: number | null;
  channel: string;
  type: ConsentEventType;
  method: string;
  consentVersion?: string | null;
  locale?: string;
  /** The citizen's language, on `requested` and `language-changed` events. */
  language?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  at?: Date;
  /** For `changed`: what the citizen chose now. */
  detail?: string | null;
}

/** The append-only consent ledger. Nothing here updates or deletes an event except retention. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The consent text a citizen sees for a version and locale, with its hash, or null if unknown. */
  consentText(version: string, locale: string) {
    const config = getService(strapi, 'runtime').config();
    const entry = config.consent.versions[version];
    if (!entry) return null;
    // Leichte Sprache without its own consent text shows the German one.
    const text = entry.text[locale] ?? (locale === 'de-x-ls' ? entry.text.de : undefined) ?? entry.text[config.defaultLocale] ?? Object.values(entry.text)[0];
    return { version, locale, text, sha256: sha256(text), privacyPolicyUrl: entry.privacyPolicyUrl };
  },

  async record(input: ConsentEventInput) {
    const shown = input.consentVersion ? this.consentText(input.consentVersion, input.locale ?? 'de') : null;
    await strapi.db.query(UID.consentEvent).create({
      data: {
        subscriber: input.subscriberId,
        channel: input.channel,
        type: input.type,
        method: input.method,
        consentVersion: input.consentVersion ?? null,
        consentTextHash: shown?.sha256 ?? null,
        ipTruncated: truncateIp(input.ip),
        userAgent: input.userAgent ? input.userAgent.slice(0, 255) : null,
        language: input.language ?? null,
        occurredAt: input.at ?? new Date(),
        ...(input.detail ? { detail: input.detail } : {}),
      },
    });
  },

  async countSince(subscriberId: number, type: ConsentEventType, since: Date): Promise<number> {
    return strapi.db.query(UID.consentEvent).count({ where: { subscriber: subscriberId, type, occurredAt: { $gte: since } } });
  },

  /** Deletes every ledger row of these subscribers (expiry and retention only). */
  async deleteForSubscribers(subscriberIds: number[]) {
    if (!subscriberIds.length) return;
    // The relation lives in a join table; filtering a bulk delete through it is not supported.
    // In chunks: SQLite and PostgreSQL refuse an `IN (…)` list past 32,766 or 65,535 values.
    for (const ids of chunksOf(subscriberIds, 1000)) {
      const rows: unknown[] = await strapi.db.query(UID.consentEvent).findMany({ where: { subscriber: { id: { $in: ids } } }, select: ['id'] });
      for (const events of chunksOf(idsFromRows(rows), 1000)) await strapi.db.query(UID.consentEvent).deleteMany({ where: { id: { $in: events } } });
    }
  },

  async forSubscriber(subscriberId: number): Promise<ConsentEventRow[]> {
    const rows: unknown[] = await strapi.db.query(UID.consentEvent).findMany({ where: { subscriber: subscriberId }, orderBy: { occurredAt: 'asc' } });
    return rows.map(consentEventFromRow);
  },
});
