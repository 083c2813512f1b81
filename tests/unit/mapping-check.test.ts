import { describe, expect, it } from 'vitest';
import { checkContentTypeMappings, type ContentTypeLike } from '../../server/src/config/mapping-check';
import { missingUrlPlaceholders, urlPlaceholders } from '../../server/src/announcements/link';
import { entryUrgency } from '../../server/src/announcements/urgency';
import { unmatchedTopicValues } from '../../server/src/announcements/topic-match';

const meldung: ContentTypeLike = {
  options: { draftAndPublish: true },
  attributes: {
    titel: { type: 'string' },
    kurztext: { type: 'text' },
    inhalt: { type: 'richtext' },
    bloecke: { type: 'blocks' },
    kennung: { type: 'uid' },
    thema: { type: 'enumeration', enum: ['verkehr', 'kultur'] },
    themen: { type: 'relation', target: 'plugin::town-crier.topic' },
    autor: { type: 'relation', target: 'admin::user' },
    dringlichkeit: { type: 'enumeration', enum: ['normal', 'wichtig', 'notfall'] },
    nicht_senden: { type: 'boolean' },
    bild: { type: 'media' },
  },
};
const contentTypes: Record<string, ContentTypeLike> = {
  'api::meldung.meldung': meldung,
  'api::seite.seite': { options: { draftAndPublish: false }, attributes: { titel: { type: 'string' }, text: { type: 'text' } } },
  'plugin::town-crier.topic': { attributes: { name: { type: 'string' }, slug: { type: 'uid' } } },
  'admin::user': { attributes: { firstname: { type: 'string' } } },
};
const good = { title: 'titel', text: 'kurztext', url: 'https://x.de/aktuelles/{kennung}', topics: 'thema', skip: 'nicht_senden' };
const check = (mapping: Record<string, unknown>, uid = 'api::meldung.meldung') => checkContentTypeMappings({ [uid]: { ...good, ...mapping } as never }, contentTypes);

