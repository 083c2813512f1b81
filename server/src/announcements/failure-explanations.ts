import type { ErrorClass } from '../channels/channel';

/**
 * Plain-words explanations of delivery failures for the broadcast monitor: what happened and
 * what, if anything, the town can do. Keyed by channel, then by the code the adapter stored.
 */
const WHATSAPP: Record<string, string> = {
  '131026': 'The number cannot receive WhatsApp messages (no WhatsApp account, an old app version, or the person blocked the town).',
  '131050': 'The person has stopped marketing messages from the town in WhatsApp; they receive nothing more until they allow them again.',
  '131049': 'WhatsApp held the message back because this person already got many business messages recently; it is tried again after 24 hours.',
  '130472': 'WhatsApp held the message back for this person as part of an experiment by Meta; nothing the town can change. Their WhatsApp is marked unreachable, so later news is not tried there.',
  'marketing-cap-reached': 'WhatsApp held the message back several times because this person already gets many business messages (Meta’s marketing limit); it was tried again after each 24-hour wait and has now been given up. The news stays on the website and in the other channels.',
  '131047': 'More than 24 hours have passed since the person last wrote, so only an approved template may be sent.',
  '131021': 'The message was addressed to the town’s own number.',
  '131030': 'The number is not on the test list of the WhatsApp test account; add it in Meta’s app dashboard or use the real business number.',
  '131008': 'A required part of the message was missing; check the template settings.',
  '131009': 'A value in the message was not accepted; check the template settings.',
  '100': 'WhatsApp rejected a parameter of the message.',
  '131053': 'An attachment could not be uploaded.',
  '132000': 'The number of values does not match the template; check the body parameters in the plugin settings.',
  '132001': 'The template does not exist under this name and language, or is not approved yet.',
  '132005': 'The text is too long for the template after filling in the values.',
  '132007': 'The template content breaks a WhatsApp policy.',
  '132012': 'A value does not have the format the template expects.',
  '132015': 'The template is paused by WhatsApp because of low quality; it is tried again later.',
  '132016': 'The template was disabled by WhatsApp because of low quality.',
  '131056': 'Too many messages to the same number in a short time; it is tried again in a few seconds.',
  '130429': 'The WhatsApp sending rate was exceeded; it is tried again.',
  '131000': 'An unknown error at WhatsApp; it is tried again.',
  '131016': 'WhatsApp was temporarily unavailable; it is tried again.',
  '190': 'The access token has expired or was revoked: nothing is sent until an administrator sets a new one.',
  '131031': 'The WhatsApp business account is locked: nothing is sent until Meta unlocks it.',
  '131042': 'A payment problem with the WhatsApp business account: nothing is sent until it is solved in Meta’s business manager.',
  '368': 'The account is temporarily blocked for breaking WhatsApp policies.',
  timeout: 'WhatsApp did not answer in time after the message was sent; it may have arrived. The status is checked before anything is resent.',
  'no-message-id': 'WhatsApp accepted the message without confirming it; the status is checked before anything is resent.',
  'payload:url-missing': 'The announcement has no link, but the template has a link button.',
  'payload:url-prefix-mismatch': 'The announcement’s link does not start with the address configured for the template’s link button.',
  'payload:url-too-long': 'The announcement’s link is too long for the template’s link button.',
};

