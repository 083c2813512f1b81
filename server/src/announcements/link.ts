/** The article link of an announcement: the mapping's `url` pattern with `{attribute}` placeholders. */

const PLACEHOLDER = /\{(\w+)\}/g;

/** The attribute names a URL pattern uses, in order, each once. */
export function urlPlaceholders(pattern: string): string[] {
  return [...new Set(Array.from(pattern.matchAll(PLACEHOLDER), (match) => match[1]))];
}

/** Placeholders of `pattern` whose value on the entry is missing or blank: the link would be broken. */
export function missingUrlPlaceholders(pattern: string, entry: Record<string, unknown>): string[] {
  return urlPlaceholders(pattern).filter((attribute) => {
    const value = entry[attribute];
    return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
  });
}

export function fillUrl(pattern: string, entry: Record<string, unknown>): string {
  return pattern.replace(PLACEHOLDER, (_, attribute: string) => encodeURIComponent(String(entry[attribute] ?? '')));
}
