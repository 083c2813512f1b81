import type { ApprovalHoldReason } from '../../../shared/contracts/approval';

/**
 * The e-mail that tells an approver a broadcast waits for them (or went at once and wants an
 * approval afterwards), in the language they chose for the admin, German first. It names the
 * news and who published it, never a citizen; the link opens the broadcast in the admin.
 */
const REASONS: Record<'de' | 'en', Record<ApprovalHoldReason, string>> = {
  de: {
    rule: 'Die Regeln der Stadt verlangen für diese Nachricht eine zweite Freigabe.',
    'village-rights': 'Die Nachricht geht an Ortsteile, für die die veröffentlichende Person nicht allein senden darf.',
    'over-budget': 'Der WhatsApp-Teil würde das Monatsbudget überschreiten; E-Mail und die anderen Kanäle gehen schon raus.',
    unattended: 'Eine Warnung ist ohne Person veröffentlicht worden (eine amtliche Warnung, die sich selbst veröffentlicht hat); sie ist schon raus, eine Person muss sie nachträglich freigeben.',
  },
  en: {
    rule: 'The town’s rules ask a second person to approve this news.',
    'village-rights': 'The news goes to villages the publisher may not send to on their own.',
    'over-budget': 'The WhatsApp part would go over the month’s budget; e-mail and the other channels are going out already.',
    unattended: 'A warning went out with nobody publishing it in person (an official warning that published itself); a person must approve it afterwards.',
  },
};

export function approvalMail(input: {
  language: 'de' | 'en';
  approverName: string;
  publisherName: string | null;
  title: string;
  reasons: ApprovalHoldReason[];
  outstanding: boolean;
  link: string;
}): { subject: string; text: string } {
  const { language, title, link } = input;
  const reasons = [...new Set(input.reasons)].map((reason) => REASONS[language][reason]).join('\n');
  if (language === 'en') {
    const who = input.publisherName ?? 'Someone';
    return input.outstanding
      ? {
          subject: `Approval afterwards: “${title}”`,
          text: `Hello ${input.approverName},\n\n${who} published the emergency “${title}”. It went out at once; a second person must approve it afterwards.\n\n${reasons}\n\nApprove or reject: ${link}\n`,
        }
      : {
          subject: `Approval needed: “${title}”`,
          text: `Hello ${input.approverName},\n\n${who} published “${title}”. It goes out only once a second person approves it.\n\n${reasons}\n\nApprove or reject: ${link}\n`,
        };
  }
  const who = input.publisherName ?? 'Jemand';
  return input.outstanding
    ? {
        subject: `Nachträgliche Freigabe: „${title}“`,
        text: `Hallo ${input.approverName},\n\n${who} hat die Warnung „${title}“ veröffentlicht. Sie ist sofort rausgegangen; eine zweite Person muss sie nachträglich freigeben.\n\n${reasons}\n\nFreigeben oder ablehnen: ${link}\n`,
      }
    : {
        subject: `Freigabe nötig: „${title}“`,
        text: `Hallo ${input.approverName},\n\n${who} hat „${title}“ veröffentlicht. Eine zweite Person muss die Nachricht freigeben, bevor sie rausgeht.\n\n${reasons}\n\nFreigeben oder ablehnen: ${link}\n`,
      };
}
