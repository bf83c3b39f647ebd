// Where each part of a decoded configuration was written, by config path
// (`node-pools.workers.count`), so that validation errors point at the source.
import type { Located, Pos } from '../lisp/index.ts';

export function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** The parent of `a.b.c` is `a.b`; of `a.b[2]` is `a.b`; of `a` is ''. */
export function parentPath(path: string): string {
  const dot = path.lastIndexOf('.');
  const bracket = path.lastIndexOf('[');
  const cut = Math.max(dot, bracket);
  return cut < 0 ? '' : path.slice(0, cut);
}

export class SourceMap {
  private readonly entries = new Map<string, { form: Located; value: Located | undefined }>();

  /** `form`: the `(key …)` list; `value`: its first value, when it has one. */
  set(path: string, form: Located, value?: Located): void {
    this.entries.set(path, { form, value });
  }

  /** Whether the key was written in the source (rather than filled by a default). */
  has(path: string): boolean {
    return this.entries.has(path);
  }

  /**
   * Best position for a message about `path`: its value, else its form, else the nearest
   * enclosing form that was written (a default-filled key points at its section).
   */
  locate(path: string, prefer: 'value' | 'form' = 'value'): Pos | undefined {
    if (prefer === 'value') {
      const v = this.entries.get(path)?.value;
      if (v) return v.pos;
    }
    for (let p = path; ; p = parentPath(p)) {
      const e = this.entries.get(p);
      if (e) return e.form.pos;
      if (p === '') return undefined;
    }
  }
}
