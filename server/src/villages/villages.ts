import { slugify } from '../utils/slugify';

/**
 * Villages (Ortsteile) live in the plugin config (`town.villages`), not in a content type:
 * they change once in a decade, a town's IT sets them up with the rest of the config, and the
 * strict config schema refuses a typo at startup. A subscriber stores the slugs of the
 * villages they chose in one text column, as `|dakendorf|gnissau|` (empty: the whole town);
 * an announcement stores them as a JSON list (empty: the whole town).
 */
/** The part of knex's query builder the village conditions use (knex is Strapi's, not our dependency). */
export interface WhereBuilder {
  whereNull(column: string): WhereBuilder;
  where(column: string, operator: string, value: string): WhereBuilder;
  orWhere(column: string, operator: string, value: string): WhereBuilder;
}

export interface Village {
  name: string;
  slug: string;
  postcode?: string;
}

/** Slugs are lower-case letters, digits and single hyphens: none of them is a LIKE wildcard. */
export const VILLAGE_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The words a citizen writes for "the whole town" after THEMEN / ORTSTEIL. */
export const WHOLE_TOWN_WORDS = ['ALLE', 'ALL', 'GANZ', 'GESAMT', 'KEINE', 'NONE'];

/** The subscriber column's value for a choice of village slugs; null means the whole town. */
export function encodeVillages(slugs: readonly string[]): string | null {
  const unique = [...new Set(slugs)].sort();
  return unique.length ? `|${unique.join('|')}|` : null;
}

/** The slugs stored in a subscriber's column (or an announcement's JSON list). */
export function decodeVillages(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((slug): slug is string => typeof slug === 'string' && slug.length > 0);
  if (typeof value !== 'string') return [];
  return value.split('|').filter(Boolean);
}

/**
 * The extra `where` that fan-out (`nextSubscribers`) and the audience counts add for an
 * announcement's villages. The contract: given the announcement's village slugs and the
 * qualified column of the subscriber's villages, answer null when the news is for the whole
 * town (no extra condition), else a knex `where` callback matching subscribers who chose the
 * whole town (empty column) or at least one of these villages.
 */
export function villageWhere(column: string, villageSlugs: readonly string[]): ((where: WhereBuilder) => void) | null {
  const slugs = villageSlugs.filter((slug) => VILLAGE_SLUG.test(slug));
  if (!slugs.length) return null;
  return (where) => {
    where.whereNull(column).orWhere(column, '=', '');
    for (const slug of slugs) where.orWhere(column, 'like', `%|${slug}|%`);
  };
}

/** Only subscribers who named this very village (not the whole-town ones): for per-village counts. */
export function namedVillageWhere(column: string, slug: string): (where: WhereBuilder) => void {
  return (where) => {
    where.where(column, 'like', `%|${VILLAGE_SLUG.test(slug) ? slug : '-'}|%`);
  };
}

/** Subscribers who chose the whole town. */
export function wholeTownWhere(column: string): (where: WhereBuilder) => void {
  return (where) => {
    where.whereNull(column).orWhere(column, '=', '');
  };
}

/** The village slugs a news entry's field holds: a string (comma- or semicolon-separated), a list, or related entries. */
export function villageValuesOf(value: unknown): string[] {
  if (!value) return [];
  if (typeof value === 'string') return value.split(/[,;]/).map((part) => part.trim()).filter(Boolean);
  if (Array.isArray(value)) return value.flatMap(villageValuesOf);
  if (typeof value === 'object') {
    const candidate = value as { slug?: unknown; name?: unknown };
    return [String(candidate.slug ?? candidate.name ?? '')].filter(Boolean);
  }
  return [];
}

/** Normalised for matching what people write: "Groß Böbs", "gross-boebs" and "GROSS BOEBS" are one. */
const key = (value: string) => slugify(value).replace(/-/g, '');
/** Without transliteration: what a WhatsApp keyword becomes once its accents are dropped ("BÖBS" → "bobs"). */
const plainOf = (value: string) =>
  value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]/g, '');

/** The configured village a value names (its slug, its name, or either slugified), or undefined. */
export function findVillage(villages: readonly Village[], value: string): Village | undefined {
  const wanted = [key(value), plainOf(value)];
  return villages.find((village) => [key(village.slug), key(village.name), plainOf(village.name)].some((candidate) => wanted.includes(candidate)));
}

/** Resolves values to configured villages: the known ones (by slug, in config order) and the values that name none. */
export function resolveVillages(villages: readonly Village[], values: readonly string[]): { known: Village[]; unknown: string[] } {
  const found = new Set<string>();
  const unknown: string[] = [];
  for (const value of values) {
    const village = findVillage(villages, value);
    if (village) found.add(village.slug);
    else if (!unknown.includes(value)) unknown.push(value);
  }
  return { known: villages.filter((village) => found.has(village.slug)), unknown };
}

/** "Dakendorf und Gnissau", "Dakendorf, Gnissau und Hobbersdorf". */
export function joinNames(names: readonly string[], and: string): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${and} ${names[names.length - 1]}`;
}
