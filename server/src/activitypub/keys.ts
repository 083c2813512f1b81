import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import type { ActivitypubConfig } from '../channels/activitypub/activitypub.config';
import { PLUGIN_ID } from '../constants';

export interface ActorKeys {
  publicKeyPem: string;
  privateKeyPem: string;
}

const generate = promisify(generateKeyPair);
const storedKeys = z.object({ publicKeyPem: z.string().min(1), privateKeyPem: z.string().min(1) });
/** The pair as Strapi's store gives it back; null when none was stored yet. */
const keysFromStore = (value: unknown): ActorKeys | null => {
  const parsed = storedKeys.safeParse(value);
  return parsed.success ? parsed.data : null;
};
const STORE_KEY = 'activitypub-actor-keys';
const cache = new WeakMap<Core.Strapi, Promise<ActorKeys>>();

async function loadOrCreate(strapi: Core.Strapi, config: ActivitypubConfig): Promise<ActorKeys> {
  if (config.publicKeyPem && config.privateKeyPem) return { publicKeyPem: config.publicKeyPem, privateKeyPem: config.privateKeyPem };
  const store = strapi.store({ type: 'plugin', name: PLUGIN_ID, key: STORE_KEY });
  const stored = keysFromStore(await store.get({}));
  if (stored) return stored;
  // RSA 2048 with PKCS#1 v1.5 SHA-256: the one key type every Fediverse server checks.
  const { publicKey, privateKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  // Two processes starting at once may both get here; the one stored last wins, and both read it back.
  await store.set({ value: { publicKeyPem: publicKey, privateKeyPem: privateKey } });
  const settled = keysFromStore(await store.get({}));
  return settled ?? { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

/**
 * The actor's key pair: from config when the town gives one, otherwise made once and kept in
 * Strapi's store (the database). The private key is never logged, exported or answered.
 */
export function actorKeys(strapi: Core.Strapi, config: ActivitypubConfig): Promise<ActorKeys> {
  let keys = cache.get(strapi);
  if (!keys) {
    keys = loadOrCreate(strapi, config);
    keys.catch(() => cache.delete(strapi));
    cache.set(strapi, keys);
  }
  return keys;
}
