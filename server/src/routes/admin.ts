import { PERMISSIONS, requirePermission } from '../permissions';

type Method = 'GET' | 'POST';
const route = (method: Method, path: string, handler: string, action: string | string[]) => ({ method, path, handler, config: { policies: requirePermission(action) } });

/** Export, erasure and retention purge act on citizens' personal data: their own permission, beside the right to read it. */
const PERSONAL_DATA = [PERMISSIONS.readSubscribers, PERMISSIONS.managePersonalData];

/** Admin routes under /town-crier; each needs a logged-in admin holding the named action (401 without login, 403 without it). */
export default () => ({
  type: 'admin',
  routes: [
    route('GET', '/stats/overview', 'stats.overview', PERMISSIONS.readStats),
    route('GET', '/stats/growth', 'stats.growth', PERMISSIONS.readStats),
    route('GET', '/stats/export.csv', 'stats.exportCsv', PERMISSIONS.readStats),

    route('GET', '/broadcasts', 'broadcasts.list', PERMISSIONS.manageBroadcasts),
    route('GET', '/broadcasts/:documentId', 'broadcasts.detail', PERMISSIONS.manageBroadcasts),
    route('POST', '/broadcasts/:documentId/pause', 'broadcasts.pause', PERMISSIONS.manageBroadcasts),
    route('POST', '/broadcasts/:documentId/resume', 'broadcasts.resume', PERMISSIONS.manageBroadcasts),
    route('POST', '/broadcasts/:documentId/cancel', 'broadcasts.cancel', PERMISSIONS.manageBroadcasts),
    route('POST', '/broadcasts/:documentId/retry-failed', 'broadcasts.retryFailed', PERMISSIONS.manageBroadcasts),
    route('POST', '/broadcasts/:documentId/send-update', 'broadcasts.sendUpdate', PERMISSIONS.manageBroadcasts),
    route('POST', '/broadcasts/:documentId/send-test', 'broadcasts.sendTest', PERMISSIONS.manageBroadcasts),
    route('GET', '/broadcasts/:documentId/whatsapp-channel', 'broadcasts.whatsappChannel', PERMISSIONS.manageBroadcasts),
    route('POST', '/broadcasts/:documentId/whatsapp-channel', 'broadcasts.markWhatsappChannel', PERMISSIONS.manageBroadcasts),
    route('POST', '/broadcasts/:documentId/approve', 'broadcasts.approve', PERMISSIONS.approveBroadcasts),
    route('POST', '/broadcasts/:documentId/reject', 'broadcasts.reject', PERMISSIONS.approveBroadcasts),

    route('GET', '/preview', 'preview.preview', PERMISSIONS.manageBroadcasts),
    route('GET', '/follow-ups', 'follow-ups.state', PERMISSIONS.manageBroadcasts),
    route('POST', '/follow-ups/mark', 'follow-ups.mark', PERMISSIONS.manageBroadcasts),
    route('POST', '/follow-ups/unmark', 'follow-ups.unmark', PERMISSIONS.manageBroadcasts),

    route('GET', '/channels', 'channel-status.list', PERMISSIONS.readChannels),
    // The banner (editors) and the sources' status on the channel page: who manages broadcasts reads both.
    route('GET', '/warnings', 'warnings.overview', PERMISSIONS.manageBroadcasts),
    route('POST', '/channels/whatsapp/templates', 'channel-status.submitTemplates', PERMISSIONS.manageBroadcasts),

    route('GET', '/inbox', 'inbox.list', PERMISSIONS.manageInbox),
    route('POST', '/inbox/:id/handled', 'inbox.handled', PERMISSIONS.manageInbox),
    route('POST', '/inbox/:id/reply', 'inbox.reply', PERMISSIONS.manageInbox),

    route('GET', '/sandbox/outbox', 'sandbox-phone.outbox', PERMISSIONS.manageBroadcasts),
    route('POST', '/sandbox/act', 'sandbox-phone.act', PERMISSIONS.manageBroadcasts),

    route('GET', '/subscribers/:id/export', 'subscribers-admin.export', PERSONAL_DATA),
    route('POST', '/subscribers/:id/erase', 'subscribers-admin.erase', PERSONAL_DATA),
    route('POST', '/subscribers/purge-withdrawn', 'subscribers-admin.purge', PERSONAL_DATA),

    // The audit trail is read only: there is no route that changes or deletes an event.
    route('GET', '/audit', 'audit.list', PERMISSIONS.readAudit),
    route('GET', '/audit/actors', 'audit.actors', PERMISSIONS.readAudit),
    route('GET', '/audit/export.csv', 'audit.exportCsv', PERMISSIONS.readAudit),

    // Any logged-in admin may ask what they may do.
    { method: 'GET', path: '/me/permissions', handler: 'me.permissions', config: { policies: ['admin::isAuthenticatedAdmin'] } },
  ],
});