describe('the mapping is checked against the content type', () => {
  it('accepts a mapping that fits, with richtext, blocks, a topic relation and mapped urgency values', () => {
    expect(check({})).toEqual([]);
    expect(check({ text: 'inhalt', topics: 'themen', urgency: 'dringlichkeit', urgencyValues: { normal: 'info', wichtig: 'important', notfall: 'emergency' } })).toEqual([]);
    expect(check({ text: 'bloecke', url: 'https://x.de/{documentId}/{locale}' })).toEqual([]);
  });

  it('refuses a content type the site does not have, naming the ones it has', () => {
    expect(check({}, 'api::meldungen.meldungen')).toEqual([
      'contentTypes.api::meldungen.meldungen: there is no content type api::meldungen.meldungen (did you mean "api::meldung.meldung"?); the site has api::meldung.meldung, api::seite.seite',
    ]);
  });

  it('refuses a content type without Draft & Publish', () => {
    expect(checkContentTypeMappings({ 'api::seite.seite': { title: 'titel', text: 'text', url: 'https://x.de/{documentId}' } }, contentTypes)).toEqual([
      'contentTypes.api::seite.seite: the content type has no Draft & Publish; a broadcast starts at the first publish, so switch Draft & Publish on for it',
    ]);
  });

  it('refuses field names that are not attributes, suggesting the closest', () => {
    expect(check({ title: 'title', urgency: 'dringlichkeitt', skip: 'senden' })).toEqual([
      'contentTypes.api::meldung.meldung.title: api::meldung.meldung has no attribute "title" (did you mean "titel"?)',
      'contentTypes.api::meldung.meldung.urgency: api::meldung.meldung has no attribute "dringlichkeitt" (did you mean "dringlichkeit"?)',
      'contentTypes.api::meldung.meldung.skip: api::meldung.meldung has no attribute "senden"',
    ]);
  });

  it('refuses attributes of a type the field cannot be read from', () => {
    expect(check({ title: 'bild', text: 'thema', skip: 'titel', topics: 'autor', urgency: 'nicht_senden' })).toEqual([
      'contentTypes.api::meldung.meldung.title: "bild" is of type media; title needs one of string, text, uid, enumeration, email',
      'contentTypes.api::meldung.meldung.text: "thema" is of type enumeration; text needs one of string, text, richtext, blocks',
      'contentTypes.api::meldung.meldung.topics: "autor" relates to admin::user, which has neither a slug nor a name to match topics by',
      'contentTypes.api::meldung.meldung.urgency: "nicht_senden" is of type boolean; urgency needs one of enumeration, string',
      'contentTypes.api::meldung.meldung.skip: "titel" is of type string; skip needs one of boolean',
    ]);
  });

  it('refuses url placeholders that are not attributes or cannot stand in a link', () => {
    expect(check({ url: 'https://x.de/{kategorie}/{kenung}/{bild}' })).toEqual([
      'contentTypes.api::meldung.meldung.url: {kategorie} is not an attribute of api::meldung.meldung',
      'contentTypes.api::meldung.meldung.url: {kenung} is not an attribute of api::meldung.meldung (did you mean "kennung"?)',
      'contentTypes.api::meldung.meldung.url: {bild} is of type media and cannot stand in a link',
    ]);
  });

  it('refuses urgency values that are not info | important | emergency (or their German words) unless urgencyValues maps them', () => {
    // "wichtig" is one of the shared urgency words (constants.urgencyOf), so only "normal" needs a map.
    expect(check({ urgency: 'dringlichkeit', urgencyValues: { notfall: 'emergency', dringend: 'important' } })).toEqual([
      'contentTypes.api::meldung.meldung.urgency: the values "normal" of "dringlichkeit" are not info | important | emergency; map them with urgencyValues, e.g. urgencyValues: { "normal": \'important\' }',
      'contentTypes.api::meldung.meldung.urgencyValues.dringend: "dringlichkeit" has no value "dringend"',
    ]);
  });

  it('reports every problem of every mapping at once', () => {
    const problems = checkContentTypeMappings(
      { 'api::meldung.meldung': { ...good, title: 'x' }, 'api::fehlt.fehlt': good, 'api::seite.seite': { title: 'titel', text: 'text', url: 'u' } },
      contentTypes
    );
    expect(problems).toHaveLength(3);
  });
});

describe('links', () => {
  it('names each placeholder once, in order', () => {
    expect(urlPlaceholders('https://x.de/{jahr}/{kennung}?v={jahr}')).toEqual(['jahr', 'kennung']);
  });

  it('finds placeholders whose value is empty, blank or missing', () => {
    const pattern = 'https://x.de/{jahr}/{kennung}/{nummer}/{fehlt}';
    expect(missingUrlPlaceholders(pattern, { jahr: 2026, kennung: '  ', nummer: 0 })).toEqual(['kennung', 'fehlt']);
    expect(missingUrlPlaceholders(pattern, { jahr: 2026, kennung: 'a', nummer: 7, fehlt: null })).toEqual(['fehlt']);
    expect(missingUrlPlaceholders('https://x.de/aktuelles', {})).toEqual([]);
  });
});

describe('urgency values', () => {
  it('maps the town’s own values and falls back to info', () => {
    const mapping = { ...good, urgency: 'dringlichkeit', urgencyValues: { notfall: 'emergency' as const } };
    expect(entryUrgency(mapping, { dringlichkeit: 'notfall' })).toBe('emergency');
    expect(entryUrgency(mapping, { dringlichkeit: 'important' })).toBe('important');
    expect(entryUrgency(mapping, { dringlichkeit: 'irgendwas' })).toBe('info');
    expect(entryUrgency({ ...good }, { dringlichkeit: 'emergency' })).toBe('info');
  });
});

describe('topic values that match no topic', () => {
  it('lists values matching no topic slug, directly or slugified', () => {
    expect(unmatchedTopicValues(['verkehr', 'Ratssitzungen', 'Straßenbau', 'kultur', 'verkehr'], ['verkehr', 'ratssitzungen', 'strassenbau'])).toEqual(['kultur']);
    expect(unmatchedTopicValues([], ['verkehr'])).toEqual([]);
  });
});
