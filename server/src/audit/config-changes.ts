import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { getService } from '../utils/get-service';
import type { PluginConfig } from '../config/schema';
import { budgetChangeFromRow } from './audit-event.rows';

/**
 * The WhatsApp budget is set in the site's config (`channels.whatsapp.budget`), not in the admin, so
 * its change is seen at startup: when the amount differs from the last `budget-changed` event (or
 * from nothing, the first time a budget is set), the system records the change. The once-key names
 * the event it follows, so several processes starting together record it once, and a budget changed
 * back and forth is recorded each time.
 */
export async function recordBudgetChange(strapi: Core.Strapi, config: PluginConfig, now = new Date()): Promise<boolean> {
  const { amountPerMonth } = config.channels.whatsapp.budget;
  const rows: unknown[] = await strapi.db.query(UID.auditEvent).findMany({
    where: { action: 'budget-changed' },
    select: ['id', 'details'],
    orderBy: { id: 'desc' },
    limit: 1,
  });
  const last = rows.length ? budgetChangeFromRow(rows[0]) : undefined;
  const previous = last ? (last.details?.next ?? null) : null;
  if (previous === amountPerMonth) return false;
  return getService(strapi, 'audit').record(
    {
      action: 'budget-changed',
      actorId: 'system',
      details: { previous, next: amountPerMonth, currency: config.channels.whatsapp.costs.currency },
      onceKey: `budget-changed:after:${last?.id ?? 0}`,
    },
    now
  );
}
