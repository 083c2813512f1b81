import type { Core } from '@strapi/strapi';
import type { ContentTypeMapping, PluginConfig } from '../config/schema';
import { slugify } from '../utils/slugify';
import { urgencyFieldValue, urgencyOfSeverity, type DraftText } from './draft-content';
import type { WarningSeverity } from '../../../shared/contracts/warnings';
import { urgencyOf } from '../constants';

type Attributes = Record<string, { type?: string; enum?: string[] }>;

/** The news type drafts go into: `warnings.contentType`, else the first mapped type. */
export function draftContentType(config: PluginConfig): { uid: string; mapping: ContentTypeMapping } | null {
  const uid = config.warnings.contentType ?? Object.keys(config.contentTypes)[0];
  const mapping = uid ? config.contentTypes[uid] : undefined;
  return uid && mapping ? { uid, mapping } : null;
}

/** A text as the attribute holds it: Strapi's blocks for a `blocks` field, else the plain text. */
function textValue(type: string | undefined, text: string): unknown {
  if (type !== 'blocks') return text;
  return text.split(/\n{2,}/).map((paragraph) => ({ type: 'paragraph', children: [{ type: 'text', text: paragraph }] }));
}

const isTextual = (type: string | undefined) => ['string', 'text', 'richtext', 'enumeration', undefined].includes(type);

/**
 * The entry's fields through the town's mapping: title, text, urgency (the town's own word),
 * villages (names, for a text field; a relation is left to the editor), the configured topic, and
 * a slug for each `uid` placeholder of the link pattern so the article's link is whole.
 */
export function draftFields(
  strapi: Core.Strapi,
  config: PluginConfig,
  target: { uid: string; mapping: ContentTypeMapping },
  content: DraftText,
  severity: WarningSeverity,
  villageSlugs: string[]
): Record<string, unknown> {
  const { uid, mapping } = target;
  const attributes = (strapi.contentTypes[uid as keyof typeof strapi.contentTypes]?.attributes ?? {}) as Attributes;
  const data: Record<string, unknown> = {
    [mapping.title]: content.title.slice(0, attributes[mapping.title]?.type === 'string' ? 250 : 10_000),
    [mapping.text]: textValue(attributes[mapping.text]?.type, content.text),
  };
  if (mapping.urgency) {
    const urgency = urgencyOfSeverity(severity);
    const value = urgencyFieldValue(mapping, urgency);
    const attribute = attributes[mapping.urgency];
    // An enumeration of the town's own words ("Notfall"): the first of them that means this urgency.
    const chosen = attribute?.type !== 'enumeration' || attribute.enum?.includes(value) ? value : attribute.enum?.find((option) => urgencyOf(option) === urgency);
    if (chosen) data[mapping.urgency] = chosen;
  }
  if (mapping.villages && villageSlugs.length && isTextual(attributes[mapping.villages]?.type)) {
    data[mapping.villages] = villageSlugs.map((slug) => config.town.villages.find((village) => village.slug === slug)?.name ?? slug).join(', ');
  }
  if (mapping.topics && config.warnings.topic && isTextual(attributes[mapping.topics]?.type)) data[mapping.topics] = config.warnings.topic;
  for (const [, name] of mapping.url.matchAll(/\{(\w+)\}/g)) {
    if (attributes[name]?.type === 'uid' && data[name] === undefined) data[name] = `${slugify(content.title).slice(0, 60)}-${Date.now().toString(36)}`;
  }
  return data;
}
