import type { AnnouncementContent } from '../channel';
import { followUpTexts, titleWithFollowUp } from '../../messages/texts';
import type { Language } from '../../../../shared/languages';

/**
 * What the e-mail channel puts into a mail: a subject, readable HTML and the same content as
 * plain text. The HTML is deliberately plain (one column, inline styles, no images) so it reads
 * well in every client, with images off and in screen readers.
 */

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

type Locale = Language;

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Paragraphs from blank lines, line breaks kept inside them. */
const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => `<p style="margin:0 0 1em">${escapeHtml(block).replace(/\n/g, '<br>')}</p>`)
    .join('\n');

const copy = {
  de: {
    emergency: 'Eilmeldung',
    important: 'Wichtig',
    readMore: 'Weiterlesen',
    topics: 'Themen',
    why: (town: string) => `Sie erhalten diese E-Mail, weil Sie die Nachrichten von ${town} abonniert haben.`,
    unsubscribe: 'Abmelden',
    manage: 'Themen ändern oder anderen Kanal wählen',
    confirmSubject: (town: string) => `Bitte bestätigen Sie Ihre Anmeldung – Nachrichten von ${town}`,
    confirmIntro: (town: string) => `Sie (oder jemand mit Ihrer Adresse) möchten die Nachrichten von ${town} per E-Mail erhalten.`,
    confirmAction: 'Anmeldung bestätigen',
    confirmIgnore: 'Wenn Sie das nicht waren, ignorieren Sie diese E-Mail einfach; ohne Bestätigung erhalten Sie nichts und Ihre Adresse wird gelöscht.',
    news: (town: string) => `Nachrichten von ${town}`,
    language: 'Andere Sprache wählen',
  },
  en: {
    emergency: 'Emergency',
    important: 'Important',
    readMore: 'Read more',
    topics: 'Topics',
    why: (town: string) => `You receive this e-mail because you subscribed to the news of ${town}.`,
    unsubscribe: 'Unsubscribe',
    manage: 'Change topics or choose another channel',
    confirmSubject: (town: string) => `Please confirm your subscription – news of ${town}`,
    confirmIntro: (town: string) => `You (or someone using your address) asked to receive the news of ${town} by e-mail.`,
    confirmAction: 'Confirm subscription',
    confirmIgnore: 'If this was not you, just ignore this e-mail: without confirmation you receive nothing and your address is deleted.',
    news: (town: string) => `News of ${town}`,
    language: 'Choose another language',
  },
  'de-x-ls': {
    emergency: 'Gefahr',
    important: 'Wichtig',
    readMore: 'Mehr lesen',
    topics: 'Themen',
    why: (town: string) => `Sie bekommen diese E-Mail. Denn Sie wollen die Nachrichten von ${town} bekommen.`,
    unsubscribe: 'Keine Nachrichten mehr bekommen',
    manage: 'Andere Themen wählen',
    confirmSubject: (town: string) => `Bitte bestätigen Sie: Sie wollen die Nachrichten von ${town} bekommen`,
    confirmIntro: (town: string) => `Jemand hat Ihre E-Mail-Adresse angemeldet. Für die Nachrichten von ${town}. Waren Sie das?`,
    confirmAction: 'Ja, ich will die Nachrichten bekommen',
    confirmIgnore: 'Sie waren das nicht? Dann müssen Sie nichts tun. Sie bekommen dann keine Nachrichten. Wir löschen Ihre Adresse.',
    news: (town: string) => `Nachrichten von ${town}`,
    language: 'Andere Sprache wählen',
  },
} as const satisfies Record<Locale, unknown>;

