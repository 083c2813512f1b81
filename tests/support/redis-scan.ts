import Redis from 'ioredis';
import { REDIS_URL } from './strapi';

/**
 * Everything one test boot left in Redis under its prefix, as text: every key name and every
 * value (strings, hashes with bull's job `data`, `failedReason`, `stacktrace`, lists, sets and
 * sorted sets), so a test can search it for personal data.
 */
export async function redisContents(prefix: string): Promise<Array<{ key: string; text: string }>> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const contents: Array<{ key: string; text: string }> = [];
    for (const key of keys) {
      const type = await redis.type(key);
      let values: string[] = [];
      if (type === 'string') values = [(await redis.get(key)) ?? ''];
      else if (type === 'hash') values = Object.entries(await redis.hgetall(key)).flat();
      else if (type === 'list') values = await redis.lrange(key, 0, -1);
      else if (type === 'set') values = await redis.smembers(key);
      else if (type === 'zset') values = await redis.zrange(key, 0, -1);
      contents.push({ key, text: [key, ...values].join('\n') });
    }
    return contents;
  } finally {
    redis.disconnect();
  }
}

/** True when no bull queue of this boot has a job waiting, delayed or running. */
export async function queuesSettled(prefix: string): Promise<boolean> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = (await redis.keys(`${prefix}:*`)).filter((key) => /:(wait|active|delayed|paused)$/.test(key));
    for (const key of keys) {
      const type = await redis.type(key);
      const size = type === 'list' ? await redis.llen(key) : type === 'zset' ? await redis.zcard(key) : 0;
      if (size > 0) return false;
    }
    return true;
  } finally {
    redis.disconnect();
  }
}

/** Bull's failed jobs of one queue: their data, failedReason and stacktrace. */
export async function failedJobs(prefix: string, queue: string): Promise<Array<Record<string, string>>> {
  const redis = new Redis(REDIS_URL);
  try {
    const ids = await redis.zrange(`${prefix}:${queue}:failed`, 0, -1);
    return Promise.all(ids.map((id) => redis.hgetall(`${prefix}:${queue}:${id}`)));
  } finally {
    redis.disconnect();
  }
}
