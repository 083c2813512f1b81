import { describe, expect, it } from 'vitest';
import { batchSubscriberIds, jobIds, LiveDeliveries } from '../../server/src/queue/jobs';
import { GroupCommit } from '../../server/src/utils/group-commit';
import { SendSlots } from '../../server/src/delivery/send-slots';

describe('batch job ids', () => {
  it('carry their subscribers, in any order given, and give them back', () => {
    const id = jobIds.deliverBatch({ announcementDocumentId: 'abc123', channel: 'whatsapp', subscriberIds: [1_000_007, 12, 13, 250_000] }, 'r9');
    expect(id.startsWith('batch:abc123:whatsapp:r9:')).toBe(true);
    expect(batchSubscriberIds(id)).toEqual({ announcementDocumentId: 'abc123', subscriberIds: [12, 13, 250_000, 1_000_007] });
    // Without a round (fan-out) the id is the same for the same page: adding it twice queues it once.
    const page = { announcementDocumentId: 'abc123', channel: 'email' as const, subscriberIds: [5, 6, 7] };
    expect(jobIds.deliverBatch(page)).toBe(jobIds.deliverBatch({ ...page, subscriberIds: [7, 6, 5] }));
  });

  it('are read by the reconciler like single deliveries; other ids are ignored', () => {
    const live = new LiveDeliveries();
    live.add(jobIds.deliverBatch({ announcementDocumentId: 'doc1', channel: 'whatsapp', subscriberIds: [3, 40, 41] }, 'x'));
    live.add(jobIds.deliver({ announcementDocumentId: 'doc2', subscriberId: 9, channel: 'whatsapp' }, 'y'));
    live.add('batch:doc3:whatsapp:0:zz!');
    live.add('fan-out:doc4:r1');
    expect([3, 40, 41].map((subscriberId) => live.has({ announcementDocumentId: 'doc1', subscriberId }))).toEqual([true, true, true]);
    expect(live.has({ announcementDocumentId: 'doc1', subscriberId: 4 })).toBe(false);
    expect(live.has({ announcementDocumentId: 'doc2', subscriberId: 9 })).toBe(true);
    expect(live.has({ announcementDocumentId: 'doc3', subscriberId: 35 })).toBe(false);
  });
});

describe('group commit', () => {
  it('writes what arrives together in one group, and what arrives during a write in the next', async () => {
    const groups: number[][] = [];
    let release: () => void = () => undefined;
    const commit = new GroupCommit<number, number>(async (items) => {
      groups.push(items);
      if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return items.map((item) => item * 10);
    });
    const first = [1, 2, 3].map((item) => commit.submit(item));
    await new Promise((resolve) => setImmediate(resolve));
    const second = [4, 5].map((item) => commit.submit(item));
    release();
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
    expect(groups).toEqual([[1, 2, 3], [4, 5]]);
  });

  it('keeps groups to their largest size and fails only the group whose write failed', async () => {
    const groups: string[][] = [];
    const commit = new GroupCommit<string, string>(async (items) => {
      groups.push(items);
      if (items.includes('bad')) throw new Error('write failed');
      return items.map((item) => item.toUpperCase());
    }, 2);
    const answers = await Promise.allSettled(['a', 'bad', 'c'].map((item) => commit.submit(item)));
    expect(groups).toEqual([['a', 'bad'], ['c']]);
    expect(answers.map((answer) => answer.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(await commit.submit('d')).toBe('D');
  });
});

describe('send slots', () => {
  it('never let more than their size run at once, and serve waiters in order', async () => {
    const slots = new SendSlots(3);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        slots.with(async () => {
          running += 1;
          most = Math.max(most, running);
          order.push(index);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running -= 1;
        })
      )
    );
    expect(most).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
