// Runs the real `bash -n` and `shellcheck` over a generated script. Both read the script
// on stdin, so nothing is written to disk (scripts may embed paths but never secrets).
// Callers skip with `missing('shellcheck')` (test/helpers/parts.ts).
import { spawnSync } from 'node:child_process';

/** Problems found (empty when the script passes both). */
export function checkScript(script: string, name = 'script'): string[] {
  const problems: string[] = [];
  const syntax = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  if (syntax.status !== 0) problems.push(`${name}: bash -n: ${syntax.stderr.trim()}`);
  const lint = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', '-'], { input: script, encoding: 'utf8' });
  if (lint.status !== 0) problems.push(`${name}: shellcheck:\n${lint.stdout.trim()}${lint.stderr.trim()}`);
  return problems;
}
