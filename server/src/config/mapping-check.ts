import { URGENCIES, urgencyOf } from '../constants';
import { urlPlaceholders } from '../announcements/link';
import { slugify } from '../utils/slugify';
import type { ContentTypeMapping } from './schema';
import { closestKey } from './unknown-keys';
import { resolveVillages, villageValuesOf, type Village } from '../villages/villages';

/** The parts of a Strapi content type schema the check reads. */
export interface AttributeLike {
  type?: string;
  enum?: readonly string[];
  target?: string;
}
export interface ContentTypeLike {
  attributes: Record<string, AttributeLike>;
  options?: { draftAndPublish?: boolean };
}

/** Attribute types each mapped field can be read from (see announceSource and plain-text.ts). */
const FITTING_TYPES = {
  title: ['string', 'text', 'uid', 'enumeration', 'email'],
  text: ['string', 'text', 'richtext', 'blocks'],
  topics: ['string', 'text', 'uid', 'enumeration', 'relation'],
  urgency: ['enumeration', 'string'],
  skip: ['boolean'],
  villages: ['string', 'text', 'uid', 'enumeration', 'relation'],
  plainLanguageSummary: ['string', 'text', 'richtext', 'blocks'],
} as const satisfies Record<string, readonly string[]>;

/** Types whose value can stand in a link; `documentId` and `locale` are on every entry. */
const URL_TYPES = ['string', 'text', 'uid', 'enumeration', 'email', 'integer', 'biginteger', 'float', 'decimal', 'date'];
const ENTRY_FIELDS = ['documentId', 'locale'];

const quote = (value: string) => `"${value}"`;
const meant = (value: string, known: readonly string[]) => {
  const closest = closestKey(value, known);
  return closest ? ` (did you mean ${quote(closest)}?)` : '';
};

/**
 * Checks every `contentTypes` mapping against the content types Strapi loaded; answers one
 * sentence per problem, each starting with the config path (empty when all fit). Called at
 * register: a wrong field name must stop startup, not send "-" as every title.
 */
export function checkContentTypeMappings(
  mappings: Record<string, ContentTypeMapping>,
  contentTypes: Record<string, ContentTypeLike | undefined>,
  villages: readonly Village[] = []
): string[] {
  const problems: string[] = [];
  for (const [uid, mapping] of Object.entries(mappings)) {
    const at = `contentTypes.${uid}`;
    const contentType = contentTypes[uid];
    if (!contentType) {
      const apiTypes = Object.keys(contentTypes).filter((key) => key.startsWith('api::'));
      problems.push(`${at}: there is no content type ${uid}${meant(uid, apiTypes)}${apiTypes.length ? `; the site has ${apiTypes.join(', ')}` : ''}`);
      continue;
    }
    const attributes = contentType.attributes ?? {};
    const names = Object.keys(attributes);

    if (contentType.options?.draftAndPublish !== true) {
      problems.push(`${at}: the content type has no Draft & Publish; a broadcast starts at the first publish, so switch Draft & Publish on for it`);
    }

    for (const field of ['title', 'text', 'topics', 'urgency', 'skip', 'villages', 'plainLanguageSummary'] as const) {
      const attributeName = mapping[field];
      if (!attributeName) continue;
      const attribute = attributes[attributeName];
      if (!attribute) {
        problems.push(`${at}.${field}: ${uid} has no attribute ${quote(attributeName)}${meant(attributeName, names)}`);
        continue;
      }
      const fitting: readonly string[] = FITTING_TYPES[field];
      if (!fitting.includes(attribute.type ?? '')) {
        problems.push(`${at}.${field}: ${quote(attributeName)} is of type ${attribute.type}; ${field} needs one of ${fitting.join(', ')}`);
        continue;
      }
      if (field === 'topics' && attribute.type === 'relation') {
        const target = attribute.target ? contentTypes[attribute.target] : undefined;
        if (!target || !(target.attributes.slug || target.attributes.name)) {
          problems.push(`${at}.topics: ${quote(attributeName)} relates to ${attribute.target ?? 'nothing'}, which has neither a slug nor a name to match topics by`);
        }
      }
      if (field === 'villages') problems.push(...checkVillages(at, attributeName, attribute, contentTypes, villages));
    }

    problems.push(...checkUrgencyValues(at, mapping, attributes));

    for (const placeholder of urlPlaceholders(mapping.url)) {
      if (ENTRY_FIELDS.includes(placeholder)) continue;
      const attribute = attributes[placeholder];
      if (!attribute) problems.push(`${at}.url: {${placeholder}} is not an attribute of ${uid}${meant(placeholder, names)}`);
      else if (!URL_TYPES.includes(attribute.type ?? '')) problems.push(`${at}.url: {${placeholder}} is of type ${attribute.type} and cannot stand in a link`);
    }
  }
  return problems;
}

/**
 * Villages are config, so unlike topics every value an enumeration can hold is known at startup:
 * a value that names no configured village would send the news to the whole town, and stops startup.
 */
function checkVillages(at: string, attributeName: string, attribute: AttributeLike, contentTypes: Record<string, ContentTypeLike | undefined>, villages: readonly Village[]): string[] {
  if (!villages.length) return [`${at}.villages: the town has no villages; configure town.villages (name and slug of each Ortsteil) or remove villages from the mapping`];
  if (attribute.type === 'relation') {
    const target = attribute.target ? contentTypes[attribute.target] : undefined;
    return target && (target.attributes.slug || target.attributes.name)
      ? []
      : [`${at}.villages: ${quote(attributeName)} relates to ${attribute.target ?? 'nothing'}, which has neither a slug nor a name to match villages by`];
  }
  if (attribute.type !== 'enumeration' || !attribute.enum) return [];
  const { unknown } = resolveVillages(villages, attribute.enum.flatMap(villageValuesOf));
  const slugs = villages.map((village) => village.slug);
  return unknown.length
    ? [`${at}.villages: the values ${unknown.map(quote).join(', ')} of ${quote(attributeName)} name no village of town.villages (${slugs.join(', ')})${unknown.length === 1 ? meant(slugify(unknown[0]), slugs) : ''}`]
    : [];
}

function checkUrgencyValues(at: string, mapping: ContentTypeMapping, attributes: Record<string, AttributeLike>): string[] {
  const problems: string[] = [];
  const valueMap = mapping.urgencyValues ?? {};
  if (!mapping.urgency) {
    if (mapping.urgencyValues) problems.push(`${at}.urgencyValues: set urgency (the attribute) too, or remove urgencyValues`);
    return problems;
  }
  const attribute = attributes[mapping.urgency];
  if (attribute?.type !== 'enumeration' || !attribute.enum) return problems;
  const values = attribute.enum;
  // The shared urgency words (German ones too: `Wichtig`, `Notfall`) fit without a map.
  const unfitting = values.filter((value) => !(value in valueMap) && urgencyOf(value) === null);
  if (unfitting.length) {
    problems.push(
      `${at}.urgency: the values ${unfitting.map(quote).join(', ')} of ${quote(mapping.urgency)} are not ${URGENCIES.join(' | ')}; ` +
        `map them with urgencyValues, e.g. urgencyValues: { ${unfitting.map((value) => `${JSON.stringify(value)}: 'important'`).join(', ')} }`
    );
  }
  for (const key of Object.keys(valueMap)) {
    if (!values.includes(key)) problems.push(`${at}.urgencyValues.${key}: ${quote(mapping.urgency)} has no value ${quote(key)}${meant(key, values)}`);
  }
  return problems;
}
