import type { Core } from '@strapi/strapi';
import type services from '../services';
import { PLUGIN_ID } from '../constants';

type ServiceFactories = typeof services;
export type PluginServices = { [Name in keyof ServiceFactories]: ReturnType<ServiceFactories[Name]> };

/** Typed access to this plugin's services; the map is derived from `services/index.ts`. */
export function getService<Name extends keyof PluginServices>(strapi: Core.Strapi, name: Name): PluginServices[Name] {
  return strapi.plugin(PLUGIN_ID).service(name) as PluginServices[Name];
}
