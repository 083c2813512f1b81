/**
 * A list in pieces of at most `size`: SQLite refuses an `IN (…)` list past 32,766 values and
 * PostgreSQL past 65,535, so lists that grow with the town are sent a chunk at a time.
 */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
