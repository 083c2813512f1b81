import type { Core } from '@strapi/strapi';
import { createPublishMiddleware } from './announcements/publish-middleware';
import { createWorkerFieldsGuard } from './content-types/announcement/worker-fields';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  // Registered in `register` so it wraps every document-service call, including the ones
  // other plugins' bootstrap code makes (scheduled releases publish through it too).
  strapi.documents.use(createPublishMiddleware(strapi));
  strapi.documents.use(createWorkerFieldsGuard());
};
