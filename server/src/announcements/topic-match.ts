import { slugify } from '../utils/slugify';

/**
 * Topic values of a news entry (or of its enumeration) that match no topic row, by slug or by
 * the slugified value, exactly as `announceSource` resolves them. Such an entry goes to every
 * subscriber (as one without a topic does), so the town is warned at startup and the editor
 * in the side panel.
 */
export function unmatchedTopicValues(values: readonly string[], topicSlugs: readonly string[]): string[] {
  const known = new Set(topicSlugs);
  return [...new Set(values)].filter((value) => !known.has(value) && !known.has(slugify(value)));
}
