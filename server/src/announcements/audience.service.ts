import type { Core } from '@strapi/strapi';
import { inCurrentTransaction } from '../utils/current-transaction';
import { reachWindowKey, reachWindowMs } from '../delivery/reach';
import { UID } from '../constants';
import type { Channel } from '../channels/channel';
import { columnName } from '../database/names';
import { countOf, rowOf, rowsOf } from '../database/row';
import { getService } from '../utils/get-service';
import { namedVillageWhere, wholeTownWhere } from '../villages/villages';
import { recipientRule } from '../subscribers/recipient-rule';

export interface DailyLimitSplit {
  limit: number | null;
  usedLast24h: number;
  /** Recipients the reach window admits now: those already counted in it, plus the free slots. */
  sendableNow: number;
  later: number;
}

/** Window members are subscriber ids for announcements (`s:<id>` marks a confirmation). */
const subscriberIdsOf = (members: string[]) => members.filter((member) => /^\d+$/.test(member)).map(Number);

/**
 * Who an announcement reaches, answered before it is sent: the editor's preview and the
 * broadcast monitor's estimate. The recipients are those of the news rule fan-out applies
 * (subscribers/recipient-rule.ts), without the known unreachable, whom fan-out records as skipped.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const col = (attribute: string) => `s.${columnName(strapi, UID.subscriber, attribute)}`;

  const rule = recipientRule(strapi);
  const recipients = (channel: string, topicIds: number[], villageSlugs: readonly string[] = []) => rule.reachable(rule.news({ channel, topicIds, villageSlugs }));

  return {
    async countRecipients(channel: string, topicIds: number[], villageSlugs: readonly string[] = []): Promise<number> {
      // Four-eyes approval counts at publish, inside the content manager's transaction.
      return countOf(await inCurrentTransaction(strapi, recipients(channel, topicIds, villageSlugs).count({ n: '*' })));
    },

    /** Recipients per stored language (the preview's "17 in English"); `languages.countByLanguage` groups them as delivery serves them. */
    async countRecipientsByLocale(channel: string, topicIds: number[], villageSlugs: readonly string[] = []): Promise<Array<{ locale: string | null; n: number }>> {
      return rowsOf(await recipients(channel, topicIds, villageSlugs).select(`${col('locale')} as locale`).count({ n: '*' }).groupBy(col('locale')), (raw) => {
        const row = rowOf(raw, 'subscriber');
        return { locale: row.textOrNull('locale'), n: row.count('n') };
      });
    },

    /**
     * The recipients of (channel, topics, villages) split by village: for each of the news'
     * villages those who named it (a citizen who named two is in both), and those who chose the
     * whole town. News for the whole town has no split (empty list, `wholeTown` = everyone).
     */
    async countByVillage(channel: string, topicIds: number[], villageSlugs: readonly string[]): Promise<{ byVillage: Record<string, number>; wholeTown: number }> {
      const byVillage: Record<string, number> = {};
      const count = async (where: ReturnType<typeof wholeTownWhere>) => {
        return countOf(await recipients(channel, topicIds).where(where).count({ n: '*' }));
      };
      for (const slug of villageSlugs) byVillage[slug] = await count(namedVillageWhere(col('villages'), slug));
      return { byVillage, wholeTown: villageSlugs.length ? await count(wholeTownWhere(col('villages'))) : await this.countRecipients(channel, topicIds) };
    },

    /** The channel's rolling 24-hour reach window as it stands now (0 when Redis cannot say). */
    async usedLast24h(channel: Channel, nowMs = Date.now()): Promise<number> {
      if (!channel.dailyRecipientLimit) return 0;
      return runtime().limits().windowSize(reachWindowKey(channel.id), reachWindowMs(runtime().config()), nowMs);
    },

    /**
     * How `total` recipients split between now and later under the daily reach limit, the way
     * the delivery worker's `admitToWindow` will decide: someone already in the window costs no
     * slot, everyone else needs a free one. `inWindow` counts the recipients among given ids.
     */
    async splitByDailyLimit(channel: Channel, total: number, inWindow: (subscriberIds: number[]) => Promise<number>, nowMs = Date.now()): Promise<DailyLimitSplit> {
      const limit = channel.dailyRecipientLimit;
      if (!limit) return { limit: null, usedLast24h: 0, sendableNow: total, later: 0 };
      const members = await runtime().limits().windowMembers(reachWindowKey(channel.id), reachWindowMs(runtime().config()), nowMs);
      const already = members.length ? await inWindow(subscriberIdsOf(members)) : 0;
      const free = Math.max(0, limit - members.length);
      const sendableNow = Math.min(total, already + free);
      return { limit, usedLast24h: members.length, sendableNow, later: total - sendableNow };
    },

    /** Recipients of (channel, topics) among the given subscriber ids. */
    async countRecipientsAmong(channel: string, topicIds: number[], subscriberIds: number[], villageSlugs: readonly string[] = []): Promise<number> {
      let count = 0;
      for (let start = 0; start < subscriberIds.length; start += 500) {
        count += countOf(
          await recipients(channel, topicIds, villageSlugs)
            .whereIn('s.id', subscriberIds.slice(start, start + 500))
            .count({ n: '*' })
        );
      }
      return count;
    },
  };
};
