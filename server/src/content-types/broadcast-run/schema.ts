import { RUN_STATES } from '../../constants';

/**
 * One channel's part of a broadcast: its own state and reason. Written by `dispatch/` only;
 * unique on (announcement, channel) in the database. Not an editor's concern: hidden in the
 * content manager.
 */
export default {
  kind: 'collectionType',
  collectionName: 'town_crier_broadcast_runs',
  info: { singularName: 'broadcast-run', pluralName: 'broadcast-runs', displayName: 'Town Crier broadcast run' },
  options: { draftAndPublish: false },
  pluginOptions: { 'content-manager': { visible: false }, 'content-type-builder': { visible: false } },
  attributes: {
    announcementDocumentId: { type: 'string', required: true },
    channel: { type: 'string', required: true },
    state: { type: 'enumeration', enum: [...RUN_STATES], default: 'queued' },
    reason: { type: 'string' },
    /** When a timed hold (quiet hours, daily reach limit, send time) ends. */
    resumesAt: { type: 'datetime' },
    finishedAt: { type: 'datetime' },
  },
} as const;
