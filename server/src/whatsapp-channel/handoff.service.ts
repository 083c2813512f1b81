import type { Core } from '@strapi/strapi';
import { UID } from '../constants';
import { getService } from '../utils/get-service';
import { channelHandoffRows } from './channel-handoff.rows';
import { localeOf, titleWithFollowUp, followUpTexts } from '../messages/texts';
import type { AnnouncementContent } from '../channels/channel';
import type { WhatsappChannelHandoff } from '../../../shared/contracts/admin-api';

/** WhatsApp's own markup is `*bold*`, `_italic_`, `~strike~`: a star in the title would end the bold early. */
const plain = (text: string) => text.replace(/[*_~`]/g, '');

/**
 * The text for the town's WhatsApp Channel: the headline in bold (with the follow-up's words),
 * the text, the link on a line of its own (WhatsApp shows its preview), the town's name.
 */
export function whatsappChannelText(content: AnnouncementContent, locale: 'de' | 'en' | 'de-x-ls' = 'de'): string {
  const allClear = content.followUp?.kind === 'all-clear';
  const prefix = allClear ? '✅ ' : content.urgency === 'emergency' ? '🚨 ' : content.urgency === 'important' ? '❗ ' : '';
  const parts = [`${prefix}*${plain(titleWithFollowUp(content, locale))}*`];
  if (content.text.trim()) parts.push(content.text.trim());
  if (content.url) parts.push(content.url);
  const original = content.followUp?.originalUrl;
  if (original && original !== content.url) parts.push(`${followUpTexts.original[locale]}: ${original}`);
  parts.push(`_${plain(content.townName)}_`);
  return parts.join('\n\n');
}


/** The one writer of `town_crier_channel_handoffs`: the "posted to the WhatsApp Channel" tick. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const rows = () => strapi.db.query(UID.channelHandoff);
  const config = () => getService(strapi, 'runtime').config();
  const findOf = async (documentId: string) => {
    const row: unknown = await rows().findOne({ where: { announcementDocumentId: documentId } });
    return row ? channelHandoffRows.fromRow(row) : null;
  };

  const state = async (documentId: string): Promise<WhatsappChannelHandoff> => {
    const announcements = getService(strapi, 'announcements');
    const announcement = await announcements.requirePublished(documentId);
    const followUp = await getService(strapi, 'follow-ups').contextOf(announcement);
    const locale = localeOf(config().defaultLocale);
    const row = await findOf(documentId);
    return {
      enabled: config().whatsappChannel.enabled,
      channelUrl: config().whatsappChannel.url ?? null,
      text: whatsappChannelText(announcements.contentOf(announcement, followUp), locale),
      posted: row ? { at: row.postedAt.toISOString(), by: row.postedBy } : null,
    };
  };

  return {
    state,
    /** Ticks or unticks; ticking again keeps the first who and when. */
    async mark(documentId: string, posted: boolean, user: { id?: number; firstname?: string | null; lastname?: string | null; username?: string | null } | undefined) {
      await getService(strapi, 'announcements').requirePublished(documentId);
      const found = await findOf(documentId);
      if (posted && !found) {
        const name = [user?.firstname, user?.lastname].filter(Boolean).join(' ') || user?.username || null;
        await rows().create({ data: { announcementDocumentId: documentId, postedAt: new Date(), postedBy: name, postedById: user?.id ?? null } });
      } else if (!posted && found) {
        await rows().delete({ where: { id: found.id } });
      }
      return state(documentId);
    },
  };
};
