import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../constants';
import { maskedMessage } from '../utils/log';
import { adminUsersOf } from '../admins/admin-users';
import { emailService } from '../admins/admin-mail';
import type { WarningDraftKind } from '../../../shared/contracts/warnings';

const SUBJECT: Record<WarningDraftKind | 'auto-published' | 'draft-changed' | 'obsolete', string> = {
  warning: 'Neue amtliche Warnung als Entwurf',
  update: 'Amtliche Warnung geändert: Entwurf für ein Update',
  'all-clear': 'Amtliche Warnung beendet: Entwurf für die Entwarnung',
  'auto-published': 'Amtliche Warnung automatisch veröffentlicht – Freigabe ausstehend',
  'draft-changed': 'Amtliche Warnung geändert: der Entwurf wurde angepasst',
  obsolete: 'Amtliche Warnung beendet, bevor ihr Entwurf veröffentlicht wurde',
};

export type NoticeKind = keyof typeof SUBJECT;

/** Who is told: the configured addresses, else every active admin user (a small town's editors). */
async function recipients(strapi: Core.Strapi, configured: string[]): Promise<string[]> {
  if (configured.length) return configured;
  return adminUsersOf(strapi).activeEmails();
}

/**
 * Tells the editors at once, by e-mail through Strapi's email plugin (whatever provider the
 * host configured). A mail that cannot go out is logged without addresses; the admin's banner
 * shows the draft either way.
 */
export async function notifyEditors(
  strapi: Core.Strapi,
  options: { configured: string[]; kind: NoticeKind; headline: string; editUrl: string | null; attribution: string }
): Promise<number> {
  const email = emailService(strapi);
  if (!email) return 0;
  const subject = `${SUBJECT[options.kind]}: ${options.headline}`.slice(0, 200);
  const text = [
    `${SUBJECT[options.kind]}.`,
    '',
    options.headline,
    `Quelle: ${options.attribution}`,
    '',
    options.editUrl ? `Im Admin öffnen: ${options.editUrl}` : '',
    'Bitte prüfen und veröffentlichen Sie den Entwurf, damit die Meldung die Bürgerinnen und Bürger erreicht.',
  ].join('\n');
  let sent = 0;
  for (const to of await recipients(strapi, options.configured)) {
    try {
      await email.send({ to, subject, text });
      sent += 1;
    } catch (error) {
      strapi.log.warn(`[${PLUGIN_ID}] warnings: the notice to an editor could not be sent: ${maskedMessage(error as Error)}`);
    }
  }
  return sent;
}
