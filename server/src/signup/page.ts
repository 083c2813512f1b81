/**
 * The hosted sign-up page. Rendered on the server so topics and the exact consent text are
 * there without JavaScript; the small script only submits the form and announces the result.
 */
import { ofTown, type Town } from './municipality';
import type { Language } from '../../../shared/languages';

export interface SignupPageModel {
  locale: Language;
  /** The languages the town offers, each with the link to this page in it; the current one is marked. One alone shows no choice. */
  languages?: Array<{ code: Language; name: string; href: string }>;
  town: Town;
  /** The town's own first paragraph (`signup.intro`); without it the page names the town and its topics. */
  intro?: string;
  /** Opened from a citizen's manage link in a town with several languages: the page that changes only their language. */
  languageLink?: string;
  /** `checked`: ticked in advance, when the page was opened from a "change channel or topics" link. */
  topics: Array<{ slug: string; name: string; description: string | null; checked?: boolean }>;
  /** The town's villages (Ortsteile); none: the page asks no village. `checked` as for topics. */
  villages?: Array<{ slug: string; name: string; postcode?: string; checked?: boolean }>;
  consent: { version: string; text: string; privacyPolicyUrl: string };
  channels: Array<{ id: string; label: string }>;
  scriptUrl: string;
  apiUrl: string;
  /** Opened with a valid manage token: the page submits it, and that channel's address may stay empty. */
  manage?: { token: string; channel: string };
  /** Present when the Web Push channel is enabled. */
  webpush?: { publicKey: string; serviceWorkerUrl: string; scope: string; manifestUrl: string; unsubscribeUrl: string };
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const copy = {
  de: {
    title: (ofTownPhrase: string) => `Nachrichten ${ofTownPhrase} abonnieren`,
    intro: (ofTownPhrase: string, topics: string) =>
      topics ? `Erhalten Sie Meldungen ${ofTownPhrase} – ${topics} – auf dem Weg, der Ihnen passt.` : `Erhalten Sie die Meldungen ${ofTownPhrase} auf dem Weg, der Ihnen passt.`,
    channel: 'Wie möchten Sie die Nachrichten erhalten?',
    channelHint: 'Wählen Sie einen oder mehrere Wege. Alle erhalten dieselben Meldungen zur selben Zeit.',
    phone: 'Handynummer',
    phoneHint: 'Zum Beispiel 0151 23456789',
    email: 'E-Mail-Adresse',
    emailHint: 'Sie erhalten eine E-Mail mit einem Bestätigungslink.',
    telegramHint: 'Nach dem Absenden öffnen Sie Telegram über einen Link und tippen auf „Starten“.',
    webpushHint: 'Nach dem Absenden fragt Ihr Browser, ob diese Seite Mitteilungen zeigen darf. Tippen Sie auf „Erlauben“. Sie brauchen dafür keine Telefonnummer und keine E-Mail-Adresse.',
    webpushIphone: 'Auf dem iPhone oder iPad (ab iOS 16.4): Öffnen Sie diese Seite in Safari, tippen Sie auf „Teilen“ und dann auf „Zum Home-Bildschirm“. Öffnen Sie die Seite danach über das neue Symbol auf dem Home-Bildschirm und melden Sie sich dort an.',
    webpushLeave: 'Mitteilungen abbestellen',
    name: 'Name (freiwillig)',
    topics: 'Themen',
    topicsHint: 'Ohne Auswahl erhalten Sie alle Meldungen.',
    villages: 'Ortsteile',
    villagesHint: (town: string) => `Wählen Sie Ihren Ortsteil oder mehrere. Ohne Auswahl erhalten Sie die Meldungen aller Ortsteile ${town}. Meldungen für alle Ortsteile erhalten Sie immer.`,
    consent: 'Einwilligung',
    agree: 'Ich willige ein (Text oben).',
    privacy: 'Datenschutzerklärung',
    submit: 'Anmelden',
    language: 'Sprache der Nachrichten',
    languageHint: 'Sie erhalten die Nachrichten und alle Antworten in der Sprache, in der Sie diese Seite lesen.',
    languageOnly: 'Sie sind schon angemeldet und möchten nur die Sprache ändern? Hier entlang.',
  },
  en: {
    title: (ofTownPhrase: string) => `Subscribe to the news of ${ofTownPhrase}`,
    intro: (ofTownPhrase: string, topics: string) =>
      topics ? `Get the announcements of ${ofTownPhrase} – ${topics} – the way that suits you.` : `Get the announcements of ${ofTownPhrase} the way that suits you.`,
    channel: 'How would you like to receive the news?',
    channelHint: 'Choose one or more. All of them get the same announcements at the same time.',
    phone: 'Mobile number',
    phoneHint: 'For example 0151 23456789',
    email: 'E-mail address',
    emailHint: 'You will get an e-mail with a confirmation link.',
    telegramHint: 'After sending, a link opens Telegram; tap “Start” there.',
    webpushHint: 'After sending, your browser asks whether this page may show notifications. Tap “Allow”. No phone number or e-mail address is needed.',
    webpushIphone: 'On an iPhone or iPad (iOS 16.4 or later): open this page in Safari, tap “Share”, then “Add to Home Screen”. Then open the page from the new icon on your Home Screen and subscribe there.',
    webpushLeave: 'Unsubscribe notifications',
    name: 'Name (optional)',
    topics: 'Topics',
    topicsHint: 'Choose none to receive all news.',
    villages: 'Villages',
    villagesHint: (town: string) => `Choose your village, or several. Choose none to receive the news of every village of ${town}. News for all villages always reaches you.`,
    consent: 'Consent',
    agree: 'I agree (text above).',
    privacy: 'Privacy policy',
    submit: 'Subscribe',
    language: 'Language of the news',
    languageHint: 'You receive the news and every answer in the language you read this page in.',
    languageOnly: 'Already subscribed and only want to change the language? This way.',
  },
  'de-x-ls': {
    title: (ofTownPhrase: string) => `Nachrichten ${ofTownPhrase} bekommen`,
    intro: (ofTownPhrase: string, topics: string) =>
      topics ? `Hier können Sie sich anmelden. Dann bekommen Sie die Nachrichten ${ofTownPhrase}. Zum Beispiel zu diesen Themen: ${topics}.` : `Hier können Sie sich anmelden. Dann bekommen Sie die Nachrichten ${ofTownPhrase}.`,
    channel: 'Wie wollen Sie die Nachrichten bekommen?',
    channelHint: 'Sie können einen Weg wählen. Oder mehrere Wege. Die Nachrichten sind immer gleich.',
    phone: 'Handy-Nummer',
    phoneHint: 'Zum Beispiel: 0151 23456789',
    email: 'E-Mail-Adresse',
    emailHint: 'Sie bekommen dann eine E-Mail. In der E-Mail ist ein Link. Bitte öffnen Sie den Link.',
    telegramHint: 'Sie drücken auf Anmelden. Dann kommt ein Link zu Telegram. Öffnen Sie den Link. Drücken Sie dann in Telegram auf: Starten.',
    webpushHint: 'Sie drücken auf Anmelden. Dann fragt Ihr Browser: Darf die Seite Mitteilungen zeigen? Drücken Sie dann auf: Erlauben. Sie brauchen keine Handy-Nummer. Und keine E-Mail-Adresse.',
    webpushIphone: 'Sie haben ein iPhone oder iPad? Dann öffnen Sie diese Seite in Safari. Drücken Sie auf: Teilen. Drücken Sie dann auf: Zum Home-Bildschirm. Öffnen Sie die Seite dann über das neue Bild auf dem Home-Bildschirm. Melden Sie sich dort an.',
    webpushLeave: 'Keine Mitteilungen mehr',
    name: 'Ihr Name (Sie müssen den Namen nicht sagen)',
    topics: 'Themen',
    topicsHint: 'Sie wählen kein Thema? Dann bekommen Sie alle Nachrichten.',
    consent: 'Ihre Erlaubnis',
    agree: 'Ja, ich erlaube das (der Text steht oben).',
    privacy: 'Was passiert mit meinen Daten?',
    submit: 'Anmelden',
    villages: 'Ortsteile',
    villagesHint: (town: string) => `Wo wohnen Sie? Wählen Sie Ihren Ortsteil. Sie können auch mehrere wählen. Sie wählen keinen Ortsteil? Dann bekommen Sie die Nachrichten aus allen Ortsteilen ${town}.`,
    language: 'Sprache',
    languageHint: 'Sie bekommen die Nachrichten in der Sprache von dieser Seite.',
    languageOnly: 'Sie sind schon angemeldet? Sie wollen nur eine andere Sprache? Dann klicken Sie hier.',
  },
} as const satisfies Record<Language, unknown>;

/** What the page's script says after a click, per language; handed to it in `data-say`. */
export const scriptCopy = {
  de: {
    channels: 'Bitte wählen Sie mindestens einen Weg.',
    consent: 'Bitte stimmen Sie der Einwilligung zu.',
    address: 'Bitte geben Sie eine gültige Handynummer ein.',
    email: 'Bitte geben Sie eine gültige E-Mail-Adresse ein.',
    busy: 'Zu viele Versuche. Bitte später erneut versuchen.',
    failed: 'Das hat nicht geklappt. Bitte prüfen Sie Ihre Angaben.',
    done: 'Fast geschafft!',
    whatsapp: 'Bitte bestätigen Sie Ihre Anmeldung in WhatsApp.',
    whatsappLink: 'Oder schreiben Sie uns direkt: WhatsApp öffnen',
    mail: 'Bitte bestätigen Sie Ihre Anmeldung über den Link in der E-Mail, die wir Ihnen geschickt haben.',
    telegramIntro: 'Bitte bestätigen Sie Ihre Anmeldung in Telegram:',
    telegram: 'Telegram öffnen und „Starten“ tippen',
    webpush: 'Mitteilungen in diesem Browser sind eingeschaltet.',
    webpushUnsupported: 'Dieser Browser kann keine Mitteilungen empfangen. Auf dem iPhone: erst „Zum Home-Bildschirm“ hinzufügen (siehe oben).',
    webpushDenied: 'Mitteilungen sind für diese Seite nicht erlaubt. Sie können das in den Einstellungen des Browsers ändern.',
    webpushLeft: 'Sie erhalten keine Mitteilungen mehr in diesem Browser.',
    webpushFramed: 'Browser erlauben Mitteilungen nur auf einer eigenen Seite. Bitte öffnen Sie die Anmeldung hier:',
    webpushOpen: 'Anmeldung in eigenem Fenster öffnen',
    saved: 'Ihre Änderung ist gespeichert und gilt ab sofort.',
    nothingChanged: 'Ihre Auswahl war schon so gespeichert; es hat sich nichts geändert.',
    topicsNow: 'Themen:',
    villagesNow: 'Ortsteile:',
    languageNow: 'Sprache:',
    everything: 'alle',
    manageNote: 'Sie ändern Ihre Anmeldung. Ihre Adresse müssen Sie nicht noch einmal eingeben; die Änderung gilt sofort.',
  },
  en: {
    channels: 'Please choose at least one way.',
    consent: 'Please give your consent.',
    address: 'Please enter a valid mobile number.',
    email: 'Please enter a valid e-mail address.',
    busy: 'Too many attempts. Please try again later.',
    failed: 'That did not work. Please check your details.',
    done: 'Almost done!',
    whatsapp: 'Please confirm your subscription in WhatsApp.',
    whatsappLink: 'Or write to us directly: open WhatsApp',
    mail: 'Please confirm your subscription with the link in the e-mail we sent you.',
    telegramIntro: 'Please confirm your subscription in Telegram:',
    telegram: 'Open Telegram and tap “Start”',
    webpush: 'Notifications in this browser are on.',
    webpushUnsupported: 'This browser cannot receive notifications. On an iPhone: first “Add to Home Screen” (see above).',
    webpushDenied: 'Notifications are blocked for this page. You can change that in the browser’s settings.',
    webpushLeft: 'You will get no more notifications in this browser.',
    webpushFramed: 'Browsers allow notifications only on a page of its own. Please open the sign-up here:',
    webpushOpen: 'Open the sign-up in its own window',
    saved: 'Your change is saved and takes effect at once.',
    nothingChanged: 'Your choice was saved like this already; nothing has changed.',
    topicsNow: 'Topics:',
    villagesNow: 'Villages:',
    languageNow: 'Language:',
    everything: 'all',
    manageNote: 'You are changing your subscription. You need not enter your address again; the change takes effect at once.',
  },
  'de-x-ls': {
    channels: 'Bitte wählen Sie einen Weg.',
    consent: 'Bitte setzen Sie den Haken bei: Ja, ich erlaube das.',
    address: 'Die Handy-Nummer ist falsch. Bitte prüfen Sie die Nummer.',
    email: 'Die E-Mail-Adresse ist falsch. Bitte prüfen Sie die Adresse.',
    busy: 'Sie haben es zu oft versucht. Bitte versuchen Sie es später noch einmal.',
    failed: 'Das hat nicht geklappt. Bitte prüfen Sie Ihre Angaben.',
    done: 'Fast fertig!',
    whatsapp: 'Bitte schauen Sie in WhatsApp. Dort ist eine Nachricht von uns. Bitte drücken Sie dort auf den Knopf.',
    whatsappLink: 'Oder schreiben Sie uns bei WhatsApp: WhatsApp öffnen',
    mail: 'Wir haben Ihnen eine E-Mail geschickt. In der E-Mail ist ein Link. Bitte öffnen Sie den Link.',
    telegramIntro: 'Bitte öffnen Sie Telegram:',
    telegram: 'Telegram öffnen. Dann auf „Starten“ drücken.',
    webpush: 'Sie bekommen jetzt Mitteilungen in diesem Browser.',
    webpushUnsupported: 'Dieser Browser kann keine Mitteilungen zeigen. Sie haben ein iPhone? Dann lesen Sie bitte oben: Zum Home-Bildschirm.',
    webpushDenied: 'Der Browser zeigt keine Mitteilungen von dieser Seite. Sie können das in den Einstellungen vom Browser ändern.',
    webpushLeft: 'Sie bekommen keine Mitteilungen mehr in diesem Browser.',
    webpushFramed: 'Mitteilungen gehen nur auf einer eigenen Seite. Bitte öffnen Sie die Anmeldung hier:',
    webpushOpen: 'Anmeldung in neuem Fenster öffnen',
    saved: 'Ihre Änderung ist gespeichert. Sie gilt ab jetzt.',
    nothingChanged: 'Das war schon so gespeichert. Es hat sich nichts geändert.',
    topicsNow: 'Ihre Themen sind jetzt:',
    villagesNow: 'Ihre Ortsteile sind jetzt:',
    languageNow: 'Ihre Sprache ist jetzt:',
    everything: 'alles',
    manageNote: 'Sie ändern Ihre Anmeldung. Sie müssen Ihre Adresse nicht noch einmal schreiben. Die Änderung gilt sofort.',
  },
} as const satisfies Record<Language, unknown>;

export function renderSignupPage(model: SignupPageModel): string {
  const t = copy[model.locale];
  const townPhrase = ofTown(model.town, model.locale);
  const title = t.title(townPhrase);
  const intro = model.intro ?? t.intro(townPhrase, model.topics.map((topic) => topic.name).join(', '));
  const topics = model.topics
    .map(
      (topic, index) => `
        <div class="option">
          <input type="checkbox" id="topic-${index}" name="topics" value="${escapeHtml(topic.slug)}"${topic.checked ? ' checked' : ''}${topic.description ? ` aria-describedby="topic-${index}-hint"` : ''}>
          <label for="topic-${index}">${escapeHtml(topic.name)}</label>${topic.description ? `
          <p class="hint option-hint" id="topic-${index}-hint">${escapeHtml(topic.description)}</p>` : ''}
        </div>`
    )
    .join('');
  const villageOptions = (model.villages ?? [])
    .map(
      (village, index) => `
        <div class="option">
          <input type="checkbox" id="village-${index}" name="villages" value="${escapeHtml(village.slug)}"${village.checked ? ' checked' : ''}>
          <label for="village-${index}">${escapeHtml(village.name)}${village.postcode ? ` (${escapeHtml(village.postcode)})` : ''}</label>
        </div>`
    )
    .join('');
  const villages = villageOptions
    ? `
    <fieldset aria-describedby="villages-hint">
      <legend>${escapeHtml(t.villages)}</legend>
      <p class="hint" id="villages-hint">${escapeHtml(t.villagesHint(townPhrase))}</p>
      ${villageOptions}
    </fieldset>`
    : '';
  // Every enabled channel gets the same block: a checkbox, then what that channel needs.
  const detail = (id: string) => {
    if (id === 'whatsapp') {
      return `
          <label for="address">${escapeHtml(t.phone)}</label>
          <p class="hint" id="address-hint">${escapeHtml(t.phoneHint)}</p>
          <input type="tel" id="address" name="address-whatsapp" autocomplete="tel" aria-describedby="address-hint address-error" aria-invalid="false">
          <p class="hint" id="address-error" role="alert"></p>`;
    }
    if (id === 'email') {
      return `
          <label for="address-email">${escapeHtml(t.email)}</label>
          <p class="hint" id="address-email-hint">${escapeHtml(t.emailHint)}</p>
          <input type="email" id="address-email" name="address-email" autocomplete="email" maxlength="254" aria-describedby="address-email-hint address-email-error" aria-invalid="false">
          <p class="hint" id="address-email-error" role="alert"></p>`;
    }
    if (id === 'webpush') {
      return `
          <p class="hint" id="webpush-hint">${escapeHtml(t.webpushHint)}</p>
          <p class="hint" id="webpush-iphone">${escapeHtml(t.webpushIphone)}</p>
          <p class="hint" id="webpush-error" role="alert"></p>`;
    }
    return `
          <p class="hint" id="${escapeHtml(id)}-hint">${escapeHtml(t.telegramHint)}</p>`;
  };
  // The language is chosen by reading the page in it: consent text, answers and news then match.
  const languageChoice =
    model.languages && model.languages.length > 1
      ? `<nav class="lang" aria-labelledby="lang-label"><p class="hint"><span id="lang-label">${escapeHtml(t.language)}:</span> ${model.languages
          .map((language) =>
            language.code === model.locale
              ? `<strong aria-current="page" lang="${language.code}">${escapeHtml(language.name)}</strong>`
              : `<a href="${escapeHtml(language.href)}" hreflang="${language.code}" lang="${language.code}">${escapeHtml(language.name)}</a>`
          )
          .join(' · ')}</p><p class="hint">${escapeHtml(t.languageHint)}</p>${
          model.languageLink ? `<p class="hint"><a href="${escapeHtml(model.languageLink)}" id="language-only">${escapeHtml(t.languageOnly)}</a></p>` : ''
        }</nav>`
      : '';
  const onlyOne = model.channels.length === 1;
  const channels = model.channels
    .map(
      (channel) => `
        <div class="channel">
          <div class="option">
            <input type="checkbox" id="channel-${escapeHtml(channel.id)}" name="channels" value="${escapeHtml(channel.id)}"${onlyOne || model.manage?.channel === channel.id ? ' checked' : ''}>
            <label for="channel-${escapeHtml(channel.id)}">${escapeHtml(channel.label)}</label>
          </div>
          <div class="detail">${detail(channel.id)}
          </div>
        </div>`
    )
    .join('');
  return `<!doctype html>
<html lang="${model.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>${model.webpush ? `
<link rel="manifest" href="${escapeHtml(model.webpush.manifestUrl)}">` : ''}
<style>
  /* WCAG 2.1 AA: text 4.5:1 or more, targets at least 44 × 44 px, a visible focus, nothing wider than a 320 px screen. */
  body { font: 1.0625rem/1.5 system-ui, sans-serif; max-width: 36rem; margin: 0 auto; padding: 1rem; color: #1a1a1a; }
  h1 { font-size: 1.625rem; line-height: 1.25; }
  fieldset { border: 1px solid #767676; border-radius: .5rem; margin: 0 0 1rem; padding: .5rem 1rem .75rem; min-width: 0; }
  label, legend { font-weight: 600; }
  .option { position: relative; }
  .option label { display: flex; flex-direction: column; justify-content: center; min-height: 44px; padding: .25rem 0 .25rem 2.5rem; font-weight: 400; cursor: pointer; }
  .option input[type=checkbox] { position: absolute; left: 0; top: 10px; width: 24px; height: 24px; margin: 0; accent-color: #0047cc; cursor: pointer; }
  .option-hint { margin: -.25rem 0 .5rem 2.5rem; }
  .channel { border-top: 1px solid #ddd; padding: .25rem 0; }
  .channel:first-of-type { border-top: 0; }
  .detail { margin-left: 2.5rem; }
  input[type=tel], input[type=text], input[type=email] { display: block; width: 100%; min-height: 44px; box-sizing: border-box; font-size: 1.0625rem; padding: .5rem; margin: .25rem 0 .75rem; border: 1px solid #555; border-radius: .25rem; }
  input:focus-visible, button:focus-visible, a:focus-visible, #form-status:focus { outline: 3px solid #0047cc; outline-offset: 2px; }
  .hint { color: #444; font-size: .9375rem; margin: 0; }
  .consent-text { background: #f3f3f3; padding: .75rem; border-radius: .25rem; }
  .hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
  a { color: #0047cc; }
  .lang a { display: inline-block; min-height: 44px; line-height: 44px; }
  button { font-size: 1.0625rem; min-height: 48px; width: 100%; padding: .6rem 1.2rem; background: #0047cc; color: #fff; border: 0; border-radius: .25rem; cursor: pointer; }
  [role=alert], [role=status] { border-radius: .25rem; }
  [role=alert]:not(:empty), [role=status]:not(:empty) { margin: 1rem 0; padding: .75rem; }
  [role=alert]:not(:empty) { background: #fde8e8; color: #8a1414; }
  [role=status]:not(:empty) { background: #e6f4ea; color: #14532d; }
  #form-status a { color: #14532d; font-weight: 600; }
  button.secondary { background: #fff; color: #0047cc; border: 2px solid #0047cc; }
  @media (min-width: 40rem) { button { width: auto; } }
</style>
</head>
<body>
<main>
  <h1>${escapeHtml(title)}</h1>
  <div id="form-status" role="status" aria-live="polite" tabindex="-1"></div>
  <p id="intro">${escapeHtml(intro)}</p>${model.manage ? `
  <p id="manage-note">${escapeHtml(scriptCopy[model.locale].manageNote)}</p>` : ''}
  ${languageChoice}
  <form id="town-crier-signup" novalidate data-api="${escapeHtml(model.apiUrl)}" data-locale="${model.locale}" data-say="${escapeHtml(JSON.stringify(scriptCopy[model.locale]))}" data-consent-version="${escapeHtml(model.consent.version)}"${model.manage ? ` data-manage="${escapeHtml(model.manage.token)}" data-manage-channel="${escapeHtml(model.manage.channel)}"` : ''}${
    model.webpush
      ? ` data-push-key="${escapeHtml(model.webpush.publicKey)}" data-push-worker="${escapeHtml(model.webpush.serviceWorkerUrl)}" data-push-scope="${escapeHtml(model.webpush.scope)}" data-push-unsubscribe="${escapeHtml(model.webpush.unsubscribeUrl)}"`
      : ''
  }>
    <fieldset aria-describedby="channels-hint">
      <legend>${escapeHtml(t.channel)}</legend>
      <p class="hint" id="channels-hint">${escapeHtml(t.channelHint)}</p>
      ${channels}
      <p class="hint" id="channels-error" role="alert"></p>
    </fieldset>
    <label for="name">${escapeHtml(t.name)}</label>
    <input type="text" id="name" name="name" autocomplete="name" maxlength="100">
    <fieldset aria-describedby="topics-hint">
      <legend>${escapeHtml(t.topics)}</legend>
      <p class="hint" id="topics-hint">${escapeHtml(t.topicsHint)}</p>
      ${topics}
    </fieldset>${villages}
    <fieldset>
      <legend>${escapeHtml(t.consent)}</legend>
      <p class="consent-text" id="consent-text">${escapeHtml(model.consent.text)}</p>
      <p><a href="${escapeHtml(model.consent.privacyPolicyUrl)}" target="_blank" rel="noopener">${escapeHtml(t.privacy)}</a></p>
      <div class="option">
        <input type="checkbox" id="consent" name="consent" required aria-describedby="consent-text consent-error">
        <label for="consent">${escapeHtml(t.agree)}</label>
      </div>
      <p class="hint" id="consent-error" role="alert"></p>
    </fieldset>
    <div class="hp" aria-hidden="true"><label for="website">Website</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
    <button type="submit">${escapeHtml(t.submit)}</button>
    <div id="form-error" role="alert"></div>
  </form>${model.webpush ? `
  <p><button type="button" id="webpush-leave" class="secondary" hidden>${escapeHtml(t.webpushLeave)}</button></p>` : ''}
</main>
<script src="${escapeHtml(model.scriptUrl)}" defer></script>
</body>
</html>`;
}

