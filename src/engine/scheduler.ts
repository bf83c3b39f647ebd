// Runs a graph of tasks in dependency order. Every task whose dependencies are done starts at
// once; tasks that call a provider take a slot (see slots.ts), which bounds parallelism. A
// failed task's dependents are skipped with the reason; independent branches carry on.
import { EngineError } from './errors.ts';

export interface Task {
  id: string;
  deps: string[];
  /** Expected cost: 1 for a step that calls a provider, 0 for one that does not. */
  weight: number;
  /** Rejects to fail the task. Its priority is passed in for slot acquisition. */
  run(priority: number): Promise<void>;
}

export interface GraphOutcome {
  done: Set<string>;
  failed: Map<string, unknown>;
  /** Task id → the failed or cancelled task that blocked it. */
  skipped: Map<string, string>;
  /** Not started because the run was stopped. */
  notStarted: Set<string>;
}

export class NotStarted extends Error {
  constructor() {
    super('not started: the run was stopped');
    this.name = 'NotStarted';
  }
}

/** Longest weighted chain from each task to the end of the graph. */
export function heights(tasks: Map<string, Task>, dependents: Map<string, string[]>, order: string[]): Map<string, number> {
  const h = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let best = 0;
    for (const d of dependents.get(id) ?? []) best = Math.max(best, h.get(d) ?? 0);
    h.set(id, best + tasks.get(id)!.weight);
  }
  return h;
}

export function runGraph(tasks: Map<string, Task>, hooks: { stopping: () => boolean; onSkip?: (id: string, blockedBy: string) => void }): Promise<GraphOutcome> {
  const dependents = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const t of tasks.values()) {
    let n = 0;
    for (const d of t.deps) {
      if (!tasks.has(d)) continue;
      n++;
      const list = dependents.get(d);
      if (list) list.push(t.id);
      else dependents.set(d, [t.id]);
    }
    waiting.set(t.id, n);
  }
  const order = topo(tasks, dependents, waiting);
  const priority = heights(tasks, dependents, order);
  const outcome: GraphOutcome = { done: new Set(), failed: new Map(), skipped: new Map(), notStarted: new Set() };
  let settled = 0;
  // A free slot goes to whoever asks first, so ask in priority order.
  const byPriority = (ids: string[]): string[] => (ids.length > 1 ? [...ids].sort((a, b) => priority.get(b)! - priority.get(a)!) : ids);

  return new Promise((resolve) => {
    if (tasks.size === 0) return resolve(outcome);
    const finish = (): void => {
      if (++settled === tasks.size) resolve(outcome);
    };
    const skipFrom = (id: string): void => {
      const stack = [...(dependents.get(id) ?? [])];
      while (stack.length > 0) {
        const d = stack.pop()!;
        if (outcome.skipped.has(d) || outcome.notStarted.has(d)) continue;
        outcome.skipped.set(d, id);
        hooks.onSkip?.(d, id);
        finish();
        stack.push(...(dependents.get(d) ?? []));
      }
    };
    const start = (id: string): void => {
      if (hooks.stopping()) {
        markNotStarted(id);
        return;
      }
      const task = tasks.get(id)!;
      task.run(priority.get(id)!).then(
        () => {
          outcome.done.add(id);
          finish();
          const ready: string[] = [];
          for (const d of dependents.get(id) ?? []) {
            const n = waiting.get(d)! - 1;
            waiting.set(d, n);
            if (n === 0) ready.push(d);
          }
          for (const d of byPriority(ready)) start(d);
        },
        (err: unknown) => {
          if (err instanceof NotStarted) {
            markNotStarted(id);
            return;
          }
          outcome.failed.set(id, err);
          finish();
          skipFrom(id);
        },
      );
    };
    const markNotStarted = (id: string): void => {
      const stack = [id];
      while (stack.length > 0) {
        const d = stack.pop()!;
        if (outcome.notStarted.has(d) || outcome.skipped.has(d)) continue;
        outcome.notStarted.add(d);
        finish();
        stack.push(...(dependents.get(d) ?? []));
      }
    };
    for (const id of byPriority(order.filter((id) => waiting.get(id) === 0))) start(id);
  });
}

function topo(tasks: Map<string, Task>, dependents: Map<string, string[]>, waiting: Map<string, number>): string[] {
  const left = new Map(waiting);
  const ready = [...tasks.keys()].filter((id) => left.get(id) === 0);
  const order: string[] = [];
  for (let i = 0; i < ready.length; i++) {
    const id = ready[i]!;
    order.push(id);
    for (const d of dependents.get(id) ?? []) {
      const n = left.get(d)! - 1;
      left.set(d, n);
      if (n === 0) ready.push(d);
    }
  }
  if (order.length !== tasks.size) {
    const stuck = [...tasks.keys()].filter((id) => !order.includes(id)).slice(0, 6);
    throw new EngineError(`cannot order the steps of this run; these wait on each other: ${stuck.join(', ')}`, {
      hint: 'This combination of replacements and deletions has no safe order; split it into two deploys (e.g. with --target).',
    });
  }
  return order;
}
