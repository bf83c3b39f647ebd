// `npm run bench -- <name>` runs bench/<name>.ts; with no name, lists the benchmarks.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const dir = import.meta.dirname;
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));
const wanted = process.argv.slice(2);
if (wanted.length === 0) {
  console.log(`benchmarks: ${names.join(', ') || '(none yet)'}\nrun one with: npm run bench -- <name>`);
} else {
  for (const name of wanted) {
    if (!names.includes(name)) {
      console.error(`error: no benchmark named '${name}' (have: ${names.join(', ')})`);
      process.exit(1);
    }
    const r = spawnSync(process.execPath, [join(dir, `${name}.ts`)], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
