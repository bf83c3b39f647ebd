// cli-child.ts run from a folder bundle of it (scripts/bundle.ts), the way the launcher runs
// the CLI from dist/cli/ (bin/sloth-kubernetes.js): the compile cache on, the bundle checked
// against the sources, then its entry imported. For the benchmarks: what a user pays.
// Usage: node test/provider/bundled-child.ts <bundle-dir> <preview|deploy> <stack> <graph.json>
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freshBundle } from '../../bin/fresh-bundle.js';

const dir = process.argv.splice(2, 1)[0]!;
enableCompileCache();
if (!freshBundle(join(import.meta.dirname, '..', '..'), dir)) throw new Error(`${dir} does not match the sources: bundle it again`);
await import(pathToFileURL(join(dir, 'cli-child.mjs')).href);
