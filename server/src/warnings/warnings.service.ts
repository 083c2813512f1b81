import type { Core } from '@strapi/strapi';
import { toDate } from '../utils/time';
import { PLUGIN_ID } from '../constants';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';
import { severityAtLeast, type OfficialWarningOrigin, type OfficialWarningsOverview, type WarningDraftKind, type WarningSource } from '../../../shared/contracts/warnings';
import { conditionalGet, sourceErrorText, type Validators } from './conditional-fetch';
import { dwdWarningsFor, unwrapJsonp } from './dwd';
import { ninaDashboard, ninaWarning, type NinaCapMessage } from './nina';
import { villagesOfCodes } from './area';
import { draftText } from './draft-content';
import { draftContentType, draftFields } from './news-draft';
import { urgencyOfValue } from '../announcements/urgency';
import { notifyEditors, type NoticeKind } from './notify';
import type { OfficialWarning, TownAreaCodes } from './types';
import { createWarningsStore, warningKey, type WarningRow } from './warnings.store';

const NINA_PUBLIC_URL = 'https://warnung.bund.de';
/** How long the admin's banner shows a draft nobody has published. */
const BANNER_HOURS = 48;

/** Stored warnings a poll has read already and that are unchanged at the source, by warning id. */
type KnownRows = Map<string, WarningRow>;

const iso = (value: string | Date | null | undefined) => toDate(value)?.toISOString() ?? null;

