import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * A real SMTP server for the e-mail channel's tests: Strapi's email plugin (nodemailer
 * provider) connects to it over TCP, and every accepted mail is parsed with mailparser so
 * tests read what a mailbox would show. Recipients can be scripted to be refused with any
 * SMTP reply code at RCPT TO.
 */

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  parsed: ParsedMail;
  /** Header lines as sent, lower-cased names. */
  headers: Map<string, string>;
}

export interface TestSmtpServer {
  port: number;
  mails: ReceivedMail[];
  /** Mails whose envelope went to `address`. */
  mailsTo(address: string): ReceivedMail[];
  /** Refuses the next `times` RCPT TO for `address` with `code` (e.g. 550, 451). */
  rejectRecipient(address: string, code: number, message?: string, times?: number): void;
  /** How many RCPT TO commands named `address`, accepted or not. */
  rcptAttempts(address: string): number;
  reset(): void;
  close(): Promise<void>;
}

interface Rejection {
  address: string;
  code: number;
  message: string;
  remaining: number;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const rejections: Rejection[] = [];
  const attempts = new Map<string, number>();
  const pending: Array<Promise<void>> = [];

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const to = address.address.toLowerCase();
      attempts.set(to, (attempts.get(to) ?? 0) + 1);
      const rule = rejections.find((candidate) => candidate.address === to && candidate.remaining > 0);
      if (rule) {
        rule.remaining -= 1;
        const error = new Error(rule.message) as Error & { responseCode: number };
        error.responseCode = rule.code;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const work = simpleParser(raw).then((parsed) => {
          const headers = new Map<string, string>();
          for (const line of parsed.headerLines) headers.set(line.key.toLowerCase(), line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim());
          mails.push({
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
            parsed,
            headers,
          });
        });
        pending.push(work);
        work.then(() => callback(), (error: Error) => callback(error));
      });
    },
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    mails,
    mailsTo: (address) => mails.filter((mail) => mail.envelopeTo.includes(address.toLowerCase())),
    rejectRecipient(address, code, message = code >= 500 ? 'No such user here' : 'Try again later', times = 1) {
      rejections.push({ address: address.toLowerCase(), code, message, remaining: times });
    },
    rcptAttempts: (address) => attempts.get(address.toLowerCase()) ?? 0,
    reset() {
      mails.length = 0;
      rejections.length = 0;
      attempts.clear();
    },
    async close() {
      await Promise.allSettled(pending);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
