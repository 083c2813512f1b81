import { describe, expect, it } from 'vitest';
import { protectCells } from '../../server/src/stats/stats.service';

/** Every value of each "<5" cell an observer who knows the total could still believe. */
function candidates(cells: Array<number | string>, total: number): number[][] {
  const remainder = total - cells.reduce<number>((sum, cell) => sum + (typeof cell === 'number' ? cell : 0), 0);
  const hidden = cells.flatMap((cell, index) => (typeof cell === 'number' ? [] : [index]));
  const ranges = hidden.map((index) => (cells[index] === '<5' ? [1, 2, 3, 4] : Array.from({ length: remainder + 1 }, (_, value) => value)));
  // Brute force: every assignment of the hidden cells that adds up to the remainder.
  const possible = hidden.map(() => new Set<number>());
  const walk = (position: number, left: number, chosen: number[]) => {
    if (position === hidden.length) {
      if (left === 0) chosen.forEach((value, i) => possible[i].add(value));
      return;
    }
    for (const value of ranges[position]) if (value <= left) walk(position + 1, left - value, [...chosen, value]);
  };
  walk(0, remainder, []);
  return hidden.filter((index) => cells[index] === '<5').map((index) => [...possible[hidden.indexOf(index)]]);
}

describe('secondary suppression (protectCells)', () => {
  it.each([
    [[152, 0, 3]],
    [[152, 3]],
    [[3, 0, 0]],
    [[150, 2, 3]],
    [[5, 1]],
    [[40, 12, 7, 1]],
    [[100, 200, 4, 6, 0]],
  ])('%j: no "<5" can be worked out from the total', (exact) => {
    const total = exact.reduce((sum, value) => sum + value, 0);
    const shown = protectCells(exact);
    for (const values of candidates(shown, total)) expect(values.length).toBeGreaterThan(1);
    // Shown numbers are the true ones; hidden large cells are only hidden.
    shown.forEach((cell, index) => {
      if (typeof cell === 'number') expect(cell).toBe(exact[index]);
      else if (cell === '<5') expect(exact[index]).toBeGreaterThanOrEqual(1);
    });
  });

  it('hides nothing more when no "<5" could be worked out', () => {
    expect(protectCells([152, 0, 30])).toEqual([152, 0, 30]);
    expect(protectCells([150, 3, 2])).toEqual([150, '<5', '<5']);
  });

  it('cannot help where the exact total itself says it all (two subscribers, one on each of two channels, no third)', () => {
    // Documented in docs/privacy.md: the active total is exact by design.
    expect(protectCells([1, 1])).toEqual(['<5', '<5']);
    expect(candidates(protectCells([1, 1]), 2)).toEqual([[1], [1]]);
  });

  it('hides the smallest shown cell first', () => {
    expect(protectCells([152, 20, 3])).toEqual([152, '*', '<5']);
  });
});
