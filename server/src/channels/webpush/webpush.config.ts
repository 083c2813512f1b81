import { createECDH } from 'node:crypto';
import { z } from 'zod';
import { strict } from '../../config/strict';
import { parsePushServiceEntry } from './webpush.endpoint';

/** base64url without padding, as `npx web-push generate-vapid-keys` prints it. */
const base64Url = (value: string) => Buffer.from(value, 'base64url');

/**
 * What is wrong with a VAPID key pair, or null. The public key must be an uncompressed P-256
 * point (65 bytes starting 0x04), the private key 32 bytes, and the two must belong together:
 * a pair that does not match is refused at startup rather than by every push service later.
 */
export function vapidKeyProblem(publicKey: string, privateKey: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(publicKey) || base64Url(publicKey).length !== 65 || base64Url(publicKey)[0] !== 4) {
    return 'publicKey must be an uncompressed P-256 public key, 65 bytes in base64url (87 characters); generate a pair with `npx web-push generate-vapid-keys`';
  }
  if (!/^[A-Za-z0-9_-]+$/.test(privateKey) || base64Url(privateKey).length !== 32) {
    return 'privateKey must be a P-256 private key, 32 bytes in base64url (43 characters); generate a pair with `npx web-push generate-vapid-keys`';
  }
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(base64Url(privateKey));
    if (!ecdh.getPublicKey().equals(base64Url(publicKey))) return 'publicKey and privateKey are not one pair';
  } catch {
    return 'privateKey is not a valid P-256 private key';
  }
  return null;
}

export const webpushConfigSchema = strict
  .object({
    enabled: z.boolean().default(false),
    /**
     * The town's VAPID identity (RFC 8292). Without it the channel runs in sandbox mode; the
     * public key is also handed to browsers as `applicationServerKey` when they subscribe.
     */
    vapid: strict
      .object({
        /** `mailto:` or `https:` contact the push services may use when something goes wrong. */
        subject: z.string().regex(/^(mailto:.+@.+|https:\/\/.+)$/, 'must be a mailto: address or an https: URL'),
        publicKey: z.string().trim(),
        privateKey: z.string().trim(),
      })
      .superRefine((vapid, ctx) => {
        const problem = vapidKeyProblem(vapid.publicKey, vapid.privateKey);
        if (problem) ctx.addIssue({ code: 'custom', path: ['publicKey'], message: problem });
      })
      .optional(),
    /** The town's icon (an absolute https URL, ideally 192×192 px) shown beside each notification. */
    icon: z.string().url().optional(),
    /** How long a push service keeps an undelivered notification (seconds); emergencies use the same. */
    ttlSeconds: z.number().int().min(0).max(2_419_200).default(86_400),
    /** Push services take thousands per second; this keeps the town's own server calm. */
    messagesPerSecond: z.number().int().positive().max(1000).default(50),
    requestTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * A PEM certificate to trust besides the public roots, for a push service reached through a
     * TLS-inspecting proxy (and the test push service). Not needed for Google, Mozilla or Apple.
     */
    caCertificate: z.string().optional(),
    /**
     * Push services besides the built-in ones (FCM, Mozilla, Apple, WNS), by host: `push.example.net`,
     * `push.example.net:8443`, `*.push.example.net`. An IP address with its port (`127.0.0.1:8443`)
     * trusts a local test push service; production refuses such entries (docs/channels.md).
     */
    pushServices: z
      .array(z.string().trim().min(1).max(260))
      .max(50)
      .default([])
      .superRefine((entries, ctx) => {
        entries.forEach((entry, index) => {
          const rule = parsePushServiceEntry(entry);
          if (typeof rule === 'string') ctx.addIssue({ code: 'custom', path: [index], message: rule });
        });
      }),
    sandbox: z.boolean().optional(),
  });
export type WebpushConfig = z.infer<typeof webpushConfigSchema>;
