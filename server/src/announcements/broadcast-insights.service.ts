import type { Core } from '@strapi/strapi';
import { decodeVillages } from '../villages/villages';
import { OPEN_DELIVERY_STATUSES, OPEN_RUN_STATES, PAUSABLE_RUN_STATES, UID, isStateIn, type WaitingReason } from '../constants';
import { columnName, tableName } from '../database/names';
import { countOf, rowOf, rowsOf } from '../database/row';
import { getService } from '../utils/get-service';
import { isQuiet, quietHoursEnd } from '../utils/quiet-hours';
import { reachWindowMs } from '../delivery/reach';
import type { AnnouncementRow } from './announcement.rows';
import { explainFailureInBoth } from './failure-explanations';
import type { RunRow } from '../dispatch/runs';
import type { Broadcast, BroadcastDetail, BroadcastRun, RunSummary } from '../../../shared/contracts/admin-api';

export type { WaitingReason } from '../constants';

const isoOf = (value: Date | null | undefined): string | null => value?.toISOString() ?? null;

/**
 * The one mapping from a stored announcement to the admin API's broadcast (list, detail, thread,
 * every action): the contract's keys and no others, so no column of the table reaches the admin
 * by accident (tests parse the answers with shared/contracts/admin-responses.ts).
 */
export function toBroadcast(row: AnnouncementRow): Broadcast {
  return {
    documentId: row.documentId,
    title: row.title,
    broadcastStatus: row.broadcastStatus,
    statusReason: row.statusReason ?? null,
    resumesAt: isoOf(row.resumesAt),
    publishedAt: isoOf(row.publishedAt),
    recipients: row.recipientsCount ?? 0,
    sent: row.sentCount ?? 0,
    delivered: row.deliveredCount ?? 0,
    read: row.readCount ?? 0,
    failed: row.failedCount ?? 0,
    skipped: row.skippedCount ?? 0,
    updateOf: row.updateOf ?? null,
    followUpKind: row.followUpKind ?? null,
    // SQLite hands a raw boolean column back as 0/1.
    followUpIncludeNew: row.followUpIncludeNew == null ? null : Boolean(row.followUpIncludeNew),
    urgency: row.urgency ?? null,
  };
}

/** A run as the admin API shows it. */
export function toRunSummary(run: RunRow): RunSummary {
  return { channel: run.channel, state: run.state, reason: run.reason ?? null, resumesAt: run.resumesAt?.toISOString() ?? null, finishedAt: run.finishedAt?.toISOString() ?? null };
}

