import { urgencyOf, type Urgency } from '../constants';
import type { ContentTypeMapping } from '../config/schema';

/**
 * The urgency of an entry: its mapped value, through the town's `urgencyValues`, read with the
 * shared urgency words (`info`, `wichtig`, `Notfall`, …); `info` when none fits.
 */
export function entryUrgency(mapping: ContentTypeMapping, entry: Record<string, unknown>): Urgency {
  if (!mapping.urgency) return 'info';
  return urgencyOfValue(mapping, entry[mapping.urgency]) ?? 'info';
}

/** What one value of the mapped urgency field means, or null when it names no urgency. */
export function urgencyOfValue(mapping: ContentTypeMapping, value: unknown): Urgency | null {
  if (typeof value !== 'string') return null;
  return urgencyOf(mapping.urgencyValues?.[value] ?? value);
}
