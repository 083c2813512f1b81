/**
 * The limits port on Redis. Every rule is one Lua script, so the check and the write are atomic
 * across every process sharing the Redis. It shares the job queue's connection (`connection`),
 * which the bull file hands over: only that file imports `bull`. Keys live under
 * `<prefix>:window:` and `<prefix>:stamp:`, as they did when this was part of the job queue.
 */
import { createHash } from 'node:crypto';
import type { Admission, Limits } from './limits';
import { STAMP_TTL_MS } from './limits';

/** The few Redis commands the limits use (ioredis's client has them). */
export interface RedisCommands {
  evalsha(sha: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
  zrem(key: string, ...members: string[]): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number, ...flags: string[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  exists(key: string): Promise<number>;
  del(...keys: string[]): Promise<unknown>;
  keys(pattern: string): Promise<string[]>;
  zcount(key: string, min: number | string, max: number | string): Promise<number>;
  zrangebyscore(key: string, min: number | string, max: number | string): Promise<string[]>;
  multi(): RedisPipeline;
}

export interface RedisPipeline {
  zadd(key: string, ...args: Array<string | number>): RedisPipeline;
  pexpire(key: string, ms: number): RedisPipeline;
  set(key: string, value: string): RedisPipeline;
  exec(): Promise<unknown>;
}

// The next free slot is max(now, last slot + interval); reserving it moves the timeline on, so
// concurrent callers get distinct slots and never wake up together to race for one. One call
// reserves `count` consecutive slots for sends that asked together (answers their waits, in order).
const RESERVE_SLOTS_SCRIPT = `
local key = KEYS[1]
local interval, now, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local slot = tonumber(redis.call('GET', key) or '0')
if slot < now then slot = now end
local waits = {}
for i = 1, count do
  waits[i] = tostring(slot - now)
  slot = slot + interval
end
redis.call('SET', key, tostring(slot), 'PX', math.ceil(slot - now) + 60000)
return waits
`;

// Lua keeps the check and the insert atomic, so two workers can never both take the last slot.
const ADMIT_SCRIPT = `
local key, member = KEYS[1], ARGV[1]
local limit, window, now = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZSCORE', key, member) then return -1 end
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return -1
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window
`;

// Admission with booked slots, so held recipients are released in step with the window instead
// of all waking at its edge. The window's slots free up in the order of its members' scores; a
// recipient who finds no room books the next slot nobody has booked: with F free slots now and
// W members, booking i falls on member i−F's expiry, and beyond the window's size on the expiry
// of booking i−limit (the day after). A booked recipient is admitted when its time has come
// and there is room; a newcomer only when no booking is waiting for the room. Bookings not
// claimed within `grace` after their time (a cancelled broadcast) are dropped.
// One member's admission, as a Lua function: the single call and the grouped call run the same rule.
const ADMIT_OR_BOOK_FUNCTION = `
local function admitOrBook(key, booked, member, limit, window, now, grace)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', booked, '-inf', now - grace)
  if redis.call('ZSCORE', key, member) then
    redis.call('ZREM', booked, member)
    return -1
  end
  local count = redis.call('ZCARD', key)
  local mine = redis.call('ZSCORE', booked, member)
  if mine then
    mine = tonumber(mine)
    if mine > now then return mine end
    if count < limit then
      redis.call('ZADD', key, now, member)
      redis.call('PEXPIRE', key, window)
      redis.call('ZREM', booked, member)
      return -1
    end
    redis.call('ZREM', booked, member)
  end
  local waiting = redis.call('ZCARD', booked)
  if count + waiting < limit then
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, window)
    return -1
  end
  local free = limit - count
  local at
  if waiting < limit then
    local entry = redis.call('ZRANGE', key, waiting - free, waiting - free, 'WITHSCORES')
    at = tonumber(entry[2]) + window
  else
    local entry = redis.call('ZRANGE', booked, waiting - limit, waiting - limit, 'WITHSCORES')
    at = tonumber(entry[2]) + window
  end
  if at <= now then at = now + 1 end
  redis.call('ZADD', booked, at, member)
  redis.call('PEXPIRE', booked, math.ceil(at - now + grace + window))
  return at
end
`;

const ADMIT_OR_BOOK_SCRIPT = `${ADMIT_OR_BOOK_FUNCTION}
return admitOrBook(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
`;

// The members of sends that asked together, one after another in one atomic call (ARGV[5..]).
const ADMIT_OR_BOOK_MANY_SCRIPT = `${ADMIT_OR_BOOK_FUNCTION}
local limit, window, now, grace = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local answers = {}
for i = 5, #ARGV do
  answers[#answers + 1] = tostring(admitOrBook(KEYS[1], KEYS[2], ARGV[i], limit, window, now, grace))
end
return answers
`;

/** A script's answer that is one value per member (a list reply); a reply of another shape answers nothing. */
const listReply = (reply: unknown): unknown[] => (Array.isArray(reply) ? reply : []);

const toAdmission = (answer: unknown): Admission => (Number(answer) < 0 ? { admitted: true } : { admitted: false, retryAtMs: Number(answer) });

export function createRedisLimits(options: { prefix: string; connection: () => RedisCommands }): Limits {
  const { prefix } = options;
  const windowKey = (key: string) => `${prefix}:window:${key}`;

  // Scripts go by their SHA1 (EVALSHA): the hot path sends a few bytes instead of the script's
  // text with every message. A Redis that lost its script cache answers NOSCRIPT once.
  const shas = new Map<string, string>();
  const runScript = async (lua: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown> => {
    const client = options.connection();
    let sha = shas.get(lua);
    if (!sha) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
    try {
      return await client.evalsha(sha, numberOfKeys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return client.eval(lua, numberOfKeys, ...args);
    }
  };

  const reserveSlots = async (key: string, intervalMs: number, nowMs: number, count: number) => {
    const waits = listReply(await runScript(RESERVE_SLOTS_SCRIPT, 1, `${prefix}:window:slot:${key}`, intervalMs, nowMs, count));
    return waits.map((wait) => Math.max(0, Number(wait)));
  };

  return {
    async admitToWindow(key, member, limit, windowMs, nowMs) {
      return toAdmission(await runScript(ADMIT_SCRIPT, 1, windowKey(key), member, limit, windowMs, nowMs));
    },
    async admitOrBook(key, member, limit, windowMs, nowMs, graceMs) {
      const fullKey = windowKey(key);
      return toAdmission(await runScript(ADMIT_OR_BOOK_SCRIPT, 2, fullKey, `${fullKey}:booked`, member, limit, windowMs, nowMs, graceMs));
    },
    async admitOrBookMany(key, members, limit, windowMs, nowMs, graceMs) {
      if (!members.length) return [];
      const fullKey = windowKey(key);
      const answers = listReply(await runScript(ADMIT_OR_BOOK_MANY_SCRIPT, 2, fullKey, `${fullKey}:booked`, limit, windowMs, nowMs, graceMs, ...members));
      return answers.map(toAdmission);
    },
    async releaseBookings(key, members) {
      const booked = `${windowKey(key)}:booked`;
      for (let i = 0; i < members.length; i += 1000) await options.connection().zrem(booked, ...members.slice(i, i + 1000));
    },
    async reserveSlot(key, intervalMs, nowMs) {
      return (await reserveSlots(key, intervalMs, nowMs, 1))[0];
    },
    reserveSlots,
    async claimOnce(key, ttlMs) {
      return (await options.connection().set(`${prefix}:window:claim:${key}`, '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
    },
    async claimFor(key, owner, ttlMs) {
      const client = options.connection();
      const fullKey = `${prefix}:window:claim:${key}`;
      if ((await client.set(fullKey, owner, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK') return true;
      return (await client.get(fullKey)) === owner;
    },
    async settleClaim(key, ttlMs) {
      await options.connection().set(`${prefix}:window:claim:${key}`, 'done', 'PX', Math.max(1, Math.round(ttlMs)));
    },
    async seedWindowOnce(key, windowMs, load) {
      const client = options.connection();
      const fullKey = windowKey(key);
      // The marker lives as long as this Redis's data: a flush takes it away with the window.
      const marker = `${prefix}:window:seeded:${key}`;
      if (await client.exists(marker)) return 0;
      const entries = await load();
      const pipeline = client.multi();
      for (let i = 0; i < entries.length; i += 1000) {
        const pairs = entries.slice(i, i + 1000).flatMap((entry) => [entry.atMs, entry.member]);
        pipeline.zadd(fullKey, 'NX', ...pairs);
      }
      if (entries.length) pipeline.pexpire(fullKey, windowMs);
      pipeline.set(marker, '1');
      await pipeline.exec();
      return entries.length;
    },
    async windowSize(key, windowMs, nowMs) {
      return options.connection().zcount(windowKey(key), nowMs - windowMs, '+inf');
    },
    async windowMembers(key, windowMs, nowMs) {
      return options.connection().zrangebyscore(windowKey(key), nowMs - windowMs, '+inf');
    },
    async setStamp(key, atMs) {
      await options.connection().set(`${prefix}:stamp:${key}`, String(atMs), 'PX', STAMP_TTL_MS);
    },
    async getStamp(key) {
      const value = await options.connection().get(`${prefix}:stamp:${key}`);
      return value === null ? null : Number(value);
    },
    async obliterate() {
      const client = options.connection();
      const keys = [...(await client.keys(`${prefix}:window:*`)), ...(await client.keys(`${prefix}:stamp:*`))];
      if (keys.length) await client.del(...keys);
    },
  };
}
