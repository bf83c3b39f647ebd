// Writes a release folder: the single executable for every platform whose Node binary the npm
// registry has at our Node version (scripts/build-exe.ts), and SHA256SUMS beside them, the
// file install.sh checks each download against.
//   npm run release                 into dist/release/v<version>/
//   node scripts/release.ts --out DIR
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import pkg from '../package.json' with { type: 'json' };
import { buildExecutables, TARGETS } from './build-exe.ts';

const i = process.argv.indexOf('--out');
const out = i >= 0 ? process.argv[i + 1]! : join(import.meta.dirname, '..', 'dist', 'release', `v${pkg.version}`);
const { built, skipped } = await buildExecutables(TARGETS, out);
const sums = built.map((b) => `${createHash('sha256').update(readFileSync(b.path)).digest('hex')}  ${basename(b.path)}\n`).join('');
writeFileSync(join(out, 'SHA256SUMS'), sums);
process.stdout.write(sums);
for (const b of built) console.log(`${relative(process.cwd(), b.path)}  ${(b.bytes / 2 ** 20).toFixed(1)} MiB${b.codeCache ? ', with V8 code cache' : ''}`);
for (const s of skipped) console.log(`skipped ${s}`);
if (built.length === 0) process.exit(1);
