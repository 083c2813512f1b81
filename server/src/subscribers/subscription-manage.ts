import type { Core } from '@strapi/strapi';
import { decodeVillages } from '../villages/villages';
import { fieldError, type RequestMeta, type SignupAnswer, type SignupPlan, type SubscriptionContext } from './subscription-context';
import { topicReads } from './topic.rows';
import type preferencesModule from './subscription-preferences';

/** How the ledger words a choice of topics: `topics: kultur, verkehr`, or `topics: all`. */
const topicsDetail = (slugs: readonly string[]) => `topics: ${slugs.length ? [...slugs].sort().join(', ') : 'all'}`;

const sameSet = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((value) => b.includes(value));

/**
 * The sign-up page opened from a message's "change topics" link carries the citizen's manage
 * token: the token proves the subscription, so the change needs no second confirmation and
 * takes effect at once. The answer says what changed (names, as the citizen sees them).
 */
export default ({ strapi }: { strapi: Core.Strapi }, context: SubscriptionContext, preferences: ReturnType<typeof preferencesModule>) => {
  const { subscribers, reads, runtime, ledger } = context;
  return {
    async applyManagedChange(plan: SignupPlan & { existing: NonNullable<SignupPlan['existing']> }, meta: RequestMeta): Promise<SignupAnswer> {
      const { input, existing, topicIds, villages, now } = plan;
      const row = await reads.findOneWithTopics({ where: { id: existing.id } });
      // The plan found this row a moment ago; gone since (erased), it is a link that no longer works.
      if (!row) throw fieldError('token', 'This link is invalid');
      const changed: NonNullable<SignupAnswer['changed']> = {};
      if (!sameSet(row.topics.map((topic) => topic.id), topicIds)) {
        await subscribers().update({ where: { id: existing.id }, data: { topics: topicIds } });
        await ledger().record({ subscriberId: existing.id, channel: existing.channel, type: 'changed', method: 'manage-link', detail: topicsDetail(input.topics), ip: meta.ip, userAgent: meta.userAgent, at: now });
        const chosen = topicIds.length ? await topicReads(strapi).pickMany(['name'], { where: { id: { $in: topicIds } }, orderBy: { name: 'asc' } }) : [];
        changed.topics = chosen.map((topic) => topic.name);
      }
      if (!sameSet(decodeVillages(row.villages), villages)) {
        await preferences.setVillages(existing, villages, 'manage-link', meta);
        changed.villages = runtime()
          .config()
          .town.villages.filter((village) => villages.includes(village.slug))
          .map((village) => village.name);
      }
      if (input.locale && input.locale !== row.locale) {
        changed.language = await preferences.changeLanguage(existing.id, input.locale, 'manage-link', meta);
      }
      if (input.name) await subscribers().update({ where: { id: existing.id }, data: { name: input.name } });
      return { status: 'active', channel: existing.channel, expiresAt: now.toISOString(), changed };
    },
  };
};