function layout(locale: Locale, title: string, body: string, footer: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#ffffff">
<div style="max-width:36rem;margin:0 auto;padding:1rem;font:16px/1.5 Arial,Helvetica,sans-serif;color:#1a1a1a">
${body}
<hr style="border:0;border-top:1px solid #cccccc;margin:2em 0 1em">
<p style="margin:0;font-size:14px;color:#444444">${footer}</p>
</div>
</body>
</html>`;
}

const subjectPrefix = (content: AnnouncementContent, locale: Locale) =>
  // An all-clear names itself ("Entwarnung: …") instead of repeating the warning's urgency.
  content.followUp?.kind === 'all-clear' ? '' : content.urgency === 'emergency' ? `${copy[locale].emergency}: ` : content.urgency === 'important' ? `${copy[locale].important}: ` : '';

export function announcementMail(
  content: AnnouncementContent,
  { unsubscribeUrl, manageUrl, languageUrl }: { unsubscribeUrl: string | null; manageUrl?: string | null; languageUrl?: string | null },
  locale: Locale = 'de'
): MailContent {
  const t = copy[locale];
  const subject = `${subjectPrefix(content, locale)}${titleWithFollowUp(content, locale)}`.replace(/\s+/g, ' ').trim();
  const originalUrl = content.followUp?.originalUrl && content.followUp.originalUrl !== content.url ? content.followUp.originalUrl : null;
  const topics = content.topicNames.length ? `${t.topics}: ${content.topicNames.join(', ')}` : '';
  const textParts = [
    t.news(content.townName),
    '',
    subject,
    '',
    content.text.trim(),
    ...(content.url ? ['', `${t.readMore}: ${content.url}`] : []),
    ...(originalUrl ? ['', `${followUpTexts.original[locale]}: ${originalUrl}`] : []),
    ...(topics ? ['', topics] : []),
    '',
    '-- ',
    t.why(content.townName),
    ...(manageUrl ? [`${t.manage}: ${manageUrl}`] : []),
    ...(languageUrl ? [`${t.language}: ${languageUrl}`] : []),
    ...(unsubscribeUrl ? [`${t.unsubscribe}: ${unsubscribeUrl}`] : []),
  ];
  const body = [
    `<p style="margin:0 0 .5em;font-size:14px;color:#444444">${escapeHtml(t.news(content.townName))}</p>`,
    `<h1 style="font-size:22px;line-height:1.3;margin:0 0 .75em">${escapeHtml(subject)}</h1>`,
    paragraphs(content.text),
    content.url ? `<p style="margin:1.5em 0"><a href="${escapeHtml(content.url)}" style="color:#0b5fff">${escapeHtml(t.readMore)}</a></p>` : '',
    originalUrl ? `<p style="margin:0 0 1.5em"><a href="${escapeHtml(originalUrl)}" style="color:#0b5fff">${escapeHtml(followUpTexts.original[locale])}</a></p>` : '',
    topics ? `<p style="margin:0;font-size:14px;color:#444444">${escapeHtml(topics)}</p>` : '',
  ].join('\n');
  const footerLinks = [
    manageUrl ? `<a href="${escapeHtml(manageUrl)}" style="color:#0b5fff">${escapeHtml(t.manage)}</a>` : '',
    languageUrl ? `<a href="${escapeHtml(languageUrl)}" style="color:#0b5fff">${escapeHtml(t.language)}</a>` : '',
    unsubscribeUrl ? `<a href="${escapeHtml(unsubscribeUrl)}" style="color:#0b5fff">${escapeHtml(t.unsubscribe)}</a>` : '',
  ].filter(Boolean);
  const footer = `${escapeHtml(t.why(content.townName))}${footerLinks.length ? `<br>${footerLinks.join(' · ')}` : ''}`;
  return { subject, text: textParts.join('\n'), html: layout(locale, subject, body, footer) };
}

export function confirmationMail(townName: string, confirmUrl: string, locale: Locale = 'de'): MailContent {
  const t = copy[locale];
  const subject = t.confirmSubject(townName);
  const text = [t.confirmIntro(townName), '', `${t.confirmAction}: ${confirmUrl}`, '', t.confirmIgnore].join('\n');
  const body = [
    `<h1 style="font-size:22px;line-height:1.3;margin:0 0 .75em">${escapeHtml(subject)}</h1>`,
    `<p style="margin:0 0 1em">${escapeHtml(t.confirmIntro(townName))}</p>`,
    `<p style="margin:1.5em 0"><a href="${escapeHtml(confirmUrl)}" style="display:inline-block;padding:.6em 1.2em;background:#0b5fff;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(t.confirmAction)}</a></p>`,
  ].join('\n');
  return { subject, text, html: layout(locale, subject, body, escapeHtml(t.confirmIgnore)) };
}

export function textMail(townName: string, text: string, locale: Locale = 'de'): MailContent {
  const subject = copy[locale].news(townName);
  return { subject, text, html: layout(locale, subject, paragraphs(text), escapeHtml(subject)) };
}
