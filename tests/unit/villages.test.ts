import { describe, expect, it } from 'vitest';
import { parsePluginConfig } from '../../server/src/config';
import { checkContentTypeMappings, type ContentTypeLike } from '../../server/src/config/mapping-check';
import { villageWords } from '../../server/src/webhooks/inbound-commands.service';
import { decodeVillages, encodeVillages, resolveVillages, villageValuesOf } from '../../server/src/villages/villages';

const VILLAGES = [
  { name: 'Dakendorf', slug: 'dakendorf' },
  { name: 'Gnissau', slug: 'gnissau' },
  { name: 'Groß Parin', slug: 'gross-parin', postcode: '23619' },
];

describe('town.villages in the config', () => {
  it('defaults to none and takes names with umlauts, slugs and postcodes', () => {
    expect(parsePluginConfig({}).town.villages).toEqual([]);
    expect(parsePluginConfig({ town: { villages: VILLAGES } }).town.villages).toEqual(VILLAGES);
  });

  it('refuses a bad slug, a twice-used slug, a bad postcode and an unknown key', () => {
    expect(() => parsePluginConfig({ town: { villages: [{ name: 'Groß Parin', slug: 'Groß Parin' }] } })).toThrow(/lower-case letters, digits and single hyphens/);
    expect(() => parsePluginConfig({ town: { villages: [VILLAGES[0], { name: 'Dakendorf Ost', slug: 'dakendorf' }] } })).toThrow(/used twice/);
    expect(() => parsePluginConfig({ town: { villages: [{ ...VILLAGES[0], postcode: '2361' }] } })).toThrow(/five-digit/);
    expect(() => parsePluginConfig({ town: { villages: [{ ...VILLAGES[0], plz: '23619' }] } })).toThrow(/plz/);
  });
});

describe('village values', () => {
  it('stores a choice as |a|b| (sorted, once each) and reads it back; none is the whole town', () => {
    expect(encodeVillages(['gnissau', 'dakendorf', 'gnissau'])).toBe('|dakendorf|gnissau|');
    expect(encodeVillages([])).toBeNull();
    expect(decodeVillages('|dakendorf|gnissau|')).toEqual(['dakendorf', 'gnissau']);
    expect(decodeVillages(null)).toEqual([]);
    expect(decodeVillages(['gnissau'])).toEqual(['gnissau']);
  });

  it('reads a news field as editors fill it and matches names, slugs and umlaut spellings', () => {
    expect(villageValuesOf('Dakendorf, Groß Parin; gnissau')).toEqual(['Dakendorf', 'Groß Parin', 'gnissau']);
    expect(villageValuesOf([{ slug: 'gnissau' }, { name: 'Dakendorf' }])).toEqual(['gnissau', 'Dakendorf']);
    const { known, unknown } = resolveVillages(VILLAGES, ['GROSS PARIN', 'gross-parin', 'Dakendorf', 'Nirgendwo']);
    // In config order, each once.
    expect(known.map((village) => village.slug)).toEqual(['dakendorf', 'gross-parin']);
    expect(unknown).toEqual(['Nirgendwo']);
  });

  it('understands what citizens write after THEMEN', () => {
    expect(villageWords('THEMEN', VILLAGES)).toBeNull();
    expect(villageWords('Themen alle', VILLAGES)).toEqual({ slugs: [], unknown: [] });
    expect(villageWords('THEMEN Dakendorf und Groß Parin', VILLAGES)).toEqual({ slugs: ['dakendorf', 'gross-parin'], unknown: [] });
    expect(villageWords('ortsteil gnissau dakendorf', VILLAGES)).toEqual({ slugs: ['dakendorf', 'gnissau'], unknown: [] });
    expect(villageWords('THEMEN Gnissau, Atlantis', VILLAGES)).toEqual({ slugs: ['gnissau'], unknown: ['Atlantis'] });
  });
});

describe('the mapping check for villages', () => {
  const article: ContentTypeLike = {
    options: { draftAndPublish: true },
    attributes: {
      titel: { type: 'string' },
      text: { type: 'text' },
      ortsteil: { type: 'enumeration', enum: ['Dakendorf', 'Groß Parin', 'Gnisau'] },
      ortsteile: { type: 'string' },
      dorf: { type: 'relation', target: 'api::dorf.dorf' },
      bild: { type: 'media' },
    },
  };
  const contentTypes = { 'api::meldung.meldung': article, 'api::dorf.dorf': { attributes: { name: { type: 'string' } } } };
  const check = (villages: string, configured = VILLAGES) =>
    checkContentTypeMappings({ 'api::meldung.meldung': { title: 'titel', text: 'text', url: 'https://x.de/{documentId}', villages } }, contentTypes, configured);

  it('accepts a text field and a relation to entries with a name', () => {
    expect(check('ortsteile')).toEqual([]);
    expect(check('dorf')).toEqual([]);
  });

  it('refuses enumeration values that name no configured village, a wrong type, and villages without town.villages', () => {
    expect(check('ortsteil')).toEqual([
      'contentTypes.api::meldung.meldung.villages: the values "Gnisau" of "ortsteil" name no village of town.villages (dakendorf, gnissau, gross-parin) (did you mean "gnissau"?)',
    ]);
    expect(check('bild')).toEqual(['contentTypes.api::meldung.meldung.villages: "bild" is of type media; villages needs one of string, text, uid, enumeration, relation']);
    expect(check('ortsteile', [])).toEqual([
      'contentTypes.api::meldung.meldung.villages: the town has no villages; configure town.villages (name and slug of each Ortsteil) or remove villages from the mapping',
    ]);
  });
});
