import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStrapi, createSuperAdmin, eventually, type TestStrapi } from '../support/strapi';
import { drained } from '../support/drained';
import { statusWebhook, type FakeCloudApi } from '../support/fake-whatsapp-cloud-api';
import { fakeWhatsapp, postWebhook, sentTo } from '../support/whatsapp';
import { announcementFor, deliveriesOf, publishArticle, seedSubscriber, seedTopics } from '../support/seed';

const SUBSCRIBER = 'plugin::town-crier.subscriber';

/**
 * Issue #14: Meta's rules for marketing templates (reference §12), with the fake Cloud API's
 * scripted errors. The 24-hour wait after 131049 is shortened to a second by config, which is the
 * only thing the town's setting changes: the count of waits is what is under test.
 */
describe('WhatsApp error policy: marketing cap, unreachable numbers', () => {
  let test: TestStrapi;
  let fake: FakeCloudApi;
  let token: string;
  const people = {
    capped: '+4915100000011',
    cappedOnce: '+4915100000012',
    experiment: '+4915100000013',
    noWhatsapp: '+4915100000014',
    fine: '+4915100000015',
  };
  const ids: Record<keyof typeof people, number> = { capped: 0, cappedOnce: 0, experiment: 0, noWhatsapp: 0, fine: 0 };
  // Citizens of the later topic only: Meta reports their failures in status webhooks, after accepting the send.
  const late = { capped: '+4915100000021', experiment: '+4915100000022', noWhatsapp: '+4915100000023' };
  const lateIds: Record<keyof typeof late, number> = { capped: 0, experiment: 0, noWhatsapp: 0 };

  beforeAll(async () => {
    const whatsapp = await fakeWhatsapp();
    fake = whatsapp.fake;
    const config = whatsapp.config as { channels: { whatsapp: Record<string, unknown> } };
    config.channels.whatsapp.marketingCapWaitSeconds = 1;
    config.channels.whatsapp.marketingCapRetries = 2;
    test = await bootStrapi({ pluginConfig: config });
    const topics = await seedTopics(test, [
      ['Verkehr', 'verkehr'],
      ['Wasser', 'wasser'],
    ]);
    for (const [name, number] of Object.entries(people) as Array<[keyof typeof people, string]>) {
      ids[name] = await seedSubscriber(test, number, { topics: [topics.verkehr] });
    }
    for (const [name, number] of Object.entries(late) as Array<[keyof typeof late, string]>) {
      lateIds[name] = await seedSubscriber(test, number, { topics: [topics.wasser] });
    }
    token = await createSuperAdmin(test);
  });
  afterAll(async () => {
    await test?.close();
    await fake?.close();
  });

  const capError = { status: 400, code: 131049, message: 'This message was not delivered to maintain healthy ecosystem engagement.' };
  const subscriber = (id: number) => test.strapi.db.query(SUBSCRIBER).findOne({ where: { id } }) as Promise<Record<string, unknown>>;

  it('131049 waits and tries again at most marketingCapRetries times, then ends as marketing-cap-reached; 130472 and 131026 mark the number unreachable', async () => {
    // Exactly the three tries the policy allows: more would show up as extra sends below.
    fake.failNext(people.capped, capError, 3);
    fake.failNext(people.cappedOnce, capError, 1);
    fake.failNext(people.experiment, { status: 400, code: 130472, message: "User's number is part of an experiment" });
    fake.failNext(people.noWhatsapp, { status: 400, code: 131026, message: 'Message undeliverable' });

    const articleId = await publishArticle(test, { title: 'Sperrung Hauptstraße', topic: 'verkehr' });
    const announcement = await eventually(
      async () => {
        const row = await announcementFor(test, articleId);
        return row && ['sent', 'failed'].includes(row.broadcastStatus) && row;
      },
      { timeoutMs: 30_000 }
    );
    expect(announcement.broadcastStatus).toBe('sent');
    const rows = await deliveriesOf(test, announcement.documentId);
    const bySubscriber = new Map(rows.map((row) => [row.subscriberId, row]));

    // The first send and two more after a wait each: three tries, then no more.
    expect(sentTo(fake, people.capped)).toHaveLength(3);
    expect(bySubscriber.get(ids.capped)).toMatchObject({ status: 'failed', lastErrorCode: 'marketing-cap-reached', lastErrorClass: 'permanent-recipient', limitedHolds: 2 });
    // A wait that helped: sent on the second try, one wait counted.
    expect(sentTo(fake, people.cappedOnce)).toHaveLength(2);
    expect(bySubscriber.get(ids.cappedOnce)).toMatchObject({ status: 'sent', limitedHolds: 1 });
    // The cap says nothing about the number: it stays reachable for later news.
    expect((await subscriber(ids.capped)).undeliverableAt).toBeFalsy();

    for (const name of ['experiment', 'noWhatsapp'] as const) {
      expect(sentTo(fake, people[name])).toHaveLength(1);
      expect(bySubscriber.get(ids[name])).toMatchObject({ status: 'failed', lastErrorClass: 'permanent-recipient' });
      expect((await subscriber(ids[name])).undeliverableAt).toBeTruthy();
    }
    expect(bySubscriber.get(ids.fine)).toMatchObject({ status: 'sent', limitedHolds: 0 });

    const detail = await test.request.get(`/town-crier/broadcasts/${announcement.documentId}`).set('Authorization', `Bearer ${token}`);
    expect(detail.status).toBe(200);
    const run = (detail.body.data.runs as Array<{ channel: string; becameUnreachable: number }>).find((entry) => entry.channel === 'whatsapp');
    expect(run?.becameUnreachable).toBe(2);
    const failures = detail.body.data.failuresByCode as Array<{ code: string; count: number; explanations: { de: string; en: string } }>;
    const capped = failures.find((failure) => failure.code === 'marketing-cap-reached');
    expect(capped?.count).toBe(1);
    expect(capped?.explanations.de).toMatch(/Obergrenze von Meta/);
    expect(capped?.explanations.en).toMatch(/marketing limit/);
    expect(failures.find((failure) => failure.code === '130472')?.explanations.de).toMatch(/nicht erreichbar/);
  });

  it('later news skips the numbers marked unreachable and still goes to the capped citizen', async () => {
    const before = { capped: sentTo(fake, people.capped).length, experiment: sentTo(fake, people.experiment).length, noWhatsapp: sentTo(fake, people.noWhatsapp).length };
    const articleId = await publishArticle(test, { title: 'Hauptstraße wieder frei', topic: 'verkehr' });
    const announcement = await eventually(async () => {
      const row = await announcementFor(test, articleId);
      return row?.broadcastStatus === 'sent' && row;
    });
    const rows = await deliveriesOf(test, announcement.documentId);
    const bySubscriber = new Map(rows.map((row) => [row.subscriberId, row]));
    expect(bySubscriber.get(ids.experiment)?.status).toBe('skipped');
    expect(bySubscriber.get(ids.noWhatsapp)?.status).toBe('skipped');
    expect(sentTo(fake, people.experiment)).toHaveLength(before.experiment);
    expect(sentTo(fake, people.noWhatsapp)).toHaveLength(before.noWhatsapp);
    expect(sentTo(fake, people.capped)).toHaveLength(before.capped + 1);
    expect(bySubscriber.get(ids.capped)?.status).toBe('sent');
  });

  it('131049, 130472 and 131026 reported later in a failed status webhook follow the same policy as in the send answer', async () => {
    const articleId = await publishArticle(test, { title: 'Wasserleitung gespült', topic: 'wasser' });
    const settled = async () =>
      eventually(
        async () => {
          const row = await announcementFor(test, articleId);
          return row?.broadcastStatus === 'sent' && row;
        },
        { timeoutMs: 30_000 }
      );
    const announcement = await settled();
    const deliveryOf = async (id: number) => (await deliveriesOf(test, announcement.documentId)).find((row) => row.subscriberId === id)!;
    const failedStatus = (delivery: Record<string, unknown>, number: string, code: number, title: string) =>
      statusWebhook([{ id: delivery.providerMessageId as string, status: 'failed', recipientDigits: number.slice(1), deliveryRef: `d:${String(delivery.id)}`, errors: [{ code, title }] }]);
    const capTitle = 'This message was not delivered to maintain healthy ecosystem engagement.';
    for (const name of Object.keys(late) as Array<keyof typeof late>) expect(sentTo(fake, late[name])).toHaveLength(1);

    // First report: the delivery waits and is sent again; Meta resending the same webhook counts once.
    const first = await deliveryOf(lateIds.capped);
    expect(first.status).toBe('sent');
    const report = failedStatus(first, late.capped, 131049, capTitle);
    expect((await postWebhook(test, report)).status).toBe(200);
    expect((await postWebhook(test, report)).status).toBe(200);
    const second = await eventually(async () => {
      const row = await deliveryOf(lateIds.capped);
      return row.status === 'sent' && row.providerMessageId !== first.providerMessageId && row;
    });
    expect(second).toMatchObject({ limitedHolds: 1 });
    expect(sentTo(fake, late.capped)).toHaveLength(2);
    await settled();

    // Second report: one more wait, the last the policy allows.
    expect((await postWebhook(test, failedStatus(second, late.capped, 131049, capTitle))).status).toBe(200);
    const third = await eventually(async () => {
      const row = await deliveryOf(lateIds.capped);
      return row.status === 'sent' && row.providerMessageId !== second.providerMessageId && row;
    });
    expect(third).toMatchObject({ limitedHolds: 2 });
    expect(sentTo(fake, late.capped)).toHaveLength(3);
    await settled();

    // Third report: the waits are used up, the delivery ends as marketing-cap-reached, nothing more is sent.
    expect((await postWebhook(test, failedStatus(third, late.capped, 131049, capTitle))).status).toBe(200);
    const ended = await eventually(async () => {
      const row = await deliveryOf(lateIds.capped);
      return row.status === 'failed' && row;
    });
    expect(ended).toMatchObject({ lastErrorCode: 'marketing-cap-reached', lastErrorClass: 'permanent-recipient', limitedHolds: 2 });
    // An old report arriving late does not start the waits again.
    expect((await postWebhook(test, report)).status).toBe(200);
    // 130472 / 131026 reported later mark the number unreachable, as in the send answer.
    expect((await postWebhook(test, failedStatus(await deliveryOf(lateIds.experiment), late.experiment, 130472, "User's number is part of an experiment"))).status).toBe(200);
    expect((await postWebhook(test, failedStatus(await deliveryOf(lateIds.noWhatsapp), late.noWhatsapp, 131026, 'Message undeliverable'))).status).toBe(200);
    for (const name of ['experiment', 'noWhatsapp'] as const) {
      const unreachable = await eventually(async () => {
        const row = await subscriber(lateIds[name]);
        return row.undeliverableAt ? row : undefined;
      });
      expect(unreachable.undeliverableAt).toBeTruthy();
      expect(await deliveryOf(lateIds[name])).toMatchObject({ status: 'failed', lastErrorClass: 'permanent-recipient' });
    }
    // A wait started again (1 s here) would be a delayed job: waited for until it has run.
    await drained(test, { delayedWithinMs: 5_000 });
    expect(sentTo(fake, late.capped)).toHaveLength(3);
    expect(await deliveryOf(lateIds.capped)).toMatchObject({ status: 'failed', lastErrorCode: 'marketing-cap-reached', limitedHolds: 2 });
    expect((await subscriber(lateIds.capped)).undeliverableAt).toBeFalsy();

    const done = await settled();
    const detail = await test.request.get(`/town-crier/broadcasts/${done.documentId}`).set('Authorization', `Bearer ${token}`);
    expect(detail.status).toBe(200);
    const run = (detail.body.data.runs as Array<{ channel: string; becameUnreachable: number }>).find((entry) => entry.channel === 'whatsapp');
    expect(run?.becameUnreachable).toBe(2);
    const failures = detail.body.data.failuresByCode as Array<{ code: string; count: number }>;
    expect(failures.find((failure) => failure.code === 'marketing-cap-reached')?.count).toBe(1);
  });
});
