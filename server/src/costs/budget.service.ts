import type { Core } from '@strapi/strapi';
import { inCurrentTransaction } from '../utils/current-transaction';
import { OPEN_DELIVERY_STATUSES, PLUGIN_ID, UID } from '../constants';
import { countFollowUpRecipients } from '../fan-out/follow-up-recipients';
import { decodeVillages } from '../villages/villages';
import { tableName } from '../database/names';
import { countOf } from '../database/row';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';
import type { BudgetStatus, BudgetVerdict } from '../../../shared/contracts/costs';
import { budgetVerdict, dueThresholds, forecastOfMonth, remainingOf } from './budget-math';
import { budgetAlerts } from './budget-alerts';
import { budgetMail } from './budget-mail';
import { budgetedAnnouncementFromRow, type BudgetedAnnouncement } from './budget.rows';

/** Spending is checked against the thresholds at most this often per process (webhooks come in bursts). */
const CHECK_EVERY_MS = 30_000;

/**
 * The month's WhatsApp budget (`channels.whatsapp.budget`): the month so far and its forecast,
 * what a broadcast would cost against what is left (`verdictFor`, for the approval flow), and
 * the threshold mails, once each per month. Every method takes the time it works for (`now`),
 * so month boundaries can be tested with any clock.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const costs = () => getService(strapi, 'costs');
  const whatsappConfig = () => runtime().config().channels.whatsapp;
  let timer: NodeJS.Timeout | null = null;
  let lastCheckMs = 0;

  const monthSoFar = async (now: Date) => {
    const range = costs().monthRange(now);
    const { byKind, spent } = costs().byKind(await costs().pricedCounts(range.from, range.to));
    return { ...range, byKind, spent };
  };

  /** WhatsApp messages the broadcast still has to send: its open deliveries, or before fan-out the recipients fan-out will find. */
  const messagesLeft = async (row: BudgetedAnnouncement) => {
    if (!runtime().channels().enabled().some((channel) => channel.id === 'whatsapp')) return 0;
    if (row.channels?.length && !row.channels.includes('whatsapp')) return 0;
    if (row.fanOutDoneAt) {
      // Asked at Publish too, inside the content manager's transaction.
      return countOf(
        await inCurrentTransaction(
          strapi,
          strapi.db
            .connection(tableName(strapi, UID.delivery))
            .where({ announcement_document_id: row.documentId, channel: 'whatsapp' })
            .whereIn('status', OPEN_DELIVERY_STATUSES)
            .count({ n: '*' })
        )
      );
    }
    if (row.updateOf) return (await countFollowUpRecipients(strapi, [row.updateOf])).whatsapp ?? 0;
    return getService(strapi, 'audience').countRecipients('whatsapp', row.topics.map((topic) => topic.id), decodeVillages(row.villages));
  };

  return {
    async status(now = new Date()): Promise<BudgetStatus> {
      const { budget, costs: rates } = whatsappConfig();
      const { month, from, to, byKind, spent } = await monthSoFar(now);
      const amount = budget.amountPerMonth;
      return {
        currency: rates.currency,
        month,
        spent,
        forecast: forecastOfMonth(spent, from.getTime(), to.getTime(), now.getTime()),
        amount,
        remaining: remainingOf(amount, spent),
        percentUsed: amount === null ? null : Math.round((spent / amount) * 1000) / 10,
        thresholds: budget.thresholds,
        mailedThresholds: amount === null ? [] : await budgetAlerts(strapi).claimed(month),
        byKind,
      };
    },

    /** This many WhatsApp news messages at the news template's category and the town's rate. */
    estimate(messages: number) {
      const category = getService(strapi, 'whatsapp-account').templateCategory('announcement') ?? 'marketing';
      return costs().estimate(messages, category).cost ?? 0;
    },

    /** What is left of the month against `estimate` (the side panel's line before Publish). */
    async verdictForEstimate(estimate: number, now = new Date()): Promise<BudgetVerdict> {
      const { budget, costs: rates } = whatsappConfig();
      const spent = budget.amountPerMonth === null ? 0 : (await monthSoFar(now)).spent;
      return budgetVerdict(estimate, budget.amountPerMonth, spent, rates.currency);
    },

    /**
     * Whether the broadcast's WhatsApp messages still to send would cost more than is left of
     * the month's budget. The approval flow holds it (reason `over-budget`) while other channels go on.
     */
    async verdictFor(announcementId: number | string, now = new Date()): Promise<BudgetVerdict> {
      const byId = typeof announcementId === 'number' || /^\d+$/.test(announcementId);
      const row = await strapi.db.query(UID.announcement).findOne({
        where: byId ? { id: Number(announcementId) } : { documentId: announcementId },
        populate: ['topics'],
      });
      return this.verdictForRow(row ? budgetedAnnouncementFromRow(row) : null, now);
    },

    /** `verdictFor` of an announcement its caller has read already (four-eyes approval at publish), without reading it again. */
    async verdictForRow(row: Parameters<typeof messagesLeft>[0] | null, now = new Date()): Promise<BudgetVerdict> {
      const estimate = row ? this.estimate(await messagesLeft(row)) : 0;
      return this.verdictForEstimate(estimate, now);
    },

    /**
     * Mails the admins about every threshold the month has reached and nobody was mailed about,
     * each once per month. Answers the thresholds this call mailed.
     */
    async checkThresholds(now = new Date()): Promise<number[]> {
      const { budget } = whatsappConfig();
      if (budget.amountPerMonth === null || !budget.thresholds.length) return [];
      const status = await this.status(now);
      const mailed: number[] = [];
      for (const threshold of dueThresholds(status.spent, status.amount, status.thresholds, status.mailedThresholds)) {
        if (!(await budgetAlerts(strapi).claim(status.month, threshold, now))) continue;
        try {
          await budgetMail(strapi).send(status, threshold);
          await budgetAlerts(strapi).mailed(status.month, threshold, now);
          mailed.push(threshold);
        } catch (error) {
          await budgetAlerts(strapi).release(status.month, threshold);
          strapi.log.warn(`[${PLUGIN_ID}] WhatsApp budget: the ${threshold} % mail could not be sent, tried again at the next check: ${maskedMessage(error as Error)}`);
        }
      }
      return mailed;
    },

    /** Meta priced messages: the thresholds are checked soon (at most every 30 s per process). */
    noteSpending() {
      if (timer || whatsappConfig().budget.amountPerMonth === null) return;
      timer = setTimeout(() => {
        lastCheckMs = Date.now();
        this.checkThresholds()
          .catch((error: Error) => strapi.log.warn(`[${PLUGIN_ID}] WhatsApp budget check failed: ${maskedMessage(error)}`))
          .finally(() => {
            timer = null;
          });
      }, Math.max(0, lastCheckMs + CHECK_EVERY_MS - Date.now()));
      timer.unref();
    },

    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
};
