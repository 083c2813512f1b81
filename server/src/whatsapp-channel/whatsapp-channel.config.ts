import { z } from 'zod';
import { strict } from '../config/strict';

/**
 * The town's WhatsApp Channel (Kanal), which Meta offers no API for: editors post by hand, helped
 * by a ready text and a "posted" tick on the broadcast.
 */
export const whatsappChannelConfigSchema = strict
  .object({
    enabled: z.boolean().default(false),
    /** The Channel's invite link (`https://whatsapp.com/channel/…`), shown beside the copy button. */
    url: z.string().url().optional(),
  })
  .prefault({});
