import { describe, expect, it } from 'vitest';
import contentTypes from '../../server/src/content-types';
import { BROADCAST_STATUSES, FOLLOW_UP_KINDS, RUN_STATES, URGENCIES } from '../../shared/contracts/broadcasts';
import { CHANNEL_IDS } from '../../shared/contracts/channels';
import { MESSAGE_KINDS } from '../../shared/contracts/costs';
import { APPROVAL_STATES } from '../../shared/contracts/approval';
import { DELIVERY_STATUSES } from '../../shared/contracts/deliveries';
import { CONSENT_EVENT_TYPES, SUBSCRIBER_STATUSES } from '../../shared/contracts/subscribers';
import { WARNING_DRAFT_KINDS, WARNING_MESSAGE_TYPES, WARNING_SEVERITIES, WARNING_SOURCES, WARNING_STATES } from '../../shared/contracts/warnings';
import { AUDIT_ACTIONS, AUDIT_ACTOR_KINDS } from '../../shared/contracts/audit';

/**
 * The database's enumerations are the contract's lists (shared/contracts): a status added to the
 * contract but not to a schema (or the other way round) would let the admin show, or the server
 * write, a value the other side refuses. Every enumeration attribute must be named here, so a new
 * one cannot slip in with a list of its own.
 */
const CONTRACT_OF: Record<string, readonly string[]> = {
  'announcement.urgency': URGENCIES,
  'audit-event.action': AUDIT_ACTIONS,
  'audit-event.actorKind': AUDIT_ACTOR_KINDS,
  'approval.state': APPROVAL_STATES,
  'announcement.followUpKind': FOLLOW_UP_KINDS,
  'announcement.broadcastStatus': BROADCAST_STATUSES,
  'broadcast-run.state': RUN_STATES,
  'consent-event.type': CONSENT_EVENT_TYPES,
  'delivery.status': DELIVERY_STATUSES,
  'follow-up-mark.kind': FOLLOW_UP_KINDS,
  'message-pricing.kind': MESSAGE_KINDS,
  'subscriber.channel': CHANNEL_IDS,
  'subscriber.status': SUBSCRIBER_STATUSES,
  'official-warning.source': WARNING_SOURCES,
  'official-warning.msgType': WARNING_MESSAGE_TYPES,
  'official-warning.severity': WARNING_SEVERITIES,
  'official-warning.state': WARNING_STATES,
  'official-warning.lastDraftKind': WARNING_DRAFT_KINDS,
  'warning-source.source': WARNING_SOURCES,
};

type Attribute = { type: string; enum?: readonly string[] };
const enumerations = Object.entries(contentTypes).flatMap(([name, { schema }]) =>
  Object.entries(schema.attributes as Record<string, Attribute>)
    .filter(([, attribute]) => attribute.type === 'enumeration')
    .map(([field, attribute]) => [`${name}.${field}`, attribute.enum ?? []] as const)
);

describe('content-type enumerations and the shared contract', () => {
  it('finds the enumerations (the scan itself works)', () => {
    expect(enumerations.length).toBeGreaterThanOrEqual(Object.keys(CONTRACT_OF).length);
  });

  it.each(enumerations.map(([key, values]) => [key, values]))('%s lists exactly its contract values, in order', (key, values) => {
    expect(CONTRACT_OF[key as string], `${key} has no contract list in tests/unit/contracts.test.ts`).toBeDefined();
    expect([...(values as readonly string[])]).toEqual([...CONTRACT_OF[key as string]]);
  });

  it('every contract list named here is an enumeration of a schema', () => {
    expect(enumerations.map(([key]) => key).sort()).toEqual(Object.keys(CONTRACT_OF).sort());
  });
});
