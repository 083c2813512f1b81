import { createHmac } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../constants';
import { getService } from './get-service';

/**
 * The plugin's server secret: `tokenSecret` from the config, else the first of Strapi's
 * `server.app.keys`. It signs the citizens' links (tokens.ts) and keys every hash the plugin
 * keeps in Redis.
 */
export function tokenSecret(strapi: Core.Strapi): string {
  const configured = getService(strapi, 'runtime').config().tokenSecret;
  if (configured) return configured;
  const keys = strapi.config.get('server.app.keys') as string[] | undefined;
  if (!keys?.length) throw new Error(`${PLUGIN_ID}: set tokenSecret or server.app.keys`);
  return keys[0];
}

/**
 * A Redis key part for a number, an address or a client network: an HMAC with the server
 * secret, so a list of every phone number (or every IPv4 address) cannot be hashed to find
 * whose key it is, as a plain SHA-256 could.
 */
export function keyedHash(strapi: Core.Strapi, value: string): string {
  return createHmac('sha256', tokenSecret(strapi)).update(value).digest('hex').slice(0, 32);
}
