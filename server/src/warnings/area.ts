import type { TownAreaCodes } from './types';

/**
 * Which of the town's area codes a warning's code covers. An ARS names a level by its leading
 * digits (Land 2, Regierungsbezirk 3, Kreis 5, Verband 9, Gemeinde 12), the rest being zeros:
 * a warning for the district ("010550000000") covers the town and all its villages, one for the
 * town covers the town, one for a village's own code only that village. A neighbouring
 * municipality's code covers nothing of ours. DWD WarnCellIDs are compared whole.
 */
export function coveredCodes(warningCodes: readonly string[], town: TownAreaCodes, kind: 'ars' | 'warncell'): string[] {
  const ours = [town.municipality, ...Object.values(town.villages)];
  const covered = new Set<string>();
  for (const code of warningCodes) {
    const clean = code.replace(/\D/g, '');
    if (!clean) continue;
    for (const own of ours) {
      if (kind === 'warncell' ? clean === own : arsCovers(clean, own)) covered.add(own);
    }
  }
  return ours.filter((own) => covered.has(own));
}

/** Whether a warning for ARS `warning` concerns the place with ARS `own`. */
export function arsCovers(warning: string, own: string): boolean {
  const padded = warning.padEnd(12, '0').slice(0, 12);
  // Keep at least the Land: "000000000000" (all of Germany) covers everything, as intended.
  const prefix = padded.replace(/0+$/, '');
  return own.startsWith(prefix);
}

/**
 * The villages a warning names, from the codes it covers: the municipality's code means the
 * whole town ([]); otherwise the villages whose own code is covered.
 */
export function villagesOfCodes(codes: readonly string[], town: TownAreaCodes): string[] {
  if (codes.includes(town.municipality)) return [];
  return Object.entries(town.villages).filter(([, code]) => codes.includes(code)).map(([slug]) => slug);
}
