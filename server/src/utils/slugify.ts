/** A village or topic name as Strapi's uid fields would make it: "Notfälle" → "notfaelle". */
export const slugify = (value: string) =>
  value
    // German transliteration first, as Strapi's own uid fields do it: "Notfälle" → "notfaelle".
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/Ä/g, 'Ae')
    .replace(/Ö/g, 'Oe')
    .replace(/Ü/g, 'Ue')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

