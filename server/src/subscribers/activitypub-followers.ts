import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { z } from 'zod';
import { getService } from '../utils/get-service';
import { idFromRow } from '../database/row';
import { subscriberReads } from './subscriber.rows';
import type { FollowerEndpoints } from '../channels/activitypub';

const CHANNEL = 'activitypub' as const;

/** `activitypubFollower` as this module writes it; anything else stored there counts as no endpoints. */
const followerEndpoints = z.object({ inbox: z.string(), sharedInbox: z.string().nullable(), followId: z.string() });
const endpointsFromColumn = (value: unknown): FollowerEndpoints | null => {
  const parsed = followerEndpoints.safeParse(value);
  return parsed.success ? parsed.data : null;
};

/**
 * Fediverse followers are subscribers of the `activitypub` channel: the address is the
 * follower's actor URI, the row keeps where their server takes our posts. A `Follow` is the
 * follower's own act (like a confirmed sign-up), so the row is active at once; `Undo` and a
 * deleted account withdraw it, with the consent ledger written as for every other channel.
 */
export function activitypubFollowers(strapi: Core.Strapi) {
  const subscribers = () => strapi.db.query(UID.subscriber);
  const ledger = () => getService(strapi, 'consent-ledger');
  const find = async (actorUri: string) => {
    const row = await subscriberReads(strapi).pickOne(['id', 'status', 'activitypubFollower'], { where: { channel: CHANNEL, address: actorUri }, orderBy: { id: 'desc' } });
    return row && { ...row, activitypubFollower: endpointsFromColumn(row.activitypubFollower) };
  };

  return {
    /** Answers whether the follower is new (a repeated Follow, sent when our Accept got lost, only refreshes the endpoints). */
    async follow(actorUri: string, endpoints: FollowerEndpoints, locale: string): Promise<{ subscriberId: number; created: boolean }> {
      const now = new Date();
      return strapi.db.transaction(async () => {
        const existing = await find(actorUri);
        if (existing && existing.status === 'active') {
          await subscribers().update({ where: { id: existing.id }, data: { activitypubFollower: endpoints } });
          return { subscriberId: existing.id, created: false };
        }
        const data = { status: 'active', confirmedAt: now, unsubscribedAt: null, activitypubFollower: endpoints, locale, source: 'activitypub-follow' };
        const row = existing
          ? idFromRow(await subscribers().update({ where: { id: existing.id }, data }))
          : idFromRow(await subscribers().create({ data: { channel: CHANNEL, address: actorUri, ...data } }));
        await ledger().record({ subscriberId: row.id, channel: CHANNEL, type: 'requested', method: 'activitypub-follow', at: now });
        await ledger().record({ subscriberId: row.id, channel: CHANNEL, type: 'confirmed', method: 'activitypub-follow', at: now });
        return { subscriberId: row.id, created: true };
      });
    },

    /** `Undo(Follow)` or the account's `Delete`: the follower leaves, like STOP. */
    async unfollow(actorUri: string, method: 'activitypub-undo' | 'activitypub-delete'): Promise<boolean> {
      const existing = await find(actorUri);
      if (!existing || existing.status !== 'active') return false;
      return getService(strapi, 'subscriptions').withdraw(existing.id, method);
    },

    /** Where an active follower's server takes our posts; null once they left or were erased. */
    async endpointsOf(actorUri: string): Promise<FollowerEndpoints | null> {
      const row = await find(actorUri);
      return row?.status === 'active' ? row.activitypubFollower : null;
    },

    async isFollower(actorUri: string): Promise<boolean> {
      return (await find(actorUri))?.status === 'active';
    },

    async count(): Promise<number> {
      return subscribers().count({ where: { channel: CHANNEL, status: 'active' } });
    },
  };
}
