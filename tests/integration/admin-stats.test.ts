import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, type TestStrapi } from '../support/strapi';
import { conformsToContract } from '../support/admin-contract';
import { seedTopics } from '../support/seed';

/**
 * Statistics against a seeded data set whose every number is worked out by hand below.
 * Europe/Berlin switches to summer time on 2026-03-29 (a 23-hour day) and back on 2026-10-25
 * (25 hours); the seeded times sit half an hour either side of Berlin midnight on those days,
 * so UTC days or a fixed +1 h offset would move rows to the neighbouring day.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Seed {
  status: 'active' | 'pending' | 'unsubscribed';
  confirmedAt?: string | Date;
  unsubscribedAt?: string | Date;
  source?: string | null;
  topics?: string[];
}

describe('admin statistics', () => {
  let test: TestStrapi;
  let token: string;
  const now = Date.now();

  const seeds: Seed[] = [
    // Berlin day in the comment.
    { status: 'active', confirmedAt: '2026-03-28T22:30:00Z', source: 'web', topics: ['verkehr'] }, // 03-28 23:30 CET
    { status: 'unsubscribed', confirmedAt: '2026-03-28T22:30:00Z', unsubscribedAt: '2026-03-29T21:59:00Z', source: 'web', topics: ['verkehr'] }, // +03-28, −03-29 23:59 CEST
    { status: 'active', confirmedAt: '2026-03-28T23:30:00Z', source: 'web', topics: ['verkehr'] }, // 03-29 00:30 CET
    { status: 'active', confirmedAt: '2026-03-28T23:30:00Z', source: 'web', topics: ['verkehr'] }, // 03-29
    { status: 'active', confirmedAt: '2026-03-28T23:30:00Z', source: 'flyer', topics: ['kultur'] }, // 03-29
    { status: 'active', confirmedAt: '2026-03-29T21:30:00Z', source: 'flyer', topics: ['kultur'] }, // 03-29 23:30 CEST
    { status: 'unsubscribed', confirmedAt: '2026-03-29T22:30:00Z', unsubscribedAt: '2026-03-29T22:45:00Z', source: 'flyer' }, // +03-30 00:30, −03-30 00:45
    { status: 'unsubscribed', confirmedAt: '2026-10-24T21:30:00Z', unsubscribedAt: '2026-10-25T22:59:00Z', source: 'web' }, // +10-24 23:30 CEST, −10-25 23:59 CET
    { status: 'active', confirmedAt: '2026-10-25T22:30:00Z', source: null }, // 10-25 23:30 CET
    { status: 'active', confirmedAt: '2026-10-25T23:30:00Z', source: null }, // 10-26 00:30 CET
    // Six long-standing subscribers from the web form, one on a topic that was later retired.
    ...Array.from({ length: 6 }, (): Seed => ({ status: 'active', confirmedAt: '2025-06-15T10:00:00Z', source: 'web', topics: ['verkehr'] })),
    { status: 'active', confirmedAt: '2025-06-15T10:00:00Z', source: 'flyer', topics: ['markt'] },
    // Recent, relative to now: inside 30 days, some inside 7.
    { status: 'active', confirmedAt: new Date(now - 20 * DAY), source: 'web', topics: ['verkehr'] },
    { status: 'active', confirmedAt: new Date(now - 10 * DAY), source: 'web', topics: ['verkehr'] },
    { status: 'active', confirmedAt: new Date(now - 3 * DAY), source: 'web', topics: ['verkehr'] },
    { status: 'active', confirmedAt: new Date(now - HOUR), source: 'web', topics: ['verkehr'] },
    { status: 'unsubscribed', confirmedAt: '2025-06-15T10:00:00Z', unsubscribedAt: new Date(now - 2 * DAY), source: 'web' },
    // Never confirmed: pending, and one who gave up before confirming (not a withdrawal).
    ...Array.from({ length: 4 }, (): Seed => ({ status: 'pending', source: 'web', topics: ['verkehr'] })),
    { status: 'unsubscribed', unsubscribedAt: '2026-03-29T10:00:00Z', source: 'web' },
  ];

  beforeAll(async () => {
    test = await bootStrapi();
    token = await createSuperAdmin(test);
    const topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Kultur', 'kultur'],
      ['Sport', 'sport'],
      ['Markt', 'markt'],
      ['Alt', 'alt'],
    ]);
    await test.strapi.db.query('plugin::town-crier.topic').updateMany({ where: { slug: { $in: ['markt', 'alt'] } }, data: { active: false } });
    let n = 0;
    for (const seed of seeds) {
      n += 1;
      await test.strapi.db.query('plugin::town-crier.subscriber').create({
        data: {
          channel: 'whatsapp',
          address: `+49151000${String(n).padStart(5, '0')}`,
          status: seed.status,
          source: seed.source ?? null,
          confirmedAt: seed.confirmedAt ? new Date(seed.confirmedAt) : null,
          unsubscribedAt: seed.unsubscribedAt ? new Date(seed.unsubscribedAt) : null,
          topics: (seed.topics ?? []).map((slug) => topics[slug]),
        },
      });
    }

    // Broadcasts: one inside the last 30 days (published and draft row carry the same counters,
    // the draft must not count twice), one older.
    const knex = test.strapi.db.connection;
    const table = test.strapi.db.metadata.get('plugin::town-crier.announcement').tableName;
    const stamp = (at: number) => (test.dialect === 'sqlite' ? at : new Date(at));
    const counters = { sent_count: 20, delivered_count: 15, read_count: 7, failed_count: 3, recipients_count: 25 };
    for (const published of [true, false]) {
      await knex(table).insert({
        document_id: 'recent-broadcast',
        title: 'Recent',
        text: 'Text',
        broadcast_status: 'sent',
        fan_out_done_at: stamp(now - 2 * DAY),
        published_at: published ? stamp(now - 2 * DAY) : null,
        created_at: stamp(now - 2 * DAY),
        updated_at: stamp(now - 2 * DAY),
        ...counters,
      });
    }
    await knex(table).insert({
      document_id: 'old-broadcast',
      title: 'Old',
      text: 'Text',
      broadcast_status: 'sent',
      fan_out_done_at: stamp(now - 45 * DAY),
      published_at: stamp(now - 45 * DAY),
      created_at: stamp(now - 45 * DAY),
      updated_at: stamp(now - 45 * DAY),
      sent_count: 100,
      delivered_count: 100,
      read_count: 100,
      failed_count: 100,
    });
  });
  afterAll(async () => {
    await test?.close();
  });

  // Every answer is held to its contract (tests/support/admin-contract.ts): no key beyond it.
  const get = async (path: string) => conformsToContract('GET', `/town-crier${path}`, await test.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`));

  it('counts subscribers exactly and small breakdown cells as "<5"', async () => {
    const response = await get('/stats/overview');
    expect(response.status).toBe(200);
    const data = response.body.data;
    expect(data.subscribers).toEqual({ active: 18, pending: 4, unsubscribed: 5 });
    expect(data.target).toEqual({ value: 1557, reached: 18, percent: 1.2 });
    // Every channel is listed, with 0 where nobody uses it: the town reports its reach beyond WhatsApp.
    expect(data.byChannel).toEqual([
      { key: 'whatsapp', count: 18 },
      { key: 'email', count: 0 },
      { key: 'telegram', count: 0 },
      { key: 'webpush', count: 0 },
      { key: 'activitypub', count: 0 },
    ]);
    expect(data.byTopic).toEqual([
      { key: 'kultur', label: 'Kultur', count: '<5' },
      { key: 'markt', label: 'Markt', count: '<5' },
      { key: 'sport', label: 'Sport', count: 0 },
      { key: 'verkehr', label: 'Verkehr', count: 13 },
      { key: '*', label: 'All news (no topic chosen)', count: '<5' },
    ]);
    expect(data.bySource).toEqual([
      { key: 'web', count: 13 },
      { key: 'flyer', count: '<5' },
      { key: 'unknown', count: '<5' },
    ]);
    expect(data.deliveries).toEqual({ last30Days: { sent: 20, delivered: 15, read: 7, failed: 3 } });
    expect(data.timeZone).toBe('Europe/Berlin');
    expect(new Date(data.generatedAt).getTime()).toBeGreaterThanOrEqual(now);
  });

  it('nets confirmations against withdrawals over the last 7 and 30 Berlin days', async () => {
    const { data } = (await get('/stats/overview')).body;
    // 7 days: +1 (3 days ago) +1 (an hour ago) −1 (withdrawn 2 days ago); 30 days adds 10 and 20 days ago.
    expect(data.netChange).toEqual({ days7: 1, days30: 3 });
  });

  it('buckets sign-ups and withdrawals into Berlin calendar days across both DST changes', async () => {
    const response = await get('/stats/growth?days=730');
    expect(response.status).toBe(200);
    const { days, target, timeZone } = response.body.data;
    expect(target).toBe(1557);
    expect(timeZone).toBe('Europe/Berlin');
    expect(days).toHaveLength(730);
    const byDay = new Map(days.map((day: { day: string }) => [day.day, day]));
    expect(byDay.get('2025-06-15')).toEqual({ day: '2025-06-15', signups: 8, withdrawals: 0, active: 8 });
    expect(byDay.get('2026-03-27')).toEqual({ day: '2026-03-27', signups: 0, withdrawals: 0, active: 8 });
    expect(byDay.get('2026-03-28')).toEqual({ day: '2026-03-28', signups: 2, withdrawals: 0, active: 10 });
    expect(byDay.get('2026-03-29')).toEqual({ day: '2026-03-29', signups: 4, withdrawals: 1, active: 13 });
    expect(byDay.get('2026-03-30')).toEqual({ day: '2026-03-30', signups: 1, withdrawals: 1, active: 13 });
    expect(byDay.get('2026-10-24')).toEqual({ day: '2026-10-24', signups: 1, withdrawals: 0, active: 14 });
    expect(byDay.get('2026-10-25')).toEqual({ day: '2026-10-25', signups: 1, withdrawals: 1, active: 14 });
    expect(byDay.get('2026-10-26')).toEqual({ day: '2026-10-26', signups: 1, withdrawals: 0, active: 15 });
    // The series ends today with the current number of active subscribers.
    expect(days[days.length - 1].active).toBe(18);
    const totals = days.reduce((sum: { s: number; w: number }, day: { signups: number; withdrawals: number }) => ({ s: sum.s + day.signups, w: sum.w + day.withdrawals }), { s: 0, w: 0 });
    expect(totals).toEqual({ s: 22, w: 4 });
  });

  it('starts a short series from the subscribers active before it', async () => {
    const { days } = (await get('/stats/growth?days=7')).body.data;
    expect(days).toHaveLength(7);
    expect(days[days.length - 1].active).toBe(18);
    expect(days[0].active - days[0].signups + days[0].withdrawals).toBe(17);
  });

  it('rejects a day count outside 1..730', async () => {
    expect((await get('/stats/growth?days=0')).status).toBe(400);
    expect((await get('/stats/growth?days=731')).status).toBe(400);
  });

  it('exports the same aggregates as CSV, with "<5" cells and no personal data', async () => {
    const response = await get('/stats/export.csv?days=730');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="town-crier-statistics-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = response.text.replace(/^\uFEFF/, '');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('section,key,label,signups,withdrawals,active,count');
    expect(lines).toContain('subscribers,active,,,,,18');
    expect(lines).toContain('subscribers,pending,,,,,4');
    expect(lines).toContain('subscribers,unsubscribed,,,,,5');
    expect(lines).toContain('target,value,,,,,1557');
    expect(lines).toContain('day,2026-03-29,,4,1,13,');
    expect(lines).toContain('day,2026-10-25,,1,1,14,');
    expect(lines).toContain('channel,whatsapp,,,,,18');
    expect(lines).toContain('topic,kultur,Kultur,,,,<5');
    expect(lines).toContain('topic,sport,Sport,,,,0');
    expect(lines).toContain('topic,verkehr,Verkehr,,,,13');
    expect(lines).toContain('source,flyer,,,,,<5');
    expect(lines.filter((line) => line.startsWith('day,'))).toHaveLength(730);
    expect(text).not.toMatch(/\+49|49151/);
  });
});
