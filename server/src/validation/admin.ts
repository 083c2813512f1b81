import { z } from 'zod';
import { CHANNEL_IDS } from '../constants';

export const documentIdParamsSchema = z.object({ documentId: z.string().min(1).max(64) });
export const subscriberIdParamsSchema = z.object({ id: z.coerce.number().int().positive() });
export const listQuerySchema = z.object({
  page: z.coerce.number().int().positive().default(1),
  pageSize: z.coerce.number().int().positive().max(100).default(20),
});
export const sendUpdateBodySchema = z.object({ title: z.string().min(1).max(255).optional(), text: z.string().min(1).max(4000).optional() }).strict();
export const sendTestBodySchema = z.object({ address: z.string().min(3).max(254), channel: z.enum(CHANNEL_IDS).default('whatsapp') }).strict();
