// "did you mean 'region'?" for misspelled keys and values (the distance is the Lisp layer's).
import { editDistance } from '../lisp/index.ts';

/** The closest candidate, if it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    // camelCase and snake_case spellings of a kebab-case key count as exact.
    const normalized = lower.replace(/_/g, '-');
    const kebab = word.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`).replace(/_/g, '-');
    if (c === normalized || c === kebab) return c;
    const dist = editDistance(normalized, c);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `; did you mean '${c}'?`;
}
