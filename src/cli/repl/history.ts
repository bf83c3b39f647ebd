// The REPL's history file, ~/.sloth-kubernetes/repl_history: one entry per line, oldest
// first, mode 0600 (entries may hold secrets typed at the prompt).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const HISTORY_SIZE = 1000;

export function historyPath(env: Record<string, string | undefined>): string {
  return join(env.HOME || homedir(), '.sloth-kubernetes', 'repl_history');
}

/** Entries newest first (as readline wants them); none when the file does not exist yet. */
export function loadHistory(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .slice(-HISTORY_SIZE)
    .reverse();
}

/** Writes entries given newest first. */
export function saveHistory(path: string, newestFirst: readonly string[]): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const text = newestFirst.slice(0, HISTORY_SIZE).toReversed().join('\n');
  writeFileSync(path, text === '' ? '' : `${text}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file; an older, looser one is tightened.
  chmodSync(path, 0o600);
}
