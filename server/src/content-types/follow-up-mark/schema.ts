import { FOLLOW_UP_KINDS } from '../../constants';

/**
 * An editor's mark, from the content manager's side panel, that a news entry is a follow-up
 * (update or all-clear) of an earlier broadcast. Kept on the plugin's side, keyed by the entry
 * (content type and documentId, every locale), because the town's news type is the town's own
 * schema; applied when the entry is first published, and kept afterwards as the record of it.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_follow_up_marks',
  info: { singularName: 'follow-up-mark', pluralName: 'follow-up-marks', displayName: 'Town Crier follow-up mark' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    /** `uid|documentId` of the news entry. */
    entryKey: { type: 'string', required: true, unique: true },
    /** The earlier broadcast (announcement documentId) this entry follows up. */
    originalDocumentId: { type: 'string', required: true },
    kind: { type: 'enumeration', enum: [...FOLLOW_UP_KINDS], required: true },
    /** Also new matching subscribers who did not receive the original (the editor's choice, off by default). */
    includeNew: { type: 'boolean', default: false },
  },
} as const;
