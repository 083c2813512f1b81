import { describe, expect, it } from 'vitest';
import { classifyEmailError, createEmailChannel, type MailOptions } from '../../server/src/channels/email';
import { announcementMail } from '../../server/src/channels/email/email.content';
import { parsePluginConfig } from '../../server/src/config';
import { normaliseEmailAddress } from '../../server/src/subscribers/email-address';

/** Shaped like nodemailer's SMTP errors: `code`, `responseCode`, `command`, `response`. */
const smtpError = (responseCode: number, command: string, code = command === 'RCPT TO' ? 'EENVELOPE' : 'EPROTOCOL') =>
  Object.assign(new Error(`Can't send mail - all recipients were rejected: ${responseCode} <anna@example.org>: rejected`), { code, responseCode, command, response: `${responseCode} rejected` });

const links = {
  confirm: (token: string) => `https://rathaus.test/api/town-crier/subscriptions/confirm?token=${token}`,
  unsubscribe: (token: string) => `https://rathaus.test/api/town-crier/subscriptions/unsubscribe?token=${token}`,
  signup: () => 'https://rathaus.test/api/town-crier/signup',
  manage: (token: string) => `https://rathaus.test/api/town-crier/signup?keep=${token}`,
};

const content = { title: 'Hauptstraße gesperrt', text: 'Ab Montag.\n\nUmleitung.', url: 'https://musterstadt.de/news/1', urgency: 'emergency' as const, topicNames: ['Verkehr'], townName: 'Musterstadt' };

describe('e-mail error classification', () => {
  it.each([
    ['a greylisting 451 at RCPT TO', smtpError(451, 'RCPT TO'), 'retry', 'smtp-451', undefined],
    ['a 421 service closing', smtpError(421, 'CONN', 'ECONNECTION'), 'retry', 'smtp-421', undefined],
    ['a 550 unknown user', smtpError(550, 'RCPT TO'), 'permanent-recipient', 'smtp-550', 'undeliverable'],
    ['a 553 bad mailbox name', smtpError(553, 'RCPT TO'), 'permanent-recipient', 'smtp-553', 'undeliverable'],
    ['a 552 full mailbox', smtpError(552, 'RCPT TO'), 'permanent-recipient', 'smtp-552', undefined],
    ['a 554 content rejection after DATA', smtpError(554, 'DATA', 'EMESSAGE'), 'permanent-recipient', 'smtp-554', undefined],
    ['a 550 refusing our sender at MAIL FROM', smtpError(550, 'MAIL FROM'), 'fatal-channel', 'smtp-550', undefined],
    ['a 535 bad credentials', smtpError(535, 'AUTH PLAIN', 'EAUTH'), 'fatal-channel', 'smtp-535', undefined],
    ['EAUTH without a reply code', Object.assign(new Error('Missing credentials'), { code: 'EAUTH' }), 'fatal-channel', 'EAUTH', undefined],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }), 'retry', 'ESOCKET', undefined],
    ['a greeting timeout', Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' }), 'retry', 'ETIMEDOUT', undefined],
    ['an API provider 401', Object.assign(new Error('Unauthorized'), { statusCode: 401 }), 'fatal-channel', 'http-401', undefined],
    ['an API provider 429', Object.assign(new Error('Too many'), { response: { status: 429 } }), 'retry', 'http-429', undefined],
    ['an API provider 400', Object.assign(new Error('Bad recipient'), { status: 400 }), 'permanent-recipient', 'http-400', undefined],
    ['something unknown', new Error('boom'), 'retry', 'unknown', undefined],
  ])('classifies %s', (_label, error, errorClass, code, recipientEffect) => {
    const classified = classifyEmailError(error);
    expect(classified).toMatchObject({ errorClass, code });
    expect(classified.recipientEffect).toBe(recipientEffect);
  });

  it('never repeats the recipient address in the message', () => {
    expect(classifyEmailError(smtpError(550, 'RCPT TO')).message).not.toContain('anna@example.org');
  });
});

