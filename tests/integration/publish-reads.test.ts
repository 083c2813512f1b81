import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, type TestStrapi } from '../support/strapi';
import type { FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp } from '../support/whatsapp';

const ANNOUNCEMENT = 'plugin::town-crier.announcement';

/**
 * A publish reads its announcement's row as often as it needs it, not once more per step: the
 * dispatch start hands the row it read to four-eyes approval, whose WhatsApp budget verdict
 * (`budget.verdictForRow`) works on it; carrying out the intent reads the row once for "is it
 * hand-written?" and the audit's facts together. Counted as the SELECTs the database receives.
 */
describe('a publish reads its announcement once per need', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let reads: string[] | null = null;
  /** Reads of this announcement only: a reconcile or another job at the same moment is not the publish's. */
  let watched = '';
  const table = () => test.strapi.db.metadata.get(ANNOUNCEMENT).tableName;
  const countReads = async (documentId: string, work: () => Promise<unknown>) => {
    watched = documentId;
    reads = [];
    try {
      await work();
      return reads;
    } finally {
      reads = null;
    }
  };

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const config = whatsapp.config as { channels: { whatsapp: Record<string, unknown> } };
    // A budget: approval asks the budget's verdict for a broadcast that goes out on WhatsApp.
    config.channels.whatsapp.budget = { amountPerMonth: 1000, currency: 'EUR', thresholds: [] };
    test = await bootStrapi({ pluginConfig: config });
    const announcementFrom = new RegExp(`^select .* from [\`"]${table()}[\`"] as`, 'i');
    test.strapi.db.connection.on('query', (query: { sql?: string; bindings?: unknown[] }) => {
      if (reads && query.sql && announcementFrom.test(query.sql) && query.bindings?.includes(watched)) reads.push(query.sql);
    });
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('the start reads the announcement for itself and for approval once, and carrying out the intent once more', async () => {
    const title = 'Einmal gelesen';
    // Published straight to the table, so no publish has started it: the start below is the first.
    // Its send time tomorrow: the fan-out waits for it, so no job reads it while the reads are counted.
    const sendAt = new Date(Date.now() + 86_400_000);
    const created = (await test.strapi.db.query(ANNOUNCEMENT).create({ data: { title, text: title, channels: ['whatsapp'], sendAt, publishedAt: new Date() } })) as { documentId: string };
    const dispatch = test.strapi.plugin('town-crier').service('dispatch') as { start(documentId: string): Promise<void> };
    // The start's reads: the announcement (with its topics), and the status a broadcast from before runs would have had.
    expect(await countReads(created.documentId, () => dispatch.start(created.documentId))).toHaveLength(2);

    const other = (await test.strapi.db.query(ANNOUNCEMENT).create({ data: { title: `${title} 2`, text: title, channels: ['whatsapp'], sendAt, publishedAt: new Date() } })) as { documentId: string };
    const outbox = test.strapi.plugin('town-crier').service('publish-outbox') as {
      broadcastOf(intent: { id: number; sourceUid: string; entryDocumentId: string; entryLocale: null; attempts: number; leaseUntil: null; actor: null; publishedBy: null }): Promise<void>;
    };
    const intent = { id: 0, sourceUid: ANNOUNCEMENT, entryDocumentId: other.documentId, entryLocale: null, attempts: 0, leaseUntil: null, actor: null, publishedBy: null };
    // The start's two; one for whether it is hand-written and what the audit's "published" says; the audit's own read of the title.
    const carried = await countReads(other.documentId, () => outbox.broadcastOf(intent));
    expect(carried, carried.join('\n')).toHaveLength(4);
  });
});
