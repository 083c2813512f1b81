import { EDITOR_CONTENT_TYPES } from '../../../../shared/contracts/content-types';

export default {
  kind: 'collectionType',
  collectionName: 'town_crier_topics',
  info: { singularName: 'topic', pluralName: 'topics', displayName: EDITOR_CONTENT_TYPES.topic.displayName, description: 'What citizens can subscribe to' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: true }, 'content-type-builder': { visible: false } },
  attributes: {
    name: { type: 'string', required: true },
    slug: { type: 'uid', targetField: 'name', required: true },
    description: { type: 'text' },
    active: { type: 'boolean', default: true },
  },
} as const;
