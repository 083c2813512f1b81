/**
 * The placeholders of a mapping's `url` pattern (`https://…/aktuelles/{slug}`) whose values are
 * empty on the entry: a link built from them would lead nowhere, so the broadcast waits.
 */
export function missingUrlPlaceholders(pattern: string, entry: Record<string, unknown>): string[] {
  const names = [...pattern.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  return [...new Set(names)].filter((name) => {
    const value = entry[name];
    return value === null || value === undefined || String(value).trim() === '';
  });
}
