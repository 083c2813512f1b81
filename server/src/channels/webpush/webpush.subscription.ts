import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * A browser's `PushSubscription.toJSON()`. The endpoint must be https (every browser's push
 * service is); the keys are the browser's P-256 public key (65 bytes) and auth secret (16 bytes).
 */
export const pushSubscriptionSchema = z
  .object({
    endpoint: z
      .string()
      .max(2000)
      .url()
      .refine((value) => value.startsWith('https://'), 'must be an https URL'),
    expirationTime: z.number().nullable().optional(),
    keys: z
      .object({
        p256dh: z
          .string()
          .regex(/^[A-Za-z0-9_-]+=*$/, 'must be base64url')
          .refine((value) => Buffer.from(value, 'base64url').length === 65, 'must be a 65-byte P-256 public key'),
        auth: z
          .string()
          .regex(/^[A-Za-z0-9_-]+=*$/, 'must be base64url')
          .refine((value) => Buffer.from(value, 'base64url').length === 16, 'must be a 16-byte auth secret'),
      })
      .strict(),
  })
  .strict();

export type PushSubscription = { endpoint: string; keys: { p256dh: string; auth: string } };

export function parsePushSubscription(value: unknown): PushSubscription | null {
  const parsed = pushSubscriptionSchema.safeParse(value);
  return parsed.success ? { endpoint: parsed.data.endpoint, keys: parsed.data.keys } : null;
}

/**
 * The subscriber's address for an endpoint: a hash, so the endpoint (long, and personal data)
 * stays out of the address column, logs, Redis jobs and the admin, while the same browser
 * signing up twice still finds its row.
 */
export function pushAddressOf(endpoint: string): string {
  return `wp:${createHash('sha256').update(endpoint).digest('base64url').slice(0, 32)}`;
}
