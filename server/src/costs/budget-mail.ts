import type { Core } from '@strapi/strapi';
import type { BudgetStatus, MessageKind } from '../../../shared/contracts/costs';
import { adminUsersOf } from '../admins/admin-users';
import { emailService, type AdminMail } from '../admins/admin-mail';
import { getService } from '../utils/get-service';

const KIND_WORDS: Record<MessageKind, { de: string; en: string }> = {
  news: { de: 'Nachrichten', en: 'news' },
  confirmation: { de: 'Bestätigungsanfragen', en: 'confirmation requests' },
  'interim-reply': { de: 'Zwischenantworten', en: 'interim replies' },
  'keyword-answer': { de: 'Antworten auf Stichworte', en: 'keyword answers' },
  'stop-receipt': { de: 'Abmeldebestätigungen', en: 'STOP receipts' },
  'staff-reply': { de: 'Antworten der Verwaltung', en: 'staff replies' },
  other: { de: 'Sonstige', en: 'other' },
};

/**
 * The threshold mail to the admins, German first, through Strapi's email plugin. It names
 * amounts and kinds only: no citizen, number or address.
 */
export const budgetMail = (strapi: Core.Strapi) => ({
  /** Active super admins, and the addresses the config adds. */
  async recipients(): Promise<string[]> {
    const admins = await adminUsersOf(strapi).activeEmails({ superAdminsOnly: true });
    const extra = getService(strapi, 'runtime').config().channels.whatsapp.budget.notify;
    return [...new Set([...admins, ...extra].filter(Boolean).map((email) => email.toLowerCase()))];
  },

  compose(status: BudgetStatus, threshold: number): Omit<AdminMail, 'to'> {
    const money = (value: number, locale: string) => new Intl.NumberFormat(locale, { style: 'currency', currency: status.currency }).format(value);
    const kinds = status.byKind.filter((entry) => entry.cost > 0);
    const lines = (language: 'de' | 'en', locale: string) => kinds.map((entry) => `  - ${KIND_WORDS[entry.kind][language]}: ${money(entry.cost, locale)}`).join('\n');
    const subject = `WhatsApp-Budget ${status.month}: ${threshold} % erreicht / WhatsApp budget ${status.month}: ${threshold} % reached`;
    const text = [
      `Die WhatsApp-Kosten im ${status.month} haben ${threshold} % des Monatsbudgets erreicht:`,
      `${money(status.spent, 'de-DE')} von ${money(status.amount ?? 0, 'de-DE')} (Prognose für den Monat: ${money(status.forecast, 'de-DE')}).`,
      lines('de', 'de-DE'),
      'Gezählt wird, was Meta in den Status-Webhooks als kostenpflichtig meldet, zu den Preisen der Preistabelle der Stadt; maßgeblich ist Metas Rechnung.',
      '',
      `WhatsApp cost in ${status.month} has reached ${threshold} % of the monthly budget:`,
      `${money(status.spent, 'en-GB')} of ${money(status.amount ?? 0, 'en-GB')} (forecast for the month: ${money(status.forecast, 'en-GB')}).`,
      lines('en', 'en-GB'),
      'Counted is what Meta reports as billable in its status webhooks, at the town’s rate table; Meta’s invoice is what counts.',
    ]
      .filter((line) => line !== undefined)
      .join('\n');
    return { subject, text };
  },

  /** Throws when the email plugin is missing or the mail server refuses: the threshold is then tried again. */
  async send(status: BudgetStatus, threshold: number) {
    const email = emailService(strapi);
    if (!email) throw new Error('Strapi’s email plugin is not available');
    const recipients = await this.recipients();
    if (!recipients.length) throw new Error('no admin with an e-mail address to tell');
    const { subject, text } = this.compose(status, threshold);
    // One mail to all of them: it went out or it did not, so a retry never mails anyone twice.
    await email.send({ to: recipients.join(', '), subject, text });
  },
});
