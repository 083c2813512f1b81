import type { Core } from '@strapi/strapi';
import { pluginConfigSchema, type PluginConfig } from './schema';
import { PLUGIN_ID } from '../constants';

/** Turns a zod failure into one sentence per bad key, e.g. `channels.whatsapp.apiVersion: must look like v24.0`. */
export function describeConfigProblems(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Parses raw plugin config, applying defaults; throws an Error naming every bad key. */
export function parsePluginConfig(raw: unknown): PluginConfig {
  const result = pluginConfigSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new Error(`Invalid ${PLUGIN_ID} plugin config: ${describeConfigProblems(result.error)}`);
  }
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
    parsePluginConfig(config);
  },
};
