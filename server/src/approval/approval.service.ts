import type { Core } from '@strapi/strapi';
import { isAccountChannel } from '../../../shared/contracts/channels';
import { CHANNEL_IDS, PLUGIN_ID, type ChannelId, type Urgency } from '../constants';
import { applicationError, forbiddenError, notFoundError } from '../http/errors';
import { getService } from '../utils/get-service';
import { maskedMessage } from '../utils/log';
import { countFollowUpRecipients } from '../fan-out/follow-up-recipients';
import type { AnnouncementRow } from '../announcements/announcements.service';
import { PAID_CHANNELS, type ApprovalHoldReason } from '../../../shared/contracts/approval';
import type { BroadcastApproval, PublishApprovalPreview } from '../../../shared/contracts/admin-api';
import { approvalVerdict, type ApprovalFacts } from './approval-rules';
import { approvalsStore, type ApprovalRow } from './approvals.store';
import { adminDirectoryOf, coversVillages } from './admin-directory';
import { approvalMail } from './approval-mail';
import { emailService } from '../admins/admin-mail';
import { budgetedAnnouncementFromRow } from '../costs/budget.rows';

/** One approver's e-mail about one broadcast. */
export interface ApprovalMail {
  documentId: string;
  to: string;
  subject: string;
  text: string;
}

/** The admin user deciding (Strapi's `ctx.state.user`). */
export interface Decider {
  id: number;
}

const villagesOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((slug): slug is string => typeof slug === 'string') : []);
const reasonsOf = (row: ApprovalRow): ApprovalHoldReason[] => [...new Set((row.holds ?? []).map((hold) => hold.reason))];
const heldBy = (row: ApprovalRow, reason: ApprovalHoldReason) => reasonsOf(row).includes(reason);

