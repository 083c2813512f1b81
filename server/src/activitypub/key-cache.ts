/**
 * The keys of the servers that write to the actor's inbox, kept for a while: every Follow, Undo,
 * Like and reply is signed, and fetching the signer's actor document for each would make a busy
 * follower server's traffic our traffic to it. Bounded (the oldest used entry goes first) and
 * with an expiry, so a key its owner replaced is fetched again at the latest after `ttlMs`; the
 * inbox refetches at once when a cached key fails to verify (federation.ts).
 */
export interface ExpiringCache<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  delete(key: string): void;
  readonly size: number;
}

export function createExpiringCache<T>(options: { maxEntries: number; ttlMs: number; now?: () => number }): ExpiringCache<T> {
  const now = options.now ?? Date.now;
  // A Map keeps insertion order: re-inserting on a hit makes its first entry the least recently used.
  const entries = new Map<string, { value: T; until: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.until <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, until: now() + options.ttlMs });
      while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
