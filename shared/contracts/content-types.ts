/**
 * The plugin's content types an editor sees in the content manager: their UIDs and display
 * names, which Strapi uses as the message id of the type's name. The server's schemas and the
 * admin's German and English labels (admin/src/contentTypeLabels.ts) both read them here.
 */
export const EDITOR_CONTENT_TYPES = {
  announcement: { uid: 'plugin::town-crier.announcement', displayName: 'Town Crier announcement' },
  topic: { uid: 'plugin::town-crier.topic', displayName: 'Town Crier topic' },
} as const;
