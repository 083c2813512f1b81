import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { inboundTextWebhook, statusWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

/** Meta says in every `sent` (and one `delivered`/`read`) status what it charges; the admin sees the sum. */
describe('WhatsApp cost from status webhooks', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let token: string;
  const numbers = ['+4915100000001', '+4915100000002', '+4915100000003', '+4915100000004'];

  const get = (path: string) => test.request.get(`/town-crier${path}`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const config = whatsapp.config as { channels: { whatsapp: Record<string, unknown> } };
    config.channels.whatsapp.costs = { ratePerMessage: { marketing: 0.12, utility: 0.05, service: 0 }, ratesAsOf: '2026-10-01', ratesSource: 'test rate card' };
    test = await bootStrapi({ pluginConfig: config });
    const topics = await seedTopics(test, [['Verkehr', 'verkehr']]);
    for (const number of numbers) await seedSubscriber(test, number, { topics: [topics.verkehr] });
    token = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  it('records pricing per delivery and shows billable messages and cost by category for the broadcast and the month', async () => {
    const articleId = await publishArticle(test, { title: 'Wasserrohrbruch', topic: 'verkehr' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.broadcastStatus === 'sent' && row;
    });
    const deliveries = await deliveriesOf(test, announcement.documentId);
    expect(deliveries).toHaveLength(4);
    const [a, b, c, d] = deliveries;
    const status = (row: (typeof deliveries)[number], value: 'sent' | 'delivered' | 'read', pricing: Record<string, unknown> | null, recipient: string) => ({
      id: row.providerMessageId as string,
      status: value,
      recipientDigits: recipient,
      deliveryRef: `d:${row.id}`,
      pricing,
    });
    await postWebhook(
      test,
      statusWebhook([
        status(a, 'sent', { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' }, numbers[0]),
        status(a, 'read', null, numbers[0]),
        status(b, 'sent', { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' }, numbers[1]),
        // Delivered inside the citizen's open window: not charged (Meta: `free_customer_service`).
        status(c, 'sent', { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'utility' }, numbers[2]),
        // A category the town's table has no rate for: counted, shown as unpriced, not guessed.
        status(d, 'sent', { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing_lite' }, numbers[3]),
      ])
    );
    // A later webhook proves the statuses were processed.
    await postWebhook(test, inboundTextWebhook('4915199999999', 'HILFE'));
    await eventually(async () => sentTo(fake, '+4915199999999').length > 0);
    const recorded = await eventually(async () => {
      const rows = await deliveriesOf(test, announcement.documentId);
      return rows.every((row) => row.billable !== null && row.billable !== undefined) && rows;
    });
    expect(recorded.map((row) => row.pricingCategory)).toEqual(['marketing', 'marketing', 'utility', 'marketing_lite']);

    const detail = await get(`/broadcasts/${announcement.documentId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.data.cost).toEqual({
      currency: 'EUR',
      billableMessages: 3,
      cost: 0.24,
      byCategory: [
        { category: 'marketing', messages: 2, ratePerMessage: 0.12, cost: 0.24 },
        { category: 'marketing_lite', messages: 1, ratePerMessage: null, cost: null },
      ],
      unpricedMessages: 1,
      ratesAsOf: '2026-10-01',
      ratesSource: 'test rate card',
    });

    const overview = await get('/stats/overview');
    expect(overview.status).toBe(200);
    const months = overview.body.data.costPerMonth as Array<{ month: string; billableMessages: number; cost: number }>;
    expect(months).toHaveLength(12);
    expect(months.at(-1)).toMatchObject({ billableMessages: 3, cost: 0.24 });
    expect(months.slice(0, -1).every((month) => month.billableMessages === 0)).toBe(true);
    expect(months.at(-1)!.month).toMatch(/^\d{4}-\d{2}$/);
  });
});