/**
 * The broadcast monitor's detail: failures grouped by error code in plain words, why a
 * broadcast waits and until when, and an estimated finish from what is left, the channel's
 * rate and its daily reach limit.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;
  const runtime = () => getService(strapi, 'runtime');
  const audience = () => getService(strapi, 'audience');
  const d = (attribute: string) => columnName(strapi, UID.delivery, attribute);

  const failuresByCode = async (documentId: string) => {
    const rows = await (knex()(tableName(strapi, UID.delivery))
      .select({ channel: d('channel'), code: d('lastErrorCode'), errorClass: d('lastErrorClass') })
      .count({ n: '*' })
      .where(d('announcementDocumentId'), documentId)
      .where(d('status'), 'failed')
      .groupBy(d('channel'), d('lastErrorCode'), d('lastErrorClass')));
    return rowsOf(rows, (raw) => {
      const row = rowOf(raw, 'delivery');
      return { channel: row.text('channel'), code: row.textOrNull('code'), errorClass: row.textOrNull('errorClass'), n: row.count('n') };
    })
      .map((row) => ({
        channel: row.channel,
        code: row.code ?? 'unknown',
        errorClass: row.errorClass ?? 'unknown',
        count: row.n,
        explanations: explainFailureInBoth(row.channel, row.code, row.errorClass),
      }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  };

  /**
   * Citizens whose channel this broadcast found unreachable (WhatsApp 131026/130472, a bounced
   * mailbox): their delivery failed and their address is now marked, so later news skips it. On
   * WhatsApp, `hinted` of them got the one-time hint on a channel signed up in the same form
   * (subscribers/unreachable-hint.ts); the admin sees the rest, who must be told another way.
   */
  const unreachableByChannel = async (documentId: string): Promise<Map<string, { count: number; hinted: number }>> => {
    const s = (attribute: string) => columnName(strapi, UID.subscriber, attribute);
    const deliveryTable = tableName(strapi, UID.delivery);
    const subscriberTable = tableName(strapi, UID.subscriber);
    const rows = await (knex()(deliveryTable)
      .join(subscriberTable, `${subscriberTable}.id`, `${deliveryTable}.${d('subscriberId')}`)
      .select({ channel: `${deliveryTable}.${d('channel')}` })
      .countDistinct({ n: `${subscriberTable}.id` })
      .select(knex().raw(`count(distinct case when ??.?? is not null then ??.id end) as hinted`, [subscriberTable, s('unreachableHintAt'), subscriberTable]))
      .where(`${deliveryTable}.${d('announcementDocumentId')}`, documentId)
      .where(`${deliveryTable}.${d('status')}`, 'failed')
      .whereNotNull(`${subscriberTable}.${s('undeliverableAt')}`)
      .groupBy(`${deliveryTable}.${d('channel')}`));
    return new Map(
      rowsOf(rows, (raw) => {
        const row = rowOf(raw, 'delivery');
        return [row.text('channel'), { count: row.count('n'), hinted: row.count('hinted') }] as const;
      })
    );
  };

  const waitingOf = (row: AnnouncementRow, now: Date): { reason: WaitingReason; until: string | null } | null => {
    if (row.broadcastStatus === 'paused') return { reason: 'paused', until: null };
    if (!isStateIn(PAUSABLE_RUN_STATES, row.broadcastStatus)) return null;
    const until = row.resumesAt;
    // The worker leaves the last reason in place; once its time has passed the broadcast is moving.
    if (!until || until.getTime() <= now.getTime()) return null;
    const reason: WaitingReason | null =
      row.statusReason === 'daily-limit'
        ? 'daily-limit'
        : row.statusReason === 'quiet-hours'
          ? 'quiet-hours'
          : row.statusReason === 'grace-period'
            ? 'grace'
            : row.broadcastStatus === 'scheduled'
              ? 'scheduled'
              : null;
    return reason ? { reason, until: until.toISOString() } : null;
  };

  /** Open deliveries per channel, or before fan-out the recipients fan-out will find. */
  const remainingByChannel = async (row: AnnouncementRow): Promise<Map<string, { count: number; inWindow: (ids: number[]) => Promise<number> }>> => {
    const remaining = new Map<string, { count: number; inWindow: (ids: number[]) => Promise<number> }>();
    const table = tableName(strapi, UID.delivery);
    if (row.fanOutDoneAt) {
      const rows = rowsOf(
        await knex()(table)
          .select({ channel: d('channel') })
          .count({ n: '*' })
          .where(d('announcementDocumentId'), row.documentId)
          .whereIn(d('status'), OPEN_DELIVERY_STATUSES)
          .groupBy(d('channel')),
        (raw) => {
          const counted = rowOf(raw, 'delivery');
          return { channel: counted.text('channel'), n: counted.count('n') };
        }
      );
      for (const entry of rows) {
        remaining.set(entry.channel, {
          count: entry.n,
          inWindow: async (ids) => {
            let count = 0;
            for (let start = 0; start < ids.length; start += 500) {
              count += countOf(
                await knex()(table)
                  .where(d('announcementDocumentId'), row.documentId)
                  .where(d('channel'), entry.channel)
                  .whereIn(d('status'), OPEN_DELIVERY_STATUSES)
                  .whereIn(d('subscriberId'), ids.slice(start, start + 500))
                  .count({ n: '*' })
              );
            }
            return count;
          },
        });
      }
      return remaining;
    }
    const topicIds = (row.topics ?? []).map((topic) => topic.id);
    const villageSlugs = decodeVillages(row.villages);
    const enabled = runtime().channels().enabled().map((channel) => channel.id as string);
    const channels = row.channels?.length ? row.channels.filter((id) => enabled.includes(id)) : enabled;
    for (const channel of channels) {
      remaining.set(channel, {
        count: await audience().countRecipients(channel, topicIds, villageSlugs),
        inWindow: (ids) => audience().countRecipientsAmong(channel, topicIds, ids, villageSlugs),
      });
    }
    return remaining;
  };

  /**
   * Sending starts when the broadcast stops waiting; each channel then sends what its reach
   * window admits at its message rate, and each further 24 hours frees another `limit` slots.
   * Quiet hours push a finish that falls inside them to their end. An estimate, not a promise.
   */
  const estimateFinish = async (row: AnnouncementRow, now: Date): Promise<string | null> => {
    if (!isStateIn(PAUSABLE_RUN_STATES, row.broadcastStatus)) return null;
    const start = Math.max(now.getTime(), row.resumesAt?.getTime() ?? 0, row.sendAt?.getTime() ?? 0);
    let finish = start;
    for (const [channelId, { count, inWindow }] of await remainingByChannel(row)) {
      const channel = runtime().channels().find(channelId);
      if (!channel || count === 0) continue;
      const rateMs = 1000 / Math.max(1, channel.messagesPerSecond);
      const split = await audience().splitByDailyLimit(channel, count, inWindow, start);
      let end = start + split.sendableNow * rateMs;
      if (split.later > 0 && split.limit) {
        const fullDays = Math.ceil(split.later / split.limit);
        const lastDay = split.later - (fullDays - 1) * split.limit;
        end = start + fullDays * reachWindowMs(runtime().config()) + lastDay * rateMs;
      }
      finish = Math.max(finish, end);
    }
    const quiet = runtime().config().broadcast.quietHours;
    const finishAt = new Date(Math.ceil(finish));
    if (row.urgency !== 'emergency' && isQuiet(quiet, finishAt)) return quietHoursEnd(quiet, finishAt).toISOString();
    return finishAt.toISOString();
  };

  /**
   * Each run with its own progress: sent and failed so far, and of those still to go how many
   * the daily reach window lets out today and how many wait for the next days.
   */
  const runsWithProgress = async (row: AnnouncementRow, now: Date): Promise<BroadcastRun[]> => {
    const runs = await getService(strapi, 'dispatch').runsOf(row.documentId);
    const counts = await getService(strapi, 'delivery').countByChannel(row.documentId);
    const remaining = await remainingByChannel(row);
    const unreachable = await unreachableByChannel(row.documentId);
    const views: BroadcastRun[] = [];
    for (const run of runs) {
      const channelCounts = counts.get(run.channel) ?? { open: 0, failed: 0, total: 0 };
      const left = remaining.get(run.channel);
      const lost = unreachable.get(run.channel) ?? { count: 0, hinted: 0 };
      const adapter = runtime().channels().find(run.channel);
      const split =
        left && adapter && isStateIn(OPEN_RUN_STATES, run.state)
          ? await audience().splitByDailyLimit(adapter, left.count, left.inWindow, now.getTime())
          : { sendableNow: 0, later: 0 };
      views.push({
        ...toRunSummary(run),
        recipients: channelCounts.total,
        failed: channelCounts.failed,
        becameUnreachable: lost.count,
        // WhatsApp only: of those, how many got the hint on another channel, and how many the town must tell itself.
        ...(run.channel === 'whatsapp' ? { unreachableHintSent: lost.hinted, unreachableHintNotPossible: lost.count - lost.hinted } : {}),
        waiting: left?.count ?? 0,
        today: split.sendableNow,
        later: split.later,
      });
    }
    return views;
  };

  return {
    /** The detail page's broadcast; the controller adds the approval and the thread, which need the viewer and the other rows. */
    async detail(row: AnnouncementRow, now = new Date()): Promise<Omit<BroadcastDetail, 'approval' | 'thread'>> {
      return {
        ...toBroadcast(row),
        runs: await runsWithProgress(row, now),
        text: row.text ?? null,
        url: row.url ?? null,
        ...(row.topics ? { topics: row.topics.map((topic) => ({ name: topic.name, slug: topic.slug })) } : {}),
        failuresByCode: await failuresByCode(row.documentId),
        waiting: waitingOf(row, now),
        estimatedFinishAt: await estimateFinish(row, now),
        cost: await getService(strapi, 'costs').forBroadcast(row.documentId),
      };
    },
  };
};
