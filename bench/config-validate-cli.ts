// `sloth-kubernetes validate` of a small config (the Quick Start example), as a user runs
// it: a fresh process each time, from start to exit. Budget (docs/architecture.md): < 300 ms.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const TARGET_MS = 300;
const RUNS = 15;
const root = join(import.meta.dirname, '..');
const args = [join(root, 'bin/sloth-kubernetes.js'), 'validate', '-c', join(root, 'test/fixtures/config/seeds/quick-start.lisp')];

function once(): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  return ms;
}

once(); // warm the file system cache
const times = Array.from({ length: RUNS }, once).sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)]!;
console.log(
  `config-validate-cli: validate of the Quick Start config in a new process\n` +
    `  median ${median.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms, max ${times[RUNS - 1]!.toFixed(0)} ms over ${RUNS} runs\n` +
    `  target: < ${TARGET_MS} ms — ${median < TARGET_MS ? 'met' : 'MISSED'}`,
);
