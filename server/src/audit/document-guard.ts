import type { Modules } from '@strapi/strapi';
import { UID } from '../constants';
import { forbiddenError } from '../http/errors';

interface DocumentContext {
  uid: string;
  action: string;
}

/**
 * The audit trail is hidden in the content manager, but Strapi still serves a hidden type's
 * routes to a Super Admin (`/content-manager/collection-types/plugin::town-crier.audit-event`
 * answered 200, and would have deleted). So every document-service call on it is refused: read,
 * change and delete alike, from the content manager, the content API or another plugin. The
 * audit service reads and writes with the query engine (strapi.db.query), which this does not
 * touch; its routes need `audit.read` and none of them changes an event.
 */
export function createAuditDocumentGuard(): Modules.Documents.Middleware.Middleware {
  const middleware = async (ctx: DocumentContext, next: () => Promise<unknown>) => {
    if (ctx.uid === UID.auditEvent) throw forbiddenError('The audit log is read in the Town Crier admin page and cannot be changed or deleted');
    return next();
  };
  return middleware as unknown as Modules.Documents.Middleware.Middleware;
}
