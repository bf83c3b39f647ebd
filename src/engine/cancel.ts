// The handle the CLI drives from SIGINT. The first request stops starting new steps and lets
// running ones finish (everything they did is saved); the second aborts running provider
// calls (what is known is saved; interrupted calls stay recorded as pending operations, which
// the next run resolves).

export type CancelMode = 'graceful' | 'abort';

export class Cancellation {
  #level = 0;
  readonly #abort = new AbortController();
  readonly #listeners = new Set<(mode: CancelMode) => void>();

  /** Escalates: first call → graceful, any later call → abort. */
  request(): CancelMode {
    this.#level = Math.min(this.#level + 1, 2);
    const mode: CancelMode = this.#level >= 2 ? 'abort' : 'graceful';
    if (mode === 'abort') this.#abort.abort(new Error('aborted by the user'));
    for (const l of this.#listeners) l(mode);
    return mode;
  }

  /** No new steps may start. */
  get stopping(): boolean {
    return this.#level >= 1;
  }

  get aborted(): boolean {
    return this.#level >= 2;
  }

  /** Aborted on the second request. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  onRequest(listener: (mode: CancelMode) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
