import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, eventually, type TestStrapi } from '../support/strapi';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server';
import { announcementFor, publishArticle } from '../support/seed';

const CITIZENS = 300;
const BATCH_SIZE = 10;
const CONCURRENCY = 2;
const NEWCOMER = 'neu.buerger@example.org';

/**
 * The priority lane (issue 23, finding 6): one-to-one messages share the channel's queue and pace
 * with broadcasts, but go before the broadcast batches still waiting there. Accelerated: 300 e-mail
 * citizens at 40 mails/s (a broadcast of ~8 s) instead of 20,000 at 10/s (~33 minutes), through
 * the real SMTP server.
 */
describe('priority lane: a confirmation during a large broadcast', () => {
  let test: TestStrapi;
  let smtp: TestSmtpServer;
  let consentVersion: string;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    process.env.TOWN_CRIER_TEST_SMTP_PORT = String(smtp.port);
    test = await bootStrapi({
      pluginConfig: {
        channels: {
          whatsapp: { enabled: false },
          email: { enabled: true, from: 'Stadt Musterstadt <nachrichten@musterstadt.test>', messagesPerSecond: 40 },
        },
        broadcast: { deliveryBatchSize: BATCH_SIZE, deliveryConcurrency: CONCURRENCY },
      },
    });
    const knex = test.strapi.db.connection;
    const table = test.strapi.db.metadata.get('plugin::town-crier.subscriber').tableName;
    const now = test.dialect === 'sqlite' ? Date.now() : new Date();
    for (let start = 0; start < CITIZENS; start += 100) {
      await knex(table).insert(
        Array.from({ length: 100 }, (_, i) => ({
          document_id: `lane${start + i}`,
          channel: 'email',
          address: `leser${start + i}@example.org`,
          status: 'active',
          locale: 'de',
          created_at: now,
          updated_at: now,
          published_at: now,
        }))
      );
    }
    consentVersion = (await test.request.get('/api/town-crier/consent')).body.data.version;
  });
  afterAll(async () => {
    await test?.close();
    await smtp?.close();
    delete process.env.TOWN_CRIER_TEST_SMTP_PORT;
  });

  const broadcastMails = () => smtp.mails.filter((mail) => mail.envelopeTo.some((to) => to.startsWith('leser'))).length;

  it('goes out before the broadcast batches that were waiting when the citizen signed up', async () => {
    const articleId = await publishArticle(test, { title: 'Straßenfest am Marktplatz' });
    // The broadcast is under way: every batch is queued, a few have gone.
    await eventually(async () => broadcastMails() >= 40, { timeoutMs: 30_000 });

    const response = await test.request
      .post('/api/town-crier/subscriptions')
      .send({ channel: 'email', address: NEWCOMER, topics: [], consent: { accepted: true, version: consentVersion } });
    expect(response.status).toBe(202);
    const atSignup = broadcastMails();

    await eventually(async () => smtp.mailsTo(NEWCOMER)[0], { timeoutMs: 60_000 });
    const beforeConfirmation = smtp.mails.slice(0, smtp.mails.findIndex((mail) => mail.envelopeTo.includes(NEWCOMER))).length;

    // Only the batches already being sent (the workers' concurrency) may go before it, and the
    // slots they had taken on the pacing timeline: never the batches still waiting.
    expect(beforeConfirmation - atSignup).toBeLessThanOrEqual(2 * CONCURRENCY * BATCH_SIZE);
    expect(CITIZENS - beforeConfirmation).toBeGreaterThanOrEqual(100);

    // The broadcast itself still reaches everyone, once.
    await eventually(async () => (await announcementFor(test, articleId))?.broadcastStatus === 'sent', { timeoutMs: 60_000 });
    expect(broadcastMails()).toBe(CITIZENS);
    expect(smtp.mailsTo(NEWCOMER)).toHaveLength(1);
  });
});
