import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { announcementFor, publishArticle, seedSubscriber, seedTopics } from '../support/seed';
import { failedJobs, queuesSettled, redisContents } from '../support/redis-scan';

/**
 * Issue #24, finding 4: an SMTP server refusing a recipient quotes the address in its reply
 * ("450 4.1.2 <anna@…>: Recipient address rejected"). Nothing of it may reach a log line (of
 * any level) or bull's failed jobs (`failedReason`, `stacktrace`) in Redis.
 */

const LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly', 'log'] as const;

describe('masked errors', () => {
  let test: TestStrapi;
  let smtp: TestSmtpServer;
  const logged: string[] = [];

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    test = await bootStrapi({
      pluginConfig: {
        channels: { whatsapp: { enabled: false }, email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>' } },
        broadcast: { maxAttempts: 2, retryBaseDelayMs: 50 },
      },
    });
    const log = test.strapi.log as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const level of LEVELS) {
      const original = log[level];
      if (typeof original !== 'function') continue;
      log[level] = (...args: unknown[]) => {
        logged.push(args.map((arg) => (arg instanceof Error ? `${arg.message}\n${arg.stack}` : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
        return original.apply(test.strapi.log, args);
      };
    }
  });
  afterAll(async () => {
    await test?.close();
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });

  it('keeps the refused address out of every log level and every failed job', async () => {
    const consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version as string;
    const topics = await seedTopics(test, [['Verkehr', 'verkehr']]);
    const refused = ['anna.schmidt@example.org', 'bernd.brief@example.org'];
    for (const address of refused) smtp.rejectRecipient(address, 450, `4.1.2 <${address}>: Recipient address rejected`, 100);

    // A confirmation mail (message job) and an announcement (delivery job), both refused.
    expect((await test.request.post('/api/town-crier/subscriptions').send({ channel: 'email', address: refused[0], topics: ['verkehr'], consent: { accepted: true, version: consentVersion } })).status).toBe(202);
    await seedSubscriber(test, refused[1], { channel: 'email', topics: [topics.verkehr] });
    const article = await publishArticle(test, { title: 'Baustelle Hauptstraße', topic: 'verkehr' });

    await eventually(async () => smtp.rcptAttempts(refused[0]) >= 2 && smtp.rcptAttempts(refused[1]) >= 2, { timeoutMs: 60_000 });
    await eventually(async () => {
      const announcement = await announcementFor(test, article);
      return announcement && ['sent', 'failed', 'paused'].includes(announcement.broadcastStatus) && (await queuesSettled(test.prefix));
    }, { timeoutMs: 60_000 });

    // Failed attempts keep their reason and stack on the job (bull), finally failed or not.
    const redis = (await redisContents(test.prefix)).map((entry) => entry.text).join('\n');
    expect(redis).toMatch(/failedReason\n[^\n]*Recipient address rejected/);
    const failed = await failedJobs(test.prefix, 'email');
    expect(failed.map((job) => job.failedReason ?? '').join('\n')).not.toMatch(/@example\.org/);
    expect(logged.some((line) => /Recipient address rejected|smtp-450/.test(line))).toBe(true);
    for (const address of refused) {
      const local = address.split('@')[0];
      expect(redis).not.toContain(local);
      expect(logged.filter((line) => line.includes(local))).toEqual([]);
    }
  }, 120_000);
});