describe('e-mail content and headers', () => {
  it('sends both versions, the unsubscribe link and RFC 8058 headers through the host email service', async () => {
    const sent: MailOptions[] = [];
    const config = parsePluginConfig({ channels: { email: { enabled: true, from: 'Rathaus <news@musterstadt.de>', replyTo: 'buergerbuero@musterstadt.de' } } }).channels.email;
    const channel = createEmailChannel({
      config,
      townName: 'Musterstadt',
      links,
      sandbox: false,
      sandboxRecorder: async () => 'never',
      sendMail: async (options) => {
        sent.push(options);
        return { messageId: '<abc@musterstadt.de>' };
      },
    });
    const result = await channel.send({ kind: 'announcement', to: 'anna@example.org', deliveryRef: 'd:1', content, unsubscribeToken: '7.mac', manageToken: '7.other' });
    expect(result).toEqual({ providerMessageId: '<abc@musterstadt.de>' });
    const [mail] = sent;
    expect(mail).toMatchObject({ from: 'Rathaus <news@musterstadt.de>', to: 'anna@example.org', replyTo: 'buergerbuero@musterstadt.de', subject: 'Eilmeldung: Hauptstraße gesperrt' });
    expect(mail.headers).toEqual({
      'List-Unsubscribe': '<https://rathaus.test/api/town-crier/subscriptions/unsubscribe?token=7.mac>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    });
    // Derived from the delivery, so a resend carries the same id and a follow-up can name it.
    expect(mail.messageId).toMatch(/^<town-crier\.1\.[0-9a-f]{16}@musterstadt\.de>$/);
    await channel.send({ kind: 'announcement', to: 'anna@example.org', deliveryRef: 'd:1', content });
    expect(sent[1].messageId).toBe(mail.messageId);
    await channel.send({ kind: 'announcement', to: 'anna@example.org', deliveryRef: 'd:2', content });
    expect(sent[2].messageId).not.toBe(mail.messageId);
    expect(mail.text).toContain('Abmelden: https://rathaus.test/api/town-crier/subscriptions/unsubscribe?token=7.mac');
    expect(mail.html).toContain('<a href="https://rathaus.test/api/town-crier/subscriptions/unsubscribe?token=7.mac"');
  });

  it('threads a follow-up under the earlier mails of its thread and names the news it follows up', async () => {
    const sent: MailOptions[] = [];
    const config = parsePluginConfig({ channels: { email: { enabled: true, from: 'Rathaus <news@musterstadt.de>' } } }).channels.email;
    const channel = createEmailChannel({ config, townName: 'Musterstadt', links, sandbox: false, sandboxRecorder: async () => 'never', sendMail: async (options) => void sent.push(options) });
    const allClear = { ...content, title: 'Sturm vorüber', url: 'https://musterstadt.de/news/2', followUp: { kind: 'all-clear' as const, originalTitle: 'Sturmwarnung', originalUrl: 'https://musterstadt.de/news/1' } };
    await channel.send({ kind: 'announcement', to: 'anna@example.org', deliveryRef: 'd:9', content: allClear, threadMessageIds: ['<town-crier.1.a@musterstadt.de>', '<town-crier.5.b@musterstadt.de>', 'kein-message-id'] });
    const [mail] = sent;
    expect(mail.headers['In-Reply-To']).toBe('<town-crier.5.b@musterstadt.de>');
    expect(mail.headers.References).toBe('<town-crier.1.a@musterstadt.de> <town-crier.5.b@musterstadt.de>');
    // An all-clear names itself instead of repeating the warning's "Eilmeldung".
    expect(mail.subject).toBe('Entwarnung: Sturmwarnung – Sturm vorüber');
    expect(mail.text).toContain('Die ursprüngliche Meldung: https://musterstadt.de/news/1');
    const update = announcementMail({ ...allClear, followUp: { ...allClear.followUp, kind: 'update' } }, { unsubscribeUrl: null }, 'en');
    expect(update.subject).toBe('Emergency: Update on: Sturmwarnung – Sturm vorüber');
    // Ordinary news has no thread headers.
    await channel.send({ kind: 'announcement', to: 'anna@example.org', deliveryRef: 'd:10', content });
    expect(sent[1].headers['In-Reply-To']).toBeUndefined();
  });

  it('escapes everything an editor writes in the HTML version', () => {
    const mail = announcementMail({ ...content, title: '<script>x</script>', text: 'a & b' }, { unsubscribeUrl: null }, 'en');
    expect(mail.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('a &amp; b');
    expect(mail.subject).toBe('Emergency: <script>x</script>');
  });

  it('records instead of sending in sandbox mode', async () => {
    const recorded: unknown[] = [];
    const channel = createEmailChannel({
      config: parsePluginConfig({ channels: { email: { enabled: true } } }).channels.email,
      townName: 'Musterstadt',
      links,
      sandbox: true,
      sandboxRecorder: async (entry) => {
        recorded.push(entry);
        return 'sandbox.1';
      },
      sendMail: async () => {
        throw new Error('must not send');
      },
    });
    expect(channel.mode).toBe('sandbox');
    expect(await channel.send({ kind: 'confirmation', to: 'anna@example.org', token: 'tok123456', townName: 'Musterstadt' })).toEqual({ providerMessageId: 'sandbox.1' });
    expect(JSON.stringify(recorded)).toContain('subscriptions/confirm?token=tok123456');
  });
});

describe('e-mail address normalisation', () => {
  it.each([
    [' Anna.Muster@Example.ORG ', 'anna.muster@example.org'],
    ['aNNa.muster@example.org', 'anna.muster@example.org'],
    ['anna@example.org', 'anna@example.org'],
    ['anna@@example.org', null],
    ['anna@example', null],
    ['no-at-sign.example.org', null],
    [`${'a'.repeat(250)}@example.org`, null],
  ])('%s → %s', (input, expected) => {
    expect(normaliseEmailAddress(input)).toBe(expected);
  });
});
