/**
 * Group commit: callers submit one item each and wait for its answer; items that arrive while a
 * write is running are written together by the next one. Under light load every item is written
 * at once; under heavy load one statement serves many messages. A write starts on the next turn
 * of the event loop, so the sends of one batch that reach this point together are written
 * together; no timer makes anything wait for company that is not already on its way.
 */
export class GroupCommit<Item, Answer> {
  private queued: Array<{ item: Item; resolve: (answer: Answer) => void; reject: (error: unknown) => void }> = [];
  private running = false;

  constructor(
    /** Writes a group and answers for each item, in order. */
    private readonly write: (items: Item[]) => Promise<Answer[]>,
    /** The most items one write takes (an SQL `IN` list stays short). */
    private readonly maxGroup = 200
  ) {}

  submit(item: Item): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain() {
    try {
      while (this.queued.length) {
        const group = this.queued.splice(0, this.maxGroup);
        try {
          const answers = await this.write(group.map((entry) => entry.item));
          group.forEach((entry, index) => entry.resolve(answers[index]));
        } catch (error) {
          for (const entry of group) entry.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
