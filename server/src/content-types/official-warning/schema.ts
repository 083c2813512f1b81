import { WARNING_DRAFT_KINDS, WARNING_MESSAGE_TYPES, WARNING_SEVERITIES, WARNING_SOURCES, WARNING_STATES } from '../../../../shared/contracts/warnings';

/**
 * An official warning (DWD, NINA) that concerned the town, and the drafts it became. One row per
 * warning (`key` = source and the source's warning id), written only by `warnings/warnings.store.ts`:
 * the unique key makes two workers polling at once create one draft, and the stored version makes
 * a repeated poll create nothing. Hidden in the content manager.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_official_warnings',
  info: { singularName: 'official-warning', pluralName: 'official-warnings', displayName: 'Town Crier official warning' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    key: { type: 'string', required: true, unique: true },
    source: { type: 'enumeration', enum: [...WARNING_SOURCES], required: true },
    warningId: { type: 'string', required: true },
    /** The source's version last seen: another one is an update. */
    version: { type: 'string', required: true },
    msgType: { type: 'enumeration', enum: [...WARNING_MESSAGE_TYPES], required: true },
    severity: { type: 'enumeration', enum: [...WARNING_SEVERITIES], required: true },
    state: { type: 'enumeration', enum: [...WARNING_STATES], required: true, default: 'active' },
    event: { type: 'string' },
    headline: { type: 'string', required: true },
    areaName: { type: 'text' },
    /** The town's codes (WarnCellIDs or ARS) it covers, and the villages they mean ([] = the whole town). */
    areaCodes: { type: 'json' },
    villages: { type: 'json' },
    /** When the source last changed it (the sent time of the version last seen). */
    sourceChangedAt: { type: 'datetime' },
    onset: { type: 'datetime' },
    expires: { type: 'datetime' },
    link: { type: 'text' },
    /** The news type and document of the warning's own draft. */
    draftUid: { type: 'string' },
    draftDocumentId: { type: 'string' },
    /** The newest draft made from it (the warning's own, an update or the all-clear), for the banner and the side panel. */
    lastDraftDocumentId: { type: 'string' },
    lastDraftKind: { type: 'enumeration', enum: [...WARNING_DRAFT_KINDS] },
    lastDraftAt: { type: 'datetime' },
    /** Every draft made from it, oldest first: `{ documentId, kind, createdAt }`. */
    drafts: { type: 'json' },
    /** Published at once by an auto-publish rule; approved by a person afterwards. */
    autoPublished: { type: 'boolean', default: false },
  },
} as const;
