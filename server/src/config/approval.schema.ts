import { z } from 'zod';
import { strict } from './strict';

/**
 * Minimal stand-in for the four-eyes approval config (#27), so that `broadcast.approval.emergency`
 * passes the strict schema on this branch; the approval branch owns the full block and replaces this.
 */
export const approvalConfigSchema = strict.object({
  /** `send-then-approve`: an emergency goes at once and is approved afterwards ("approval outstanding"). */
  emergency: z.enum(['hold', 'send-then-approve', 'exempt']).optional(),
});
