/**
 * "der Gemeinde Ahrensbök", "the municipality of Ahrensbök": the town named with its kind, as
 * the sign-up page says whose news it offers. A town is a Stadt, a Gemeinde, an Amt…
 * (`town.kind`); the kinds German municipalities use most have their genitive here, any other
 * reads "von <kind> <name>".
 */
const GERMAN_GENITIVE: Record<string, string> = {
  Stadt: 'der Stadt',
  Hansestadt: 'der Hansestadt',
  Gemeinde: 'der Gemeinde',
  Ortsgemeinde: 'der Ortsgemeinde',
  Samtgemeinde: 'der Samtgemeinde',
  Verbandsgemeinde: 'der Verbandsgemeinde',
  Marktgemeinde: 'der Marktgemeinde',
  Markt: 'des Marktes',
  Amt: 'des Amtes',
  Kreis: 'des Kreises',
  Landkreis: 'des Landkreises',
};

const ENGLISH: Record<string, string> = {
  Stadt: 'the town of',
  Hansestadt: 'the Hanseatic town of',
  Gemeinde: 'the municipality of',
  Ortsgemeinde: 'the municipality of',
  Samtgemeinde: 'the joint municipality of',
  Verbandsgemeinde: 'the joint municipality of',
  Marktgemeinde: 'the market town of',
  Markt: 'the market town of',
  Amt: 'the Amt',
  Kreis: 'the district of',
  Landkreis: 'the district of',
};

export interface Town {
  name: string;
  kind: string;
}

/** The genitive phrase after "Nachrichten" / "the news of". */
export function ofTown(town: Town, locale: 'de' | 'en' | 'de-x-ls'): string {
  if (locale === 'en') return `${ENGLISH[town.kind] ?? 'the municipality of'} ${town.name}`;
  const genitive = GERMAN_GENITIVE[town.kind];
  return genitive ? `${genitive} ${town.name}` : `von ${town.kind} ${town.name}`;
}
