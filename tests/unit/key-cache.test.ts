import { describe, expect, it } from 'vitest';
import { createExpiringCache } from '../../server/src/activitypub/key-cache';

describe('the inbox’s cache of senders’ keys', () => {
  it('forgets a key after its time, and keeps at most its size, dropping the least recently used', () => {
    let now = 0;
    const cache = createExpiringCache<string>({ maxEntries: 2, ttlMs: 1000, now: () => now });
    cache.set('alice#key', 'A');
    cache.set('bob#key', 'B');
    now = 500;
    // Read: alice is now the most recently used, so the third key pushes bob out.
    expect(cache.get('alice#key')).toBe('A');
    cache.set('carol#key', 'C');
    expect(cache.size).toBe(2);
    expect(cache.get('bob#key')).toBeUndefined();
    expect(cache.get('carol#key')).toBe('C');
    now = 1000;
    expect(cache.get('alice#key')).toBeUndefined();
    expect(cache.get('carol#key')).toBe('C');
    now = 1500;
    expect(cache.get('carol#key')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
