import { PERMISSIONS, requirePermission } from '../permissions';

/** Admin routes under /town-crier; each needs a logged-in admin holding the named action. */
export default () => ({
  type: 'admin',
  routes: [
    { method: 'GET', path: '/broadcasts', handler: 'broadcasts.list', config: { policies: requirePermission(PERMISSIONS.manageBroadcasts) } },
    { method: 'GET', path: '/broadcasts/:documentId', handler: 'broadcasts.detail', config: { policies: requirePermission(PERMISSIONS.manageBroadcasts) } },
    { method: 'POST', path: '/broadcasts/:documentId/pause', handler: 'broadcasts.pause', config: { policies: requirePermission(PERMISSIONS.manageBroadcasts) } },
    { method: 'POST', path: '/broadcasts/:documentId/resume', handler: 'broadcasts.resume', config: { policies: requirePermission(PERMISSIONS.manageBroadcasts) } },
    { method: 'POST', path: '/broadcasts/:documentId/cancel', handler: 'broadcasts.cancel', config: { policies: requirePermission(PERMISSIONS.manageBroadcasts) } },
    { method: 'POST', path: '/broadcasts/:documentId/retry-failed', handler: 'broadcasts.retryFailed', config: { policies: requirePermission(PERMISSIONS.manageBroadcasts) } },
    { method: 'POST', path: '/broadcasts/:documentId/send-update', handler: 'broadcasts.sendUpdate', config: { policies: requirePermission(PERMISSIONS.manageBroadcasts) } },
    { method: 'POST', path: '/broadcasts/:documentId/send-test', handler: 'broadcasts.sendTest', config: { policies: requirePermission(PERMISSIONS.manageBroadcasts) } },
    { method: 'GET', path: '/subscribers/:id/export', handler: 'subscribers-admin.export', config: { policies: requirePermission(PERMISSIONS.readSubscribers) } },
    { method: 'POST', path: '/subscribers/:id/erase', handler: 'subscribers-admin.erase', config: { policies: requirePermission(PERMISSIONS.readSubscribers) } },
    { method: 'POST', path: '/subscribers/purge-withdrawn', handler: 'subscribers-admin.purge', config: { policies: requirePermission(PERMISSIONS.readSubscribers) } },
  ],
});
