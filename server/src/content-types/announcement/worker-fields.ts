import type { Core, Modules } from '@strapi/strapi';
import { UID } from '../../constants';
import { WORKER_OWNED_FIELDS } from './schema';

interface DocumentContext {
  uid: string;
  action: string;
  params?: { data?: Record<string, unknown> };
}

/**
 * Drops the worker-owned fields from every document-service `update` of an announcement: the
 * content manager's save goes through it, and so would an API client that sends them anyway.
 * The plugin itself writes them with the query engine (strapi.db.query), which this does not
 * touch, and creates announcements with `create`, which passes untouched.
 */
export function createWorkerFieldsGuard(): Modules.Documents.Middleware.Middleware {
  const middleware = async (ctx: DocumentContext, next: () => Promise<unknown>) => {
    if (ctx.uid === UID.announcement && ctx.action === 'update' && ctx.params?.data) {
      const data = { ...ctx.params.data };
      for (const field of WORKER_OWNED_FIELDS) delete data[field];
      ctx.params.data = data;
    }
    return next();
  };
  return middleware as unknown as Modules.Documents.Middleware.Middleware;
}

/** Recent documents as the content manager's home-page widgets list them. */
interface HomepageService {
  queryLastDocuments?: (...args: unknown[]) => Promise<Array<{ contentTypeUid?: string }>>;
}

/**
 * Strapi's home page lists the last edited and published documents of every type the content
 * manager shows. Every article an editor publishes also becomes a Town Crier announcement, so
 * each would appear twice; the broadcasts tab is the announcement's place. The content manager
 * offers no option to leave a visible type out of those widgets, so the plugin filters its own
 * type from their query; if a later Strapi renames the method, the widgets simply show both.
 */
export function keepAnnouncementsOffTheHomePage(strapi: Core.Strapi) {
  const service = strapi.plugin('content-manager')?.service('homepage') as HomepageService | undefined;
  const original = service?.queryLastDocuments;
  if (!service || typeof original !== 'function') return;
  service.queryLastDocuments = async function (this: unknown, ...args: unknown[]) {
    const documents = await original.apply(this, args);
    return documents.filter((document) => document.contentTypeUid !== UID.announcement);
  };
}
