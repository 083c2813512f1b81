/**
 * Small-cell suppression for every count the statistics publish: a breakdown cell of 1–4 is
 * reported as "<5" so a small group cannot be singled out, and `protectCells` hides as many
 * further cells ("*") as it takes so that a "<5" cannot be worked out from the total.
 */

export const SMALL_CELL = '<5' as const;
/** A cell of 5 or more hidden only so that a "<5" beside it cannot be worked out. */
export const HIDDEN_CELL = '*' as const;
export type CellCount = number | typeof SMALL_CELL | typeof HIDDEN_CELL;

/** The rule the towns' data-protection officers asked for: 0 stays 0, 1–4 become "<5". */
export function suppressSmall(count: number): CellCount {
  return count >= 1 && count <= 4 ? SMALL_CELL : count;
}

/**
 * Primary and secondary suppression for one breakdown whose cells may add up to a published
 * total. Someone who knows the total and every shown cell knows what the hidden cells add up
 * to; each "<5" is 1–4 and each "*" anything from 0 to that remainder. While that pins any "<5"
 * to a single value, the smallest shown cell (zeros last) is hidden as "*" as well. The cells
 * are assumed to split the total even where they overlap (topics), the case that tells most.
 */
export function protectCells(exact: number[]): CellCount[] {
  const shown: CellCount[] = exact.map(suppressSmall);
  const total = exact.reduce((sum, value) => sum + value, 0);
  const pinned = () => {
    const remainder = total - shown.reduce<number>((sum, cell) => sum + (typeof cell === 'number' ? cell : 0), 0);
    const hidden = shown.flatMap((cell, index) => (typeof cell === 'number' ? [] : [index]));
    const low = (index: number) => (shown[index] === SMALL_CELL ? 1 : 0);
    const high = (index: number) => (shown[index] === SMALL_CELL ? 4 : remainder);
    return hidden.some((index) => {
      if (shown[index] !== SMALL_CELL) return false;
      const others = hidden.filter((other) => other !== index);
      const least = Math.max(1, remainder - others.reduce((sum, other) => sum + high(other), 0));
      const most = Math.min(4, remainder - others.reduce((sum, other) => sum + low(other), 0));
      return most <= least;
    });
  };
  while (pinned()) {
    const candidates = shown.flatMap((cell, index) => (typeof cell === 'number' ? [index] : []));
    if (!candidates.length) break;
    const rank = (index: number) => (exact[index] === 0 ? Number.POSITIVE_INFINITY : exact[index]);
    const next = candidates.reduce((best, index) => (rank(index) < rank(best) ? index : best));
    shown[next] = HIDDEN_CELL;
  }
  return shown;
}
