import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { decodeVillages } from '../villages/villages';
import type { Language } from '../../../shared/languages';
import type { RequestMeta, SignupAnswer, SignupPlan, SubscriptionContext } from './subscription-context';
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
  const { subscribers, runtime, ledger } = context;
  return {
    async applyManagedChange(plan: SignupPlan & { existing: NonNullable<SignupPlan['existing']> }, meta: RequestMeta): Promise<SignupAnswer> {
      const { input, existing, topicIds, villages, now } = plan;
      const row = (await subscribers().findOne({ where: { id: existing.id }, populate: ['topics'] })) as {
        villages: string | null;
        locale: string | null;
        topics?: Array<{ id: number }>;
      };
      const changed: NonNullable<SignupAnswer['changed']> = {};
      if (!sameSet((row.topics ?? []).map((topic) => topic.id), topicIds)) {
        await subscribers().update({ where: { id: existing.id }, data: { topics: topicIds } });
        await ledger().record({ subscriberId: existing.id, channel: existing.channel, type: 'changed', method: 'manage-link', detail: topicsDetail(input.topics), ip: meta.ip, userAgent: meta.userAgent, at: now });
        const chosen = topicIds.length ? ((await strapi.db.query(UID.topic).findMany({ where: { id: { $in: topicIds } }, select: ['name'], orderBy: { name: 'asc' } })) as Array<{ name: string }>) : [];
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
        changed.language = (await preferences.changeLanguage(existing.id, input.locale, 'manage-link', meta)) as Language;
      }
      if (input.name) await subscribers().update({ where: { id: existing.id }, data: { name: input.name } });
      return { status: 'active', channel: existing.channel, expiresAt: now.toISOString(), changed };
    },
  };
};
