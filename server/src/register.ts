import type { Core } from '@strapi/strapi';
import { createPublishMiddleware } from './announcements/publish-middleware';
import { readPluginConfig } from './config';
import { checkContentTypeMappings, type ContentTypeLike } from './config/mapping-check';
import { PLUGIN_ID } from './constants';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  // Content types are known here and nothing has started yet: a mapping that names a field the
  // news type does not have stops startup instead of sending "-" as every title.
  const problems = checkContentTypeMappings(
    readPluginConfig(strapi).contentTypes,
    strapi.contentTypes as unknown as Record<string, ContentTypeLike | undefined>
  );
  if (problems.length) throw new Error(`Invalid ${PLUGIN_ID} plugin config: ${problems.join('; ')}`);

  // Registered in `register` so it wraps every document-service call, including the ones
  // other plugins' bootstrap code makes (scheduled releases publish through it too).
  strapi.documents.use(createPublishMiddleware(strapi));
};
