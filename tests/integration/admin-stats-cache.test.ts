import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';

/**
 * Large towns reuse a statistics answer for `stats.cache.seconds` (counting a million
 * subscribers costs the database most of a second). The threshold is lowered to 5 active
 * subscribers here so a handful of rows stands in for a large town: below it every request
 * counts afresh; from it an answer is reused, and once older than the configured seconds served
 * while one recount runs in the background; the numbers it shows are exactly those at its
 * `generatedAt`.
 */
describe('admin statistics of a large town', () => {
  let test: TestStrapi;
  let token: string;
  let n = 0;

  const addActive = async () => {
    n += 1;
    await test.strapi.db.query('plugin::town-crier.subscriber').create({
      data: { channel: 'whatsapp', address: `+49151222${String(n).padStart(5, '0')}`, status: 'active', source: 'web', confirmedAt: new Date(Date.now() - 60_000) },
    });
  };
  const get = (path: string) => test.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`);
  const overview = async () => (await get('/stats/overview')).body.data as { subscribers: { active: number }; generatedAt: string };
  const lastActive = async () => {
    const days = (await get('/stats/growth?days=30')).body.data.days as Array<{ active: number }>;
    return days[days.length - 1].active;
  };

  beforeAll(async () => {
    test = await bootStrapi({ pluginConfig: { stats: { cache: { fromSubscribers: 5, seconds: 60 } } } });
    token = await createSuperAdmin(test);
    for (let i = 0; i < 3; i += 1) await addActive();
  });
  afterAll(async () => {
    await test?.close();
  });

  it('counts a town below the threshold afresh at every request', async () => {
    expect((await overview()).subscribers.active).toBe(3);
    expect(await lastActive()).toBe(3);
    await addActive();
    expect((await overview()).subscribers.active).toBe(4);
    expect(await lastActive()).toBe(4);
  });

  it('reuses a large town\'s answer; once older than the configured seconds it is served while a recount runs, then replaced', async () => {
    await addActive();
    const first = await overview();
    expect(first.subscribers.active).toBe(5);
    expect(await lastActive()).toBe(5);

    await addActive();
    const reused = await overview();
    expect(reused.subscribers.active).toBe(5);
    expect(reused.generatedAt).toBe(first.generatedAt);
    expect(await lastActive()).toBe(5);

    // The injectable clock of the service: 61 seconds after the first count the answer is stale.
    const stats = test.strapi.plugin('town-crier').service('stats') as {
      overview(now?: Date): Promise<{ subscribers: { active: number }; generatedAt: string }>;
      growth(days: number, now?: Date): Promise<{ days: Array<{ active: number }> }>;
    };
    const later = new Date(new Date(first.generatedAt).getTime() + 61_000);
    // Nobody waits for the recount: the stale answer comes back at once, as it was counted.
    const stale = await stats.overview(later);
    expect(stale.subscribers.active).toBe(5);
    expect(stale.generatedAt).toBe(first.generatedAt);
    // The recount started by that request replaces it.
    const fresh = await eventually(async () => {
      const answer = await stats.overview(new Date(later.getTime() + 1000));
      return answer.generatedAt === later.toISOString() && answer;
    });
    expect(fresh.subscribers.active).toBe(6);
    await stats.growth(30, later);
    const growth = await eventually(async () => {
      const answer = await stats.growth(30, new Date(later.getTime() + 1000));
      return answer.days[answer.days.length - 1].active === 6 && answer;
    });
    expect(growth.days[growth.days.length - 1].active).toBe(6);

    // An answer nobody asked for in ten times the seconds is not shown: it is counted afresh first.
    await addActive();
    const morning = new Date(later.getTime() + 11 * 60_000);
    const counted = await stats.overview(morning);
    expect(counted.subscribers.active).toBe(7);
    expect(counted.generatedAt).toBe(morning.toISOString());
  });
});
