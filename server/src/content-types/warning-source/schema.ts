import { WARNING_SOURCES } from '../../../../shared/contracts/warnings';

/**
 * What a warning source last answered: the validators for the next conditional GET and whether
 * it is failing, for the channel status page. Written only by `warnings/warnings.store.ts`.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_warning_sources',
  info: { singularName: 'warning-source', pluralName: 'warning-sources', displayName: 'Town Crier warning source' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    source: { type: 'enumeration', enum: [...WARNING_SOURCES], required: true, unique: true },
    etag: { type: 'string' },
    lastModified: { type: 'string' },
    lastSuccessAt: { type: 'datetime' },
    failingSince: { type: 'datetime' },
    lastError: { type: 'string' },
  },
} as const;
