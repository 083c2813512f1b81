import { z } from 'zod';
import { strict } from './strict';
import { WARNING_SEVERITIES, WARNING_SOURCES } from '../../../shared/contracts/warnings';
import { VILLAGE_SLUG } from '../villages/villages';

/**
 * Official warnings as drafts (docs/warnings.md). Each source is optional and off until the
 * town names its area; nothing is polled without one.
 */

/** A DWD WarnCellID: nine digits (8 + the municipality's key for a Gemeinde, 1 + … for a Kreis). */
const warnCellId = z.string().regex(/^\d{9}$/, 'must be a nine-digit DWD WarnCellID, e.g. 801055012');
/** An Amtlicher Regionalschlüssel: twelve digits. */
const ars = z.string().regex(/^\d{12}$/, 'must be a twelve-digit Amtlicher Regionalschlüssel (ARS), e.g. 010550012012');
const villageCodes = <T extends z.ZodString>(code: T) =>
  z.record(z.string().regex(VILLAGE_SLUG, 'must be the slug of one of town.villages'), code).default({});

export const warningsConfigSchema = strict.object({
  /** How often each worker asks the sources. DWD updates its file every few minutes. */
  pollEverySeconds: z.number().int().positive().default(300),
  /** Weather warnings of the Deutscher Wetterdienst (open data, GeoNutzV: relayed with attribution). */
  dwd: strict
    .object({
      warnCellIds: strict.object({
        /** The town's own cell. */
        municipality: warnCellId,
        /** Villages that lie in another cell than the town's: their warnings name only those villages. */
        villages: villageCodes(warnCellId),
      }),
      url: z.string().url().default('https://www.dwd.de/DWD/warnungen/warnapp/json/warnings.json'),
      /** Where a draft's "more" link points: the DWD's own warning page. */
      linkUrl: z.string().url().default('https://www.dwd.de/DE/wetter/warnungen_gemeinden/warnWetter_node.html'),
    })
    .optional(),
  /** Warnings of the district through NINA (MoWaS, KATWARN, BIWAPP, police, flood portals). */
  nina: strict
    .object({
      /** The district's ARS; NINA's dashboard serves districts only (the last seven digits are zeros). */
      ars: ars.refine((value) => value.endsWith('0000000'), 'must be the district’s ARS, ending in 0000000'),
      areaCodes: strict.object({
        /** The town's own ARS: warnings for it, or for the whole district, concern the town. */
        municipality: ars,
        /** Villages with codes of their own (e.g. a former municipality's ARS). */
        villages: villageCodes(ars),
      }),
      url: z.string().url().default('https://warnung.bund.de/api31'),
      /**
       * Relay the full official text. Off by default: MoWaS texts may be relayed under the BBK's
       * terms for warning multipliers only (docs/warnings.md); without them the draft carries the
       * headline, severity, area and a link to warnung.bund.de.
       */
      fullText: z.boolean().default(false),
    })
    .optional(),
  /** The news type drafts are created in; defaults to the first of `contentTypes`. */
  contentType: z.string().regex(/^api::[\w-]+\.[\w-]+$/, 'must be a UID like api::article.article').optional(),
  /** A topic value written into the mapped topic field of each draft, e.g. `notfaelle`. */
  topic: z.string().min(1).optional(),
  /** Tell the editors by e-mail (Strapi's email plugin); the admin's banner shows new drafts either way. */
  notifyByEmail: z.boolean().default(true),
  /** Who is told at once by e-mail; empty: every active admin user. */
  notifyEmails: z.array(z.email()).max(50).default([]),
  /**
   * Published at once instead of drafted, per source from a minimum severity. Only together with
   * `broadcast.approval.emergency: 'send-then-approve'`, so a person is always on record.
   */
  autoPublish: z.array(strict.object({ source: z.enum(WARNING_SOURCES), minSeverity: z.enum(WARNING_SEVERITIES) })).max(2).default([]),
});
export type WarningsConfig = z.infer<typeof warningsConfigSchema>;
