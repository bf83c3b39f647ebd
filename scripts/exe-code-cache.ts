// Makes the single executable's V8 code cache (scripts/build-exe.ts runs this under the Node
// binary the executable is made of): runs the CLI bundle once, as the executable would, on a
// typical command, then asks V8 for the cache of everything compiled by then — so the
// functions a start needs are in it, not only the bundle's top level.
//   node scripts/exe-code-cache.ts BUNDLE OUT -- ARGS...
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { bundleScript, runBundle } from '../src/cli/bundle-script.ts';

const [bundle, out, dashes, ...args] = process.argv.slice(2);
if (!bundle || !out || dashes !== '--') throw new Error('usage: exe-code-cache.ts BUNDLE OUT -- ARGS...');
const script = bundleScript(readFileSync(bundle, 'utf8'));
process.argv = [process.execPath, 'sloth-kubernetes', ...args];
process.on('exit', () => writeFileSync(out, script.createCachedData()));
runBundle(script, createRequire(resolve(bundle)));
