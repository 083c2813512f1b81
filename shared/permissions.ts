/**
 * The plugin's admin permissions (RBAC actions), declared once for the server (routes, the
 * action registry) and the admin (what the menu and pages show). Ids become
 * `plugin::town-crier.<uid>`.
 */
const PLUGIN = 'town-crier';

export const PERMISSION_UIDS = {
  readStats: 'stats.read',
  manageBroadcasts: 'broadcasts.manage',
  readSubscribers: 'subscribers.read',
  /** Export, erase and retention purge: acting on a citizen's personal data, not only reading it. */
  managePersonalData: 'subscribers.personal-data',
  manageInbox: 'inbox.manage',
  readChannels: 'channels.read',
  /** The audit trail (who did what to broadcasts and citizens), its filters and its CSV. */
  readAudit: 'audit.read',
  /** Four-eyes approval: approve or reject a broadcast someone else published (never one's own). */
  approveBroadcasts: 'broadcasts.approve',
} as const;

export type PermissionName = keyof typeof PERMISSION_UIDS;

export const PERMISSIONS = Object.fromEntries(Object.entries(PERMISSION_UIDS).map(([name, uid]) => [name, `plugin::${PLUGIN}.${uid}`])) as {
  [Name in PermissionName]: `plugin::${typeof PLUGIN}.${(typeof PERMISSION_UIDS)[Name]}`;
};

export const PERMISSION_DISPLAY_NAMES: Record<PermissionName, string> = {
  readStats: 'Read subscriber and delivery statistics',
  manageBroadcasts: 'Manage broadcasts',
  readSubscribers: "Read subscribers' personal data",
  managePersonalData: "Export and erase subscribers' personal data, purge after retention",
  manageInbox: 'Manage the inbox',
  readChannels: 'Read channel settings',
  readAudit: 'Read the audit log',
  approveBroadcasts: 'Approve or reject broadcasts published by others',
};
