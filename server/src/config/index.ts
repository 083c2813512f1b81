import type { Core } from '@strapi/strapi';
import { pluginConfigSchema, type PluginConfig } from './schema';
import { PLUGIN_ID } from '../constants';
import { UNKNOWN_KEY_SEPARATOR } from './unknown-keys';
import { productionConfigProblems } from './production';
import { warningsConfigProblems } from '../warnings/config-check';

/**
 * Turns a zod failure into one sentence per bad key, e.g. `channels.whatsapp.apiVersion: must look like v24.0`
 * or `contentTypes.api::article.article.skipp: unknown key (did you mean "skip"?)`.
 */
export function describeConfigProblems(error: { issues: ReadonlyArray<{ code?: string; path: PropertyKey[]; message: string }> }): string {
  return error.issues
    .flatMap((issue) => {
      const path = issue.path.map(String);
      // Unknown keys come as one issue per object, one line per key (see unknown-keys.ts).
      if (issue.code === 'unrecognized_keys') return issue.message.split(UNKNOWN_KEY_SEPARATOR).map((line) => [...path, line].join('.'));
      return [`${path.join('.') || '(root)'}: ${issue.message}`];
    })
    .join('; ');
}

/** Parses raw plugin config, applying defaults; throws an Error naming every bad key. */
export function parsePluginConfig(raw: unknown): PluginConfig {
  const result = pluginConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new Error(`Invalid ${PLUGIN_ID} plugin config: ${describeConfigProblems(result.error)}`);
  }
  const problems = warningsConfigProblems(result.data);
  if (problems.length) throw new Error(`Invalid ${PLUGIN_ID} plugin config: ${problems.join('; ')}`);
  return result.data;
}

/** The parsed config of a running instance. Strapi stores the raw merged config, so defaults are applied here. */
export function readPluginConfig(strapi: Core.Strapi): PluginConfig {
  return parsePluginConfig(strapi.config.get(`plugin::${PLUGIN_ID}`));
}

export default {
  default: {},
  // Strapi calls this synchronously and stops startup on a throw; an async validator would be ignored.
  validator(config: unknown) {
    const parsed = parsePluginConfig(config);
    if (process.env.NODE_ENV !== 'production') return;
    const problems = productionConfigProblems(parsed);
    if (problems.length) throw new Error(`Invalid ${PLUGIN_ID} plugin config for production (NODE_ENV=production): ${problems.join('; ')}`);
  },
};
