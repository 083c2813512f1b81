/**
 * The pages behind the links in e-mails. A GET never changes anything: link scanners and
 * mail-security proxies open every link in a mail, so the page only shows a button, and the
 * button's POST (a plain HTML form, no script needed) does the work.
 */
import type { Language } from '../../../shared/languages';

export type LinkPageKind = 'confirm' | 'unsubscribe';
type Locale = Language;

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const copy = {
  de: {
    confirm: {
      title: 'Anmeldung bestätigen',
      intro: (town: string) => `Bitte bestätigen Sie, dass Sie die Nachrichten von ${town} per E-Mail erhalten möchten.`,
      button: 'Ja, Anmeldung bestätigen',
      done: (town: string) => `Danke! Sie erhalten ab jetzt die Nachrichten von ${town}. Jede E-Mail enthält einen Link zum Abmelden.`,
      failed: 'Dieser Bestätigungslink ist ungültig oder abgelaufen. Bitte melden Sie sich erneut an.',
    },
    unsubscribe: {
      title: 'Abmelden',
      intro: (town: string) => `Möchten Sie die Nachrichten von ${town} nicht mehr erhalten?`,
      button: 'Ja, abmelden',
      done: (town: string) => `Sie sind abgemeldet und erhalten keine Nachrichten von ${town} mehr.`,
      failed: 'Dieser Abmeldelink ist ungültig.',
    },
  },
  en: {
    confirm: {
      title: 'Confirm your subscription',
      intro: (town: string) => `Please confirm that you want to receive the news of ${town} by e-mail.`,
      button: 'Yes, confirm',
      done: (town: string) => `Thank you! You will now receive the news of ${town}. Every e-mail has a link to unsubscribe.`,
      failed: 'This confirmation link is invalid or has expired. Please sign up again.',
    },
    unsubscribe: {
      title: 'Unsubscribe',
      intro: (town: string) => `Do you no longer want to receive the news of ${town}?`,
      button: 'Yes, unsubscribe',
      done: (town: string) => `You have unsubscribed and will receive no more news of ${town}.`,
      failed: 'This unsubscribe link is invalid.',
    },
  },
  'de-x-ls': {
    confirm: {
      title: 'Anmeldung bestätigen',
      intro: (town: string) => `Sie wollen die Nachrichten von ${town} per E-Mail bekommen? Dann drücken Sie bitte auf den Knopf.`,
      button: 'Ja, ich will die Nachrichten',
      done: (town: string) => `Danke! Sie bekommen jetzt die Nachrichten von ${town}. In jeder E-Mail ist ein Link. Damit können Sie sich wieder abmelden.`,
      failed: 'Der Link geht nicht mehr. Bitte melden Sie sich noch einmal an.',
    },
    unsubscribe: {
      title: 'Abmelden',
      intro: (town: string) => `Sie wollen keine Nachrichten mehr von ${town}? Dann drücken Sie bitte auf den Knopf.`,
      button: 'Ja, keine Nachrichten mehr',
      done: (town: string) => `Sie sind jetzt abgemeldet. Sie bekommen keine Nachrichten mehr von ${town}.`,
      failed: 'Der Link geht nicht.',
    },
  },
} as const satisfies Record<Locale, unknown>;

function page(locale: Locale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 1rem/1.5 system-ui, sans-serif; max-width: 36rem; margin: 0 auto; padding: 1rem; color: #1a1a1a; }
  button { font-size: 1rem; padding: .6rem 1.2rem; background: #0b5fff; color: #fff; border: 0; border-radius: .25rem; cursor: pointer; }
  button:focus-visible { outline: 3px solid #0b5fff; outline-offset: 2px; }
  [role=status] { background: #e6f4ea; color: #14532d; padding: .75rem; border-radius: .25rem; }
  [role=alert] { background: #fde8e8; color: #8a1414; padding: .75rem; border-radius: .25rem; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

/** The GET page: a question and one button; nothing happens until it is pressed. */
export function renderLinkPage(kind: LinkPageKind, model: { locale: Locale; townName: string; action: string; token: string }): string {
  const t = copy[model.locale][kind];
  return page(
    model.locale,
    t.title,
    `<p>${escapeHtml(t.intro(model.townName))}</p>
<form method="post" action="${escapeHtml(model.action)}">
  <input type="hidden" name="token" value="${escapeHtml(model.token)}">
  <input type="hidden" name="lang" value="${model.locale}">
  <button type="submit">${escapeHtml(t.button)}</button>
</form>`
  );
}

/** The answer to the button's POST. */
export function renderLinkResult(kind: LinkPageKind, model: { locale: Locale; townName: string; ok: boolean }): string {
  const t = copy[model.locale][kind];
  return page(model.locale, t.title, model.ok ? `<p role="status">${escapeHtml(t.done(model.townName))}</p>` : `<p role="alert">${escapeHtml(t.failed)}</p>`);
}

const languageCopy = {
  de: {
    title: 'Sprache wählen',
    intro: (town: string) => `In welcher Sprache möchten Sie die Nachrichten von ${town} erhalten?`,
    current: 'Ihre Sprache jetzt',
    done: 'Sie erhalten die Nachrichten ab jetzt auf Deutsch.',
    failed: 'Dieser Link ist ungültig.',
  },
  en: {
    title: 'Choose your language',
    intro: (town: string) => `In which language would you like to receive the news of ${town}?`,
    current: 'Your language now',
    done: 'From now on you will receive the news in English.',
    failed: 'This link is invalid.',
  },
  'de-x-ls': {
    title: 'Sprache wählen',
    intro: (town: string) => `Sie bekommen die Nachrichten von ${town}. In welcher Sprache wollen Sie die Nachrichten bekommen? Bitte drücken Sie auf einen Knopf.`,
    current: 'Ihre Sprache jetzt',
    done: 'Sie bekommen die Nachrichten jetzt in Leichter Sprache.',
    failed: 'Der Link geht nicht.',
  },
} as const satisfies Record<Locale, unknown>;

/**
 * The GET page behind the language link (e-mail footer, feed, WhatsApp's HELP): one button per
 * language the town offers, each a POST; nothing changes until one is pressed.
 */
export function renderLanguagePage(model: { locale: Locale; townName: string; action: string; token: string; languages: Array<{ code: Locale; name: string }>; current: Locale | null }): string {
  const t = languageCopy[model.locale];
  const buttons = model.languages
    .map(
      (language) => `<form method="post" action="${escapeHtml(model.action)}" style="margin:0 0 .75rem">
  <input type="hidden" name="token" value="${escapeHtml(model.token)}">
  <input type="hidden" name="language" value="${language.code}">
  <button type="submit" lang="${language.code}"${language.code === model.current ? ' aria-describedby="current-language"' : ''}>${escapeHtml(language.name)}</button>${
    language.code === model.current ? ` <span id="current-language">(${escapeHtml(t.current)})</span>` : ''
  }
</form>`
    )
    .join('\n');
  return page(model.locale, t.title, `<p>${escapeHtml(t.intro(model.townName))}</p>\n${buttons}`);
}

/** The answer to a language button, in the language just chosen. */
export function renderLanguageResult(model: { locale: Locale; ok: boolean }): string {
  const t = languageCopy[model.locale];
  return page(model.locale, t.title, model.ok ? `<p role="status">${escapeHtml(t.done)}</p>` : `<p role="alert">${escapeHtml(t.failed)}</p>`);
}