/**
 * Four-eyes approval (docs/admin.md, "Approval"). The one place where a broadcast is held for
 * approval at publish (`holdAtPublish`), approved (`approve`) and rejected (`reject`): one function
 * per action, so each is recorded in one place. The rules are pure (./approval-rules.ts); the runs
 * they hold are dispatch's (`paused` with `awaiting-approval:<why>`); this service keeps the record
 * of the request and the decision (./approvals.store.ts) and tells the approvers by e-mail.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const runtime = () => getService(strapi, 'runtime');
  const announcements = () => getService(strapi, 'announcements');
  const store = approvalsStore(strapi);
  const directory = adminDirectoryOf(strapi);
  const rules = () => runtime().config().broadcast.approval;

  /** Recipients per channel, counted only when a rule needs the number (the counts cost a query per channel). */
  const recipientsOf = async (announcement: AnnouncementRow, channels: readonly ChannelId[], villages: string[]): Promise<Partial<Record<ChannelId, number>>> => {
    const config = rules();
    if (!config.enabled || (config.aboveRecipients === undefined && !config.paidChannels)) return {};
    // A follow-up goes to whoever received its thread (fan-out/follow-up-recipients.ts), so the rules count those.
    // Citizens only, as the side panel counts them: the town's own accounts (Mastodon, Bluesky) are no recipients.
    const citizens = (counts: Partial<Record<string, number>>) => {
      const byChannel: Partial<Record<ChannelId, number>> = {};
      for (const channel of CHANNEL_IDS) if (!isAccountChannel(channel) && counts[channel] !== undefined) byChannel[channel] = counts[channel];
      return byChannel;
    };
    if (announcement.updateOf) return citizens(await countFollowUpRecipients(strapi, await announcements().threadDocumentIds(announcement)));
    const topicIds = (announcement.topics ?? []).map((topic) => topic.id);
    const counts: Partial<Record<ChannelId, number>> = {};
    for (const channel of channels) if (!isAccountChannel(channel)) counts[channel] = await getService(strapi, 'audience').countRecipients(channel, topicIds, villages);
    return counts;
  };

  const factsOf = async (
    input: { urgency: Urgency | null | undefined; channels: readonly ChannelId[]; villages: string[]; recipientsByChannel: Partial<Record<ChannelId, number>> },
    publisherId: number | null,
    whatsappOverBudget: boolean
  ): Promise<ApprovalFacts> => ({
    ...input,
    paidChannels: PAID_CHANNELS,
    publisherVillages: await directory.villageRightsOf(publisherId),
    whatsappOverBudget,
    unattended: publisherId === null,
  });

  /**
   * The WhatsApp budget's verdict (costs/budget.service.ts) on a published broadcast: whether its WhatsApp part would
   * go over what is left of the month's budget. Asked only where a budget is set and the news goes out on WhatsApp.
   */
  const overBudget = async (announcement: AnnouncementRow, channels: readonly ChannelId[]) =>
    channels.includes('whatsapp') &&
    runtime().config().channels.whatsapp.budget.amountPerMonth !== null &&
    (await getService(strapi, 'budget').verdictForRow(budgetedAnnouncementFromRow(announcement))).wouldExceed;

  /** Who may decide: holds the approve permission, is not the publisher, and (village rights) holds the news's villages. */
  const approversFor = async (publishedBy: number | null, villageHold: boolean, villages: string[]) =>
    (await directory.approvers()).filter((approver) => approver.id !== publishedBy && (!villageHold || coversVillages(approver.villages, villages)));

  const api = {
    /**
     * Publish-held: at the first publish, dispatch asks which runs wait for an approval. Writes the
     * approval's record when one is needed (`awaiting`, or `outstanding` for an emergency that goes
     * at once). A second start (the reconciler's retry) answers what the first one recorded.
     */
    async holdAtPublish(announcement: AnnouncementRow, channels: ChannelId[]): Promise<{ held: Partial<Record<ChannelId, ApprovalHoldReason>>; recorded: boolean }> {
      const existing = await store.find(announcement.documentId);
      if (existing) return { held: existing.state === 'awaiting' ? (existing.heldChannels ?? {}) : {}, recorded: true };
      const villages = villagesOf(announcement.villages);
      const publishedBy = announcement.publishedBy ?? null;
      const facts = await factsOf(
        { urgency: announcement.urgency, channels, villages, recipientsByChannel: await recipientsOf(announcement, channels, villages) },
        publishedBy,
        await overBudget(announcement, channels)
      );
      const verdict = approvalVerdict(rules(), facts);
      if (!verdict.mode) return { held: {}, recorded: false };
      const row = await store.open({
        announcementDocumentId: announcement.documentId,
        state: verdict.mode === 'hold' ? 'awaiting' : 'outstanding',
        holds: verdict.holds,
        heldChannels: verdict.heldChannels,
        villages,
        publishedBy,
      });
      return { held: row.state === 'awaiting' ? (row.heldChannels ?? {}) : {}, recorded: true };
    },

    /** A second person approves: what waited goes out, exactly once (the decision is written only once). */
    async approve(documentId: string, decider: Decider, note: string | null): Promise<AnnouncementRow> {
      const row = await api.decidable(documentId, decider);
      if (!(await store.decide(row, { state: 'approved', decidedBy: decider.id, note }))) throw applicationError('This broadcast was approved or rejected meanwhile');
      if (row.state === 'awaiting') await getService(strapi, 'dispatch').releaseApproval(documentId);
      return announcements().requirePublished(documentId);
    },

    /** A second person rejects, with a note: nothing that waited goes out, and the list says "rejected". */
    async reject(documentId: string, decider: Decider, note: string): Promise<AnnouncementRow> {
      const row = await api.decidable(documentId, decider);
      if (!(await store.decide(row, { state: 'rejected', decidedBy: decider.id, note }))) throw applicationError('This broadcast was approved or rejected meanwhile');
      await getService(strapi, 'dispatch').rejectApproval(documentId, { everythingOpen: row.state === 'outstanding' });
      return announcements().requirePublished(documentId);
    },

    /** The approval `decider` may decide, or the refusal: none (404), decided (400), their own (403), villages they do not hold (403). */
    async decidable(documentId: string, decider: Decider): Promise<ApprovalRow> {
      await announcements().requirePublished(documentId);
      const row = await store.find(documentId);
      if (!row) throw notFoundError('This broadcast needs no approval');
      if (row.state !== 'awaiting' && row.state !== 'outstanding') throw applicationError(`This broadcast was already ${row.state}`, { code: `already-${row.state}` });
      if (row.publishedBy !== null && row.publishedBy === decider.id) throw forbiddenError('Nobody may approve or reject a broadcast they published themselves', { code: 'own-broadcast' });
      if (heldBy(row, 'village-rights') && !coversVillages(await directory.villageRightsOf(decider.id), row.villages ?? [])) {
        throw forbiddenError('Only someone who holds every village of this news may approve or reject it', { code: 'village-rights' });
      }
      return row;
    },

    /**
     * The e-mails that tell the approvers (once: the claim is written with them). Read in the
     * publish's own transaction, so nothing is read through it once it has committed; the sending
     * (`sendMails`, no database) comes after the commit. Never throws: a problem is logged without addresses.
     */
    async notificationsFor(documentId: string): Promise<ApprovalMail[]> {
      try {
        if (!rules().notifyByEmail) return [];
        const row = await store.find(documentId);
        if (!row || (row.state !== 'awaiting' && row.state !== 'outstanding')) return [];
        const approvers = await approversFor(row.publishedBy, heldBy(row, 'village-rights'), row.villages ?? []);
        if (!approvers.length) {
          strapi.log.warn(`[${PLUGIN_ID}] broadcast ${documentId} needs an approval, but no other admin holds the right to give it (broadcasts.approve)`);
          return [];
        }
        if (!(await store.claimNotification(row))) return [];
        const announcement = await announcements().requirePublished(documentId);
        const publisher = (await directory.namesOf([row.publishedBy])).get(row.publishedBy ?? -1) ?? null;
        const link = `${runtime().config().publicUrl.replace(/\/$/, '')}/admin/plugins/${PLUGIN_ID}/broadcasts/${encodeURIComponent(documentId)}`;
        return approvers.map((approver) => ({
          documentId,
          to: approver.email,
          ...approvalMail({ language: approver.language, approverName: approver.name, publisherName: publisher, title: announcement.title, reasons: reasonsOf(row), outstanding: row.state === 'outstanding', link }),
        }));
      } catch (error) {
        strapi.log.warn(`[${PLUGIN_ID}] could not prepare the approvers' e-mail for broadcast ${documentId}: ${maskedMessage(error)}`);
        return [];
      }
    },

    /** Sends them through Strapi's email plugin (the host's `plugins.email` provider). Never awaited by a publish. */
    async sendMails(mails: ApprovalMail[]): Promise<void> {
      const email = emailService(strapi);
      if (!email) return;
      for (const { documentId, ...mail } of mails) {
        await email.send(mail).catch((error: unknown) => strapi.log.warn(`[${PLUGIN_ID}] could not tell an approver of broadcast ${documentId}: ${maskedMessage(error)}`));
      }
    },

    /** The approvals of the list's or the detail's broadcasts, as `viewerId` sees them. */
    async views(documentIds: string[], viewerId: number | null): Promise<Map<string, BroadcastApproval>> {
      const rows = await store.findMany(documentIds);
      const names = await directory.namesOf(rows.flatMap((row) => [row.publishedBy, row.decidedBy]));
      return new Map(
        rows.map((row) => [
          row.announcementDocumentId,
          {
            state: row.state,
            reasons: reasonsOf(row),
            heldChannels: Object.keys(row.heldChannels ?? {}),
            publishedBy: row.publishedBy === null ? null : (names.get(row.publishedBy) ?? null),
            decidedBy: row.decidedBy === null ? null : (names.get(row.decidedBy) ?? null),
            note: row.note ?? null,
            decidedAt: row.decidedAt?.toISOString() ?? null,
            ownBroadcast: viewerId !== null && row.publishedBy === viewerId,
          },
        ])
      );
    },

    /** The side panel: whether Publish by `viewerId` would need an approval, why, and who could give it. */
    async preview(
      input: { urgency: Urgency | null; channels: ChannelId[]; villages: string[]; recipientsByChannel: Partial<Record<ChannelId, number>> },
      viewerId: number | null,
      /** The budget's verdict on this broadcast's WhatsApp estimate (the side panel asks it beside this). */
      whatsappOverBudget = false
    ): Promise<PublishApprovalPreview> {
      const facts = await factsOf(input, viewerId, whatsappOverBudget);
      const verdict = approvalVerdict(rules(), facts);
      const reasons = [...new Set(verdict.holds.map((hold) => hold.reason))];
      const approvers = verdict.mode ? (await approversFor(viewerId, reasons.includes('village-rights'), input.villages)).map((approver) => approver.name) : [];
      return { mode: verdict.mode, reasons, heldChannels: Object.keys(verdict.heldChannels), approvers, villageRights: facts.publisherVillages ? [...facts.publisherVillages] : null };
    },
  };
  return api;
};
