/**
 * The sends one worker process may have open on a channel at once (`broadcast.deliveryConcurrency`).
 * A slot is taken before a delivery is claimed and given back once its outcome is written, so
 * the rows that may have reached the provider without the database knowing it — what a crash
 * can repeat — never exceed the slots, however many deliveries a batch job carries.
 */
export class SendSlots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release() {
    const next = this.waiting.shift();
    // The slot passes straight to the next in line, so a newcomer cannot overtake it.
    if (next) next();
    else this.free = Math.min(this.size, this.free + 1);
  }

  /** Runs `work` holding one slot. */
  async with<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
