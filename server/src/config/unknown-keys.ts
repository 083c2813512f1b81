/**
 * Messages for config keys the plugin does not know. Each key of an `unrecognized_keys` issue
 * becomes one line `key: unknown key` (with the closest known key, when one is close), so
 * `describeConfigProblems` can prefix each with its full path.
 */

/** Edit distance (Levenshtein), case-insensitive: `baseURL` is one step from `baseUrl` at most. */
function distance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (left[i - 1] === right[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[right.length];
}

/** The known key that was probably meant: a few edits away (1 for short keys, more for long uids), the closest first. */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const limit = unknown.length <= 4 ? 1 : Math.max(2, Math.floor(unknown.length / 6));
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const d = distance(unknown, key);
    if (d <= limit && (!best || d < best.distance)) best = { key, distance: d };
  }
  return best?.key;
}

export const UNKNOWN_KEY_SEPARATOR = '\n';

export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  return keys
    .map((key) => {
      const meant = closestKey(key, known);
      return `${key}: unknown key${meant ? ` (did you mean "${meant}"?)` : ''}`;
    })
    .join(UNKNOWN_KEY_SEPARATOR);
}
