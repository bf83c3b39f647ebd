// "Did you mean …?" for a mistyped command or option. Only a close match is offered — a typo
// of it (one edit, or two in a long name: letters swapped, one left out or added) — and never
// a command that deletes something: a suggestion is an invitation to run it, and `stacks
// select` must not be answered with `delete`.

/** Commands never offered as a suggestion. */
const DESTRUCTIVE = new Set(['delete', 'destroy', 'remove', 'rm', 'prune']);

/** Edits allowed for a name of this length. */
const allowedEdits = (name: string): number => (name.length >= 8 ? 2 : 1);

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidates to `typed` (`--`-prefixed options compared without it), or none. */
export function suggest(typed: string, candidates: readonly string[]): string[] {
  const bare = (s: string) => s.replace(/^-+/, '');
  const word = bare(typed);
  const scored = [...new Set(candidates)]
    .filter((c) => !DESTRUCTIVE.has(bare(c)) && bare(c) !== word)
    .map((c) => ({ c, d: editDistance(word, bare(c)) }))
    .filter(({ d }) => d <= allowedEdits(word));
  const best = Math.min(...scored.map((s) => s.d));
  return scored.filter((s) => s.d === best).map((s) => s.c);
}
