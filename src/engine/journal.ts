// Writes journal records through StackUpdate.record with group commit: records handed in
// while a write is in flight go out together in the next one, so steps that complete
// together cost one durable write, and the bytes written stay proportional to the records.
// Each caller's promise resolves only once its records are durable; the engine awaits it
// before any dependent step starts.
import type { JournalRecord, StackUpdate } from '../state/types.ts';
import type { StackView } from './view.ts';
import { EngineError, errorMessage } from './errors.ts';

export class Journal {
  readonly #update: StackUpdate;
  readonly #view: StackView;
  #queue: JournalRecord[] = [];
  #waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #busy = false;
  #failure: EngineError | undefined;
  #idle: (() => void)[] = [];
  /** Durable writes made (for tests and benchmarks). */
  writes = 0;

  constructor(update: StackUpdate, view: StackView) {
    this.#update = update;
    this.#view = view;
  }

  get failure(): EngineError | undefined {
    return this.#failure;
  }

  /**
   * Applies the records to the view now (unless the caller already did, building them step by
   * step against the view); resolves when they are durable.
   */
  write(records: JournalRecord[], options: { applied?: boolean } = {}): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!options.applied) this.#view.apply(records);
    this.#queue.push(...records);
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#waiters.push({ resolve, reject });
    if (!this.#busy) {
      this.#busy = true;
      // Let the records queued in this turn of the event loop join this write: a step's
      // result and the intents of the dependents it releases then cost one write, not two.
      setImmediate(() => void this.#flush());
    }
    return promise;
  }

  /** Resolves once everything queued so far has been written (or the journal has failed). */
  async settled(): Promise<void> {
    while (this.#busy || this.#queue.length > 0) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#idle.push(resolve);
      await promise;
    }
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      const waiters = this.#waiters;
      this.#queue = [];
      this.#waiters = [];
      try {
        await this.#update.record(batch);
        this.writes++;
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.#failure = new EngineError(`could not save the stack's state: ${errorMessage(err)}`, {
          hint: 'The run stopped. Everything saved before this point is kept; run the command again to continue.',
        });
        for (const w of [...waiters, ...this.#waiters]) w.reject(this.#failure);
        this.#queue = [];
        this.#waiters = [];
      }
    }
    this.#busy = false;
    for (const wake of this.#idle.splice(0)) wake();
  }
}
