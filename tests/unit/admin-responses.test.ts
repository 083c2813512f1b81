import { describe, expect, it } from 'vitest';
import adminRoutes from '../../server/src/routes/admin';
import { broadcastSchema, dataResponseSchema, followUpStateSchema } from '../../shared/contracts/admin-responses';
import { ANSWERS } from '../support/admin-contract';

/**
 * The admin API's answers have exactly the contract's keys: the strict schemas refuse a key the
 * contract does not declare, and every JSON route of the admin API has its schema, so the
 * integration tests (admin-operations, admin-stats, admin-preview, approval) check each answer they read.
 */
const broadcast = {
  documentId: 'b1',
  title: 'Straßensperrung',
  broadcastStatus: 'sending',
  statusReason: null,
  resumesAt: null,
  publishedAt: '2026-12-01T08:00:00.000Z',
  recipients: 3,
  sent: 1,
  delivered: 1,
  read: 0,
  failed: 0,
  skipped: 0,
  updateOf: null,
  followUpKind: null,
  urgency: 'info',
};

/** Routes that answer text (CSV), or the citizen's whole record (the GDPR export, the stored record by design). */
const NOT_CONTRACT_SHAPED = new Set(['stats.exportCsv', 'audit.exportCsv', 'subscribers-admin.export']);

describe('admin API answers', () => {
  it('accept a broadcast with exactly the contract keys', () => {
    expect(broadcastSchema.safeParse(broadcast).success).toBe(true);
  });

  it.each([
    ['an internal id', { id: 7 }],
    ['a stored counter beside its API name', { recipientsCount: 3 }],
    ['a table column', { createdAt: '2026-12-01T08:00:00.000Z' }],
    ['a source key', { sourceKey: 'api::article.article:abc' }],
  ])('refuse %s that leaks into a broadcast', (_name, leak) => {
    expect(broadcastSchema.safeParse({ ...broadcast, ...leak }).success).toBe(false);
    expect(dataResponseSchema(broadcastSchema).safeParse({ data: { ...broadcast, followUps: [{ ...broadcast, ...leak }] } }).success).toBe(false);
  });

  it('refuse a leaked column in a nested answer', () => {
    const state = { mark: null, reach: null, broadcast: null, candidates: [{ documentId: 'b1', title: 'x', urgency: null, createdAt: '2026-12-01', updateOf: null, id: 3 }] };
    expect(followUpStateSchema.safeParse(state).success).toBe(false);
  });

  it('has a schema for every JSON route of the admin API', () => {
    const uncovered = adminRoutes()
      .routes.filter((route) => !NOT_CONTRACT_SHAPED.has(route.handler))
      .filter((route) => !ANSWERS.some((answer) => answer.method === route.method && answer.path.test(route.path.replace(/:documentId/, 'd1').replace(/:id/, '1'))))
      .map((route) => `${route.method} ${route.path}`);
    expect(uncovered).toEqual([]);
  });
});
