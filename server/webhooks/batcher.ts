// Group commit: callers queue items and await their own; one write runs at a time and takes everything queued
// meanwhile. Under load each write carries many items (one commit instead of many); when idle an item is written
// at once, so nothing waits for a timer.
export interface Batcher<T> {
  /** Resolves once the batch holding `item` is written (rejects with that batch's error). */
  add(item: T): Promise<void>;
}

export function createBatcher<T>(write: (items: T[]) => Promise<void>, maxBatch = 500): Batcher<T> {
  const queue: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  let writing = false;

  async function run() {
    writing = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        await write(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    writing = false;
  }

  return {
    add: (item) =>
      new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!writing) void run();
      }),
  };
}