/** The same in German, for the German admin; tests/unit/german-ui.test.ts fails when a code lacks one. */
const WHATSAPP_DE: Record<string, string> = {
  '131026': 'Die Nummer kann keine WhatsApp-Nachrichten empfangen (kein WhatsApp-Konto, eine alte App-Version, oder die Person hat die Gemeinde blockiert).',
  '131050': 'Die Person hat Werbenachrichten der Gemeinde in WhatsApp abbestellt; sie bekommt nichts mehr, bis sie sie wieder erlaubt.',
  '131049': 'WhatsApp hat die Nachricht zurückgehalten, weil diese Person zuletzt schon viele Nachrichten von Unternehmen bekam; sie wird nach 24 Stunden erneut versucht.',
  '130472': 'WhatsApp hat die Nachricht für diese Person im Rahmen eines Experiments von Meta zurückgehalten; die Gemeinde kann daran nichts ändern. Ihr WhatsApp gilt als nicht erreichbar, spätere Meldungen werden dort nicht mehr versucht.',
  'marketing-cap-reached': 'WhatsApp hat die Nachricht mehrmals zurückgehalten, weil diese Person schon viele Nachrichten von Unternehmen bekommt (Obergrenze von Meta für Werbenachrichten); nach jeweils 24 Stunden Wartezeit wurde es erneut versucht, jetzt wurde aufgegeben. Die Meldung bleibt auf der Website und in den anderen Kanälen.',
  '131047': 'Die Person hat vor mehr als 24 Stunden zuletzt geschrieben, daher darf nur eine genehmigte Vorlage gesendet werden.',
  '131021': 'Die Nachricht war an die eigene Nummer der Gemeinde adressiert.',
  '131030': 'Die Nummer steht nicht auf der Testliste des WhatsApp-Testkontos; tragen Sie sie im App-Dashboard von Meta ein oder nutzen Sie die echte Geschäftsnummer.',
  '131008': 'Ein nötiger Teil der Nachricht fehlte; prüfen Sie die Einstellungen der Vorlage.',
  '131009': 'Ein Wert in der Nachricht wurde nicht angenommen; prüfen Sie die Einstellungen der Vorlage.',
  '100': 'WhatsApp hat einen Parameter der Nachricht abgelehnt.',
  '131053': 'Ein Anhang konnte nicht hochgeladen werden.',
  '132000': 'Die Zahl der Werte passt nicht zur Vorlage; prüfen Sie die Body-Parameter in den Plugin-Einstellungen.',
  '132001': 'Die Vorlage gibt es unter diesem Namen und dieser Sprache nicht, oder sie ist noch nicht genehmigt.',
  '132005': 'Der Text ist nach dem Einsetzen der Werte zu lang für die Vorlage.',
  '132007': 'Der Inhalt der Vorlage verstößt gegen eine Richtlinie von WhatsApp.',
  '132012': 'Ein Wert hat nicht das Format, das die Vorlage erwartet.',
  '132015': 'WhatsApp hat die Vorlage wegen geringer Qualität pausiert; sie wird später erneut versucht.',
  '132016': 'WhatsApp hat die Vorlage wegen geringer Qualität deaktiviert.',
  '131056': 'Zu viele Nachrichten an dieselbe Nummer in kurzer Zeit; sie wird in einigen Sekunden erneut versucht.',
  '130429': 'Die Senderate von WhatsApp wurde überschritten; es wird erneut versucht.',
  '131000': 'Ein unbekannter Fehler bei WhatsApp; es wird erneut versucht.',
  '131016': 'WhatsApp war vorübergehend nicht erreichbar; es wird erneut versucht.',
  '190': 'Das Zugriffstoken ist abgelaufen oder wurde widerrufen: Nichts wird gesendet, bis eine Administratorin ein neues einträgt.',
  '131031': 'Das WhatsApp-Geschäftskonto ist gesperrt: Nichts wird gesendet, bis Meta es entsperrt.',
  '131042': 'Ein Zahlungsproblem beim WhatsApp-Geschäftskonto: Nichts wird gesendet, bis es im Business Manager von Meta gelöst ist.',
  '368': 'Das Konto ist wegen Verstößen gegen Richtlinien von WhatsApp vorübergehend gesperrt.',
  timeout: 'WhatsApp hat nach dem Senden nicht rechtzeitig geantwortet; die Nachricht kann angekommen sein. Vor einem erneuten Senden wird der Status geprüft.',
  'no-message-id': 'WhatsApp hat die Nachricht ohne Bestätigung angenommen; vor einem erneuten Senden wird der Status geprüft.',
  'payload:url-missing': 'Die Meldung hat keinen Link, aber die Vorlage hat einen Link-Knopf.',
  'payload:url-prefix-mismatch': 'Der Link der Meldung beginnt nicht mit der Adresse, die für den Link-Knopf der Vorlage eingetragen ist.',
  'payload:url-too-long': 'Der Link der Meldung ist zu lang für den Link-Knopf der Vorlage.',
};

const BY_CHANNEL: Record<string, Record<string, string>> = { whatsapp: WHATSAPP };
const BY_CHANNEL_DE: Record<string, Record<string, string>> = { whatsapp: WHATSAPP_DE };

const BY_CLASS_DE: Record<ErrorClass, string> = {
  retry: 'Ein vorübergehendes Problem; die Nachricht wurde erneut versucht, bis die Versuche aufgebraucht waren. „Fehlgeschlagene erneut senden“ versucht es noch einmal.',
  'retry-later': 'Eine vorübergehende Grenze; die Nachricht wartet und wird später erneut versucht.',
  'permanent-recipient': 'Diese Person kann diese Nachricht nicht empfangen; erneutes Senden hilft nicht.',
  'permanent-announcement': 'Die Nachricht selbst wurde abgelehnt, also würde jeder Empfänger gleich scheitern; prüfen Sie die Vorlage und die Meldung.',
  'fatal-channel': 'Das Konto oder die Einstellungen des Kanals sind defekt; der Versand ist angehalten, bis eine Administratorin das behebt und fortsetzt.',
};

const BY_CLASS: Record<ErrorClass, string> = {
  retry: 'A temporary problem; the message was retried until the attempts ran out. "Retry failed" tries again.',
  'retry-later': 'A temporary limit; the message waits and is tried again later.',
  'permanent-recipient': 'This person cannot receive this message; retrying does not help.',
  'permanent-announcement': 'The message itself was rejected, so every recipient would fail alike; check the template and the announcement.',
  'fatal-channel': 'The channel’s account or settings are broken; sending stopped until an administrator fixes it and resumes.',
};

export function explainFailure(channel: string, code: string | null, errorClass: string | null, locale: 'de' | 'en' = 'en'): string {
  const known = code ? (locale === 'de' ? BY_CHANNEL_DE : BY_CHANNEL)[channel]?.[code] : undefined;
  if (known) return known;
  if (code?.startsWith('http-')) {
    return locale === 'de'
      ? `Der Anbieter hat mit HTTP ${code.slice(5)} ohne Fehlercode geantwortet; prüfen Sie die API-Adresse in den Kanaleinstellungen.`
      : `The provider answered HTTP ${code.slice(5)} without an error code; check the API address in the channel settings.`;
  }
  if (locale === 'de') return BY_CLASS_DE[errorClass as ErrorClass] ?? 'Die Nachricht konnte nicht zugestellt werden.';
  return BY_CLASS[errorClass as ErrorClass] ?? 'The message could not be delivered.';
}

/** Both languages, for the admin to show the one it speaks; `explanation` stays the English one. */
export function explainFailureInBoth(channel: string, code: string | null, errorClass: string | null) {
  return { en: explainFailure(channel, code, errorClass, 'en'), de: explainFailure(channel, code, errorClass, 'de') };
}

/** The codes with their own explanation, per channel and language (for the translation test). */
export const EXPLAINED_CODES = { en: BY_CHANNEL, de: BY_CHANNEL_DE };
