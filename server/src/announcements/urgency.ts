import { URGENCIES, type Urgency } from '../constants';
import type { ContentTypeMapping } from '../config/schema';

/** The urgency of an entry: its mapped value, through the town's `urgencyValues`; `info` when none fits. */
export function urgencyOf(mapping: ContentTypeMapping, entry: Record<string, unknown>): Urgency {
  if (!mapping.urgency) return 'info';
  const value = entry[mapping.urgency];
  if (typeof value !== 'string') return 'info';
  const mapped = mapping.urgencyValues?.[value] ?? value;
  return (URGENCIES as readonly string[]).includes(mapped) ? (mapped as Urgency) : 'info';
}
