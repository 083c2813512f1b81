/**
 * The limits port in one process's memory: the same rules as the Lua scripts of
 * `redis-limits.ts`, for tests of code that asks for limits without Redis. Windows are sorted
 * sets as in Redis: members ordered by score, then by name. Not for production: nothing here is
 * shared between processes.
 */
import type { Admission, Limits } from './limits';
import { STAMP_TTL_MS } from './limits';

type SortedSet = Map<string, number>;

const ordered = (set: SortedSet) => [...set].sort(([a, scoreA], [b, scoreB]) => scoreA - scoreB || (a < b ? -1 : a > b ? 1 : 0));
const removeUpTo = (set: SortedSet, max: number) => {
  for (const [member, score] of set) if (score <= max) set.delete(member);
};

export function createMemoryLimits(): Limits {
  const windows = new Map<string, SortedSet>();
  const seeded = new Set<string>();
  const slots = new Map<string, number>();
  const claims = new Map<string, number>();
  const owned = new Map<string, { owner: string; until: number }>();
  const stamps = new Map<string, { atMs: number; until: number }>();

  const windowOf = (key: string) => {
    let set = windows.get(key);
    if (!set) windows.set(key, (set = new Map()));
    return set;
  };

  // One member's admission with booked slots: the rule of ADMIT_OR_BOOK_FUNCTION in redis-limits.ts.
  const admitOrBook = (key: string, member: string, limit: number, windowMs: number, now: number, graceMs: number): Admission => {
    const window = windowOf(key);
    const booked = windowOf(`${key}:booked`);
    removeUpTo(window, now - windowMs);
    removeUpTo(booked, now - graceMs);
    if (window.has(member)) {
      booked.delete(member);
      return { admitted: true };
    }
    const count = window.size;
    const mine = booked.get(member);
    if (mine !== undefined) {
      if (mine > now) return { admitted: false, retryAtMs: mine };
      if (count < limit) {
        window.set(member, now);
        booked.delete(member);
        return { admitted: true };
      }
      booked.delete(member);
    }
    const waiting = booked.size;
    if (count + waiting < limit) {
      window.set(member, now);
      return { admitted: true };
    }
    const free = limit - count;
    let at = waiting < limit ? ordered(window)[waiting - free][1] + windowMs : ordered(booked)[waiting - limit][1] + windowMs;
    if (at <= now) at = now + 1;
    booked.set(member, at);
    return { admitted: false, retryAtMs: at };
  };

  const reserveSlots = async (key: string, intervalMs: number, nowMs: number, count: number) => {
    let slot = Math.max(slots.get(key) ?? 0, nowMs);
    const waits: number[] = [];
    for (let i = 0; i < count; i += 1) {
      waits.push(slot - nowMs);
      slot += intervalMs;
    }
    slots.set(key, slot);
    return waits;
  };

  return {
    async admitToWindow(key, member, limit, windowMs, nowMs) {
      const window = windowOf(key);
      removeUpTo(window, nowMs - windowMs);
      if (window.has(member)) return { admitted: true };
      if (window.size < limit) {
        window.set(member, nowMs);
        return { admitted: true };
      }
      return { admitted: false, retryAtMs: ordered(window)[0][1] + windowMs };
    },
    async admitOrBook(key, member, limit, windowMs, nowMs, graceMs) {
      return admitOrBook(key, member, limit, windowMs, nowMs, graceMs);
    },
    async admitOrBookMany(key, members, limit, windowMs, nowMs, graceMs) {
      return members.map((member) => admitOrBook(key, member, limit, windowMs, nowMs, graceMs));
    },
    async releaseBookings(key, members) {
      const booked = windowOf(`${key}:booked`);
      for (const member of members) booked.delete(member);
    },
    async reserveSlot(key, intervalMs, nowMs) {
      return (await reserveSlots(key, intervalMs, nowMs, 1))[0];
    },
    reserveSlots,
    async claimOnce(key, ttlMs) {
      const now = Date.now();
      if ((claims.get(key) ?? 0) > now) return false;
      claims.set(key, now + Math.max(1, Math.round(ttlMs)));
      return true;
    },
    async claimFor(key, owner, ttlMs) {
      const now = Date.now();
      const held = owned.get(key);
      if (held && held.until > now) return held.owner === owner;
      owned.set(key, { owner, until: now + Math.max(1, Math.round(ttlMs)) });
      return true;
    },
    async settleClaim(key, ttlMs) {
      // Nobody owns "done": not even the job that did the work claims it again.
      owned.set(key, { owner: 'done', until: Date.now() + Math.max(1, Math.round(ttlMs)) });
    },
    async seedWindowOnce(key, _windowMs, load) {
      if (seeded.has(key)) return 0;
      const entries = await load();
      const window = windowOf(key);
      for (const entry of entries) if (!window.has(entry.member)) window.set(entry.member, entry.atMs);
      seeded.add(key);
      return entries.length;
    },
    async windowSize(key, windowMs, nowMs) {
      return [...windowOf(key).values()].filter((score) => score >= nowMs - windowMs).length;
    },
    async windowMembers(key, windowMs, nowMs) {
      return ordered(windowOf(key))
        .filter(([, score]) => score >= nowMs - windowMs)
        .map(([member]) => member);
    },
    async setStamp(key, atMs) {
      stamps.set(key, { atMs, until: Date.now() + STAMP_TTL_MS });
    },
    async getStamp(key) {
      const stamp = stamps.get(key);
      return stamp && stamp.until > Date.now() ? stamp.atMs : null;
    },
    async obliterate() {
      windows.clear();
      seeded.clear();
      slots.clear();
      claims.clear();
      stamps.clear();
    },
  };
}
