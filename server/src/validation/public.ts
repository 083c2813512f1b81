import { z } from 'zod';
import { CHANNEL_IDS } from '../constants';

/** Public request bodies. Limits are tight on purpose: nothing a citizen sends needs more. */
export const signupBodySchema = z
  .object({
    channel: z.enum(CHANNEL_IDS),
    address: z.string().trim().min(3).max(40),
    name: z.string().trim().max(100).optional(),
    topics: z.array(z.string().max(100)).max(50).default([]),
    locale: z.enum(['de', 'en']).optional(),
    consent: z.object({
      accepted: z.literal(true, { error: 'Consent must be given' }),
      version: z.string().min(1).max(50),
    }),
    source: z.string().trim().max(100).optional(),
    /** Honeypot: invisible to people, filled in by bots. */
    website: z.string().max(500).optional(),
  })
  .strict();
export type SignupBody = z.infer<typeof signupBodySchema>;

export const tokenBodySchema = z.object({ token: z.string().min(8).max(200) }).strict();