/**
 * Official warnings for the town's own area, as drafts in its news type (docs/warnings.md).
 * Each worker polls on its timer (`workers/`); a poll reads each configured source with a
 * conditional GET, and for every warning that concerns the town: a new one becomes a draft, a new
 * version a draft update, a cancel or a warning that ran out a draft all-clear, both marked as
 * follow-ups of the broadcast the warning became. A source that fails changes nothing but its
 * status: its warnings stay as they were until it answers again.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const store = createWarningsStore(strapi);
  let chain: Promise<unknown> = Promise.resolve();

  const townCodes = (codes: { municipality: string; villages: Record<string, string> }): TownAreaCodes => ({ municipality: codes.municipality, villages: codes.villages });

  const configuredSources = (): WarningSource[] => {
    const warnings = runtime().config().warnings;
    return [...(warnings.dwd ? (['dwd'] as const) : []), ...(warnings.nina ? (['nina'] as const) : [])];
  };

  /**
   * The warnings a source has for the town now, or null when it answered 304 (nothing changed).
   * `known`: the stored rows of NINA warnings whose version was handled already (read in one query
   * to skip their full message), so the poll does not look them up a second time. A new or changed
   * warning is looked up again when it is compared: its message was fetched meanwhile, and another
   * worker may have claimed it.
   */
  const read = async (source: WarningSource, validators: Validators | null): Promise<{ warnings: OfficialWarning[] | null; validators: Validators; known: KnownRows }> => {
    const known: KnownRows = new Map();
    const config = runtime().config().warnings;
    if (source === 'dwd' && config.dwd) {
      const answer = await conditionalGet(config.dwd.url, validators);
      if (answer.notModified) return { warnings: null, validators: answer.validators, known };
      return { warnings: dwdWarningsFor(unwrapJsonp(answer.body), townCodes(config.dwd.warnCellIds), config.dwd.linkUrl), validators: answer.validators, known };
    }
    const nina = config.nina!;
    const base = nina.url.replace(/\/$/, '');
    const answer = await conditionalGet(`${base}/dashboard/${nina.ars}.json`, validators);
    if (answer.notModified) return { warnings: null, validators: answer.validators, known };
    const listings = ninaDashboard(JSON.parse(answer.body));
    const stored = new Map((await store.findMany('nina', listings.map((listing) => listing.id))).map((row) => [row.key, row]));
    const warnings: OfficialWarning[] = [];
    for (const listing of listings) {
      const row = stored.get(warningKey('nina', listing.id));
      // A version already handled needs no second read of the full message.
      if (row && row.version === listing.version) {
        warnings.push(rowAsWarning(row));
        known.set(row.warningId, row);
        continue;
      }
      const detail = await conditionalGet(`${base}/warnings/${encodeURIComponent(listing.id)}.json`, null);
      if (detail.notModified) continue;
      warnings.push(ninaWarning(JSON.parse(detail.body) as NinaCapMessage, listing, townCodes(nina.areaCodes), NINA_PUBLIC_URL));
    }
    return { warnings, validators: answer.validators, known };
  };

  /** A stored warning as the poller compares it: unchanged, so it counts as present. */
  const rowAsWarning = (row: WarningRow): OfficialWarning => ({
    source: row.source,
    warningId: row.warningId,
    version: row.version,
    msgType: row.msgType,
    severity: row.severity,
    event: row.event,
    headline: row.headline,
    description: null,
    instruction: null,
    areaName: row.areaName,
    areaCodes: row.areaCodes ?? [],
    sentAt: toDate(row.sourceChangedAt) ?? new Date(0),
    onset: toDate(row.onset),
    expires: toDate(row.expires),
    link: row.link,
    attribution: attributionOf(row.source),
  });

  const attributionOf = (source: WarningSource) => (source === 'dwd' ? 'Deutscher Wetterdienst' : 'Bundesamt für Bevölkerungsschutz und Katastrophenhilfe (NINA)');

  const villagesOf = (warning: OfficialWarning) => {
    const config = runtime().config().warnings;
    const codes = warning.source === 'dwd' ? config.dwd?.warnCellIds : config.nina?.areaCodes;
    return codes ? villagesOfCodes(warning.areaCodes, townCodes(codes)) : [];
  };

  const editUrl = (uid: string, documentId: string) => `${runtime().config().publicUrl.replace(/\/$/, '')}/admin/content-manager/collection-types/${uid}/${documentId}`;

  const notify = async (kind: NoticeKind, warning: OfficialWarning, uid: string | null, documentId: string | null) =>
    runtime().config().warnings.notifyByEmail &&
    notifyEditors(strapi, {
      configured: runtime().config().warnings.notifyEmails,
      kind,
      headline: warning.headline,
      editUrl: uid && documentId ? editUrl(uid, documentId) : null,
      attribution: warning.attribution,
    });

  const autoPublishes = (warning: OfficialWarning) =>
    runtime()
      .config()
      .warnings.autoPublish.some((rule) => rule.source === warning.source && severityAtLeast(warning.severity, rule.minSeverity));

  /**
   * Makes the news entry for one step of a warning. An update or all-clear of a warning whose
   * draft has not been published yet changes that draft (update) or only tells the editors
   * (all-clear): nothing went out, so there is nothing to follow up.
   */
  const draft = async (row: WarningRow, warning: OfficialWarning, kind: WarningDraftKind, now: Date, ended?: 'cancelled' | 'expired') => {
    const config = runtime().config();
    const target = draftContentType(config);
    if (!target) {
      strapi.log.warn(`[${PLUGIN_ID}] warnings: no news type is mapped (contentTypes), so the warning "${warning.headline}" cannot become a draft`);
      return;
    }
    const fullText = warning.source === 'dwd' || Boolean(config.warnings.nina?.fullText);
    const content = draftText(warning, kind, { fullText, timeZone: config.broadcast.quietHours.timeZone, ended });
    const villages = villagesOf(warning);
    const documents = strapi.documents(target.uid as 'api::article.article');

    if (kind !== 'warning') {
      const original = row.draftUid && row.draftDocumentId ? await getService(strapi, 'announcements').findBySource(row.draftUid, row.draftDocumentId) : null;
      if (!original) {
        if (kind === 'update' && row.draftDocumentId && row.draftUid === target.uid) {
          const fresh = draftText(warning, 'warning', { fullText, timeZone: config.broadcast.quietHours.timeZone });
          await documents.update({ documentId: row.draftDocumentId, data: draftFields(strapi, config, target, fresh, warning.severity, villages) as never });
          await store.recordDraft(row, { uid: target.uid, documentId: row.draftDocumentId, kind: 'warning', autoPublished: Boolean(row.autoPublished) }, now);
          await notify('draft-changed', warning, target.uid, row.draftDocumentId);
        } else if (kind === 'all-clear') {
          await notify('obsolete', warning, row.draftUid, row.draftDocumentId);
        }
        return;
      }
      const created = await documents.create({ data: draftFields(strapi, config, target, content, warning.severity, villages) as never });
      await getService(strapi, 'follow-ups').setMark(target.uid, created.documentId, { originalDocumentId: original, kind: kind === 'all-clear' ? 'all-clear' : 'update', includeNew: false });
      await store.recordDraft(row, { uid: target.uid, documentId: created.documentId, kind }, now);
      await notify(kind, warning, target.uid, created.documentId);
      return;
    }

    const fields = draftFields(strapi, config, target, content, warning.severity, villages);
    // Auto-publish only what goes out as an emergency (at once, a person's approval afterwards): a news type whose
    // urgency cannot say "emergency" would publish an ordinary news item nobody approves, so it stays a draft.
    const emergency = Boolean(target.mapping.urgency) && urgencyOfValue(target.mapping, fields[target.mapping.urgency as string]) === 'emergency';
    const publish = autoPublishes(warning) && emergency;
    if (autoPublishes(warning) && !emergency) {
      strapi.log.warn(`[${PLUGIN_ID}] warnings: ${target.uid} has no urgency value meaning an emergency, so the ${warning.source} warning stays a draft instead of being published on its own`);
    }
    const created = await documents.create({
      data: fields as never,
      ...(publish ? { status: 'published' as const } : {}),
    });
    await store.recordDraft(row, { uid: target.uid, documentId: created.documentId, kind, autoPublished: publish }, now);
    await notify(publish ? 'auto-published' : 'warning', warning, target.uid, created.documentId);
  };

  /** A warning's stored row: the one the poll read already (once), else read now. */
  const storedRow = async (warning: OfficialWarning, known: KnownRows) => {
    const row = known.get(warning.warningId);
    if (!row) return store.find(warning.source, warning.warningId);
    known.delete(warning.warningId);
    return row;
  };

  /** One warning the source has now. */
  const seen = async (warning: OfficialWarning, now: Date, known: KnownRows) => {
    if (!warning.areaCodes.length) return;
    const villages = villagesOf(warning);
    const row = await storedRow(warning, known);
    if (!row) {
      // A cancel of a warning the town never had clears nothing.
      if (warning.msgType === 'Cancel') return;
      const claimed = await store.claimNew(warning, villages);
      if (claimed) await draft(claimed, warning, 'warning', now);
      return;
    }
    if (row.version === warning.version || row.state !== 'active') return;
    const cancelled = warning.msgType === 'Cancel';
    if (!(await store.claimVersion(row, warning, villages, cancelled ? 'cancelled' : 'active'))) return;
    await draft(row, warning, cancelled ? 'all-clear' : 'update', now, cancelled ? 'cancelled' : undefined);
  };

  /** A warning in force that the source no longer has (cancelled early), or whose time ran out. */
  const ended = async (row: WarningRow, now: Date) => {
    const expires = toDate(row.expires);
    const state = expires && expires.getTime() <= now.getTime() ? 'expired' : 'cancelled';
    if (!(await store.claimEnd(row, state))) return;
    await draft(row, rowAsWarning(row), 'all-clear', now, state);
  };

  const pollSource = async (source: WarningSource, now: Date) => {
    const state = await store.source(source);
    let answer: Awaited<ReturnType<typeof read>>;
    try {
      answer = await read(source, state ? { etag: state.etag, lastModified: state.lastModified } : null);
    } catch (error) {
      // Down, or an answer we cannot read: the last state stands, nothing is ended or created.
      await store.recordFailure(source, sourceErrorText(error), now);
      strapi.log.warn(`[${PLUGIN_ID}] warnings: ${source} could not be read (${sourceErrorText(error)})`);
      return;
    }
    const present = answer.warnings;
    if (present) for (const warning of present) await seen(warning, now, answer.known);
    const presentIds = present ? new Set(present.filter((warning) => warning.areaCodes.length).map((warning) => warning.warningId)) : null;
    for (const row of await store.active(source)) {
      const expires = toDate(row.expires);
      const gone = presentIds !== null && !presentIds.has(row.warningId);
      if (gone || (expires && expires.getTime() <= now.getTime())) await ended(row, now);
    }
    await store.recordSuccess(source, answer.validators, now);
  };

  return {
    sources: configuredSources,

    /**
     * Asks every configured source once. Polls of this process run one after another (a slow
     * source and the next tick never overlap); other workers are kept apart by the store's claims.
     */
    poll(now: Date = new Date()): Promise<void> {
      const run = async () => {
        for (const source of configuredSources()) {
          try {
            await pollSource(source, now);
          } catch (error) {
            strapi.log.error(`[${PLUGIN_ID}] warnings: ${source}: ${maskedMessage(error)}`);
          }
        }
      };
      const next = chain.then(run, run);
      chain = next.catch(() => undefined);
      return next;
    },

    /** The channel status page's sources and the admin's banner of drafts nobody has published. */
    async overview(now: Date = new Date()): Promise<OfficialWarningsOverview> {
      const rows = await store.sources();
      const sources = await Promise.all(
        configuredSources().map(async (source) => {
          const row = rows.find((candidate) => candidate.source === source);
          return { source, lastSuccessAt: iso(row?.lastSuccessAt), failingSince: iso(row?.failingSince), lastError: row?.failingSince ? (row.lastError ?? null) : null, activeWarnings: await store.countActive(source) };
        })
      );
      const announcements = getService(strapi, 'announcements');
      const drafts: OfficialWarningsOverview['drafts'] = [];
      for (const row of await store.recentDrafts(new Date(now.getTime() - BANNER_HOURS * 3_600_000))) {
        if (!row.lastDraftDocumentId || !row.draftUid || !row.lastDraftKind) continue;
        const autoPublished = row.lastDraftKind === 'warning' && Boolean(row.autoPublished);
        // A draft someone published is done; an auto-published warning stays until approved (#27).
        if (!autoPublished && (await announcements.findBySource(row.draftUid, row.lastDraftDocumentId))) continue;
        drafts.push({ source: row.source, kind: row.lastDraftKind, headline: row.headline, severity: row.severity, contentType: row.draftUid, documentId: row.lastDraftDocumentId, createdAt: iso(row.lastDraftAt) ?? now.toISOString(), autoPublished });
      }
      return { sources, drafts };
    },

    /** For the side panel: the warning a news entry was drafted from, or null. */
    async originOf(documentId: string): Promise<OfficialWarningOrigin | null> {
      const row = await store.byDraft(documentId);
      if (!row) return null;
      const kind = (row.drafts ?? []).find((entry) => entry.documentId === documentId)?.kind ?? 'warning';
      return { source: row.source, kind, severity: row.severity, event: row.event, areaName: row.areaName, sourceChangedAt: iso(row.sourceChangedAt), link: row.link, state: row.state };
    },
  };
};
