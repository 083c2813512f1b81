import { EDITOR_CONTENT_TYPES } from '../../shared/contracts/content-types';
import { getTranslation } from './utils/getTranslation';

/**
 * German (and English) names for the plugin's content types and their fields in the content
 * manager. Strapi 5.54 translates a type's name with its `info.displayName` as the message id
 * (left menu, list view) and a field's label with `content-manager.content-types.<uid>.<field>`
 * (edit form, list columns); registerTrads adds those ids from the plugin's translation files.
 * Only the types an editor sees are listed: the others are hidden from the content manager.
 */
export const CONTENT_TYPE_LABELS: Array<{ uid: string; displayName: string; name: string; fields: Record<string, string> }> = [
  {
    ...EDITOR_CONTENT_TYPES.announcement,
    name: getTranslation('contentTypes.announcement'),
    fields: {
      title: getTranslation('contentTypes.announcement.title'),
      text: getTranslation('contentTypes.announcement.text'),
      url: getTranslation('contentTypes.announcement.url'),
      topics: getTranslation('contentTypes.announcement.topics'),
      urgency: getTranslation('contentTypes.announcement.urgency'),
      villages: getTranslation('contentTypes.announcement.villages'),
      channels: getTranslation('contentTypes.announcement.channels'),
      sendAt: getTranslation('contentTypes.announcement.sendAt'),
    },
  },
  {
    ...EDITOR_CONTENT_TYPES.topic,
    name: getTranslation('contentTypes.topic'),
    fields: {
      name: getTranslation('contentTypes.topic.name'),
      slug: getTranslation('contentTypes.topic.slug'),
      description: getTranslation('contentTypes.topic.description'),
      active: getTranslation('contentTypes.topic.active'),
    },
  },
];

/** The content manager's message ids for the labels above, filled from one locale's plugin messages (already prefixed). */
export function contentManagerMessages(prefixed: Record<string, string>): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const type of CONTENT_TYPE_LABELS) {
    if (prefixed[type.name]) messages[type.displayName] = prefixed[type.name];
    for (const [field, id] of Object.entries(type.fields)) {
      if (prefixed[id]) messages[`content-manager.content-types.${type.uid}.${field}`] = prefixed[id];
    }
  }
  return messages;
}
