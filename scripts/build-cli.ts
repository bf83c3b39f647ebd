// Bundles the CLI for the launcher into dist/cli/ (`npm run build`; `npm ci` runs it as the
// prepare step): src/cli/main.ts and all it imports as ES modules, what a command imports
// lazily in chunks of its own (scripts/bundle.ts). bin/sloth-kubernetes.js runs
// dist/cli/main.mjs while dist/cli/sources.json (each source file's size and modification
// time) still matches the sources, else the sources themselves: a start from one file and a
// few chunks instead of ~100 modules found, read and linked one by one.
// The folder is written beside dist/cli and renamed into place, so a launcher never sees half
// of it.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'dist', 'cli');

let bundleFolder: typeof import('./bundle.ts').bundleFolder;
try {
  ({ bundleFolder } = await import('./bundle.ts'));
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String(err).includes('esbuild')) throw err;
  // `npm ci --omit=dev`: no esbuild, and the launcher runs the sources.
  console.log('build-cli: esbuild is not installed (a production install); the launcher runs the sources');
  process.exit(0);
}
const work = `${out}.new-${process.pid}`;
try {
  const sources = await bundleFolder(work, [join(root, 'src', 'cli', 'main.ts')]);
  writeFileSync(join(work, 'sources.json'), `${JSON.stringify(sources)}\n`);
  rmSync(out, { recursive: true, force: true });
  renameSync(work, out);
} finally {
  rmSync(work, { recursive: true, force: true });
}
