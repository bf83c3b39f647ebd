// A counting semaphore for provider calls whose waiters are served highest priority first
// (the scheduler gives steps on the longest remaining chain the highest priority, so the
// critical path never waits behind work that has slack).

interface Waiter {
  priority: number;
  seq: number;
  grant: (release: () => void) => void;
  refuse: (err: Error) => void;
}

export class Slots {
  readonly capacity: number;
  #inUse = 0;
  #seq = 0;
  readonly #heap: Waiter[] = [];
  #closed: Error | undefined;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`parallelism must be a whole number of at least 1, not ${capacity}`);
    this.capacity = capacity;
  }

  get inUse(): number {
    return this.#inUse;
  }

  acquire(priority: number): Promise<() => void> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.#inUse < this.capacity && this.#heap.length === 0) {
      this.#inUse++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((grant, refuse) => this.#push({ priority, seq: this.#seq++, grant, refuse }));
  }

  /** Refuses every waiter and every later acquire (graceful stop). Running holders finish. */
  close(err: Error): void {
    this.#closed = err;
    while (this.#heap.length > 0) this.#pop().refuse(err);
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
      if (this.#heap.length > 0 && this.#inUse < this.capacity) {
        this.#inUse++;
        this.#pop().grant(this.#releaser());
      }
    };
  }

  #before(a: Waiter, b: Waiter): boolean {
    return a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);
  }

  #push(w: Waiter): void {
    const h = this.#heap;
    h.push(w);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): Waiter {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
