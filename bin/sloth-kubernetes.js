#!/usr/bin/env node
// Launcher for `sloth-kubernetes` / `sloth`. The CLI runs on Node 24: the bundle `npm ci` made
// in dist/cli/ (scripts/build-cli.ts) while it matches the sources, else the TypeScript
// sources themselves through Node's type stripping (always with SLOTH_FROM_SOURCES=1). On an
// older Node, re-run this file under the Node 24 that `npm ci` placed in node_modules, so a
// fresh clone works with any system Node. Written in plain JavaScript that Node 20 can parse.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBundle } from './fresh-bundle.js';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const major = Number(process.versions.node.split('.')[0]);
// `sloth` and `sloth-kubernetes` are links to this file; help and completion use the name typed.
process.env.SLOTH_INVOKED_AS ??= basename(process.argv[1] ?? '').replace(/\.js$/, '');

if (major >= 24) {
  // Node keeps the compiled form of our modules (TypeScript already stripped) in its cache
  // folder, which roughly halves start-up after the first run.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const bundle = join(root, 'dist', 'cli');
  const main = process.env.SLOTH_FROM_SOURCES !== '1' && freshBundle(root, bundle) ? join(bundle, 'main.mjs') : join(root, 'src', 'cli', 'main.ts');
  await import(pathToFileURL(main).href);
} else {
  const local = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(local)) {
    console.error(
      `error: sloth-kubernetes needs Node.js 24 or newer, this is ${process.version}.\n` +
        `Run \`npm ci\` in ${root} (it installs Node 24 for the project), or install Node 24 LTS.`,
    );
    process.exit(1);
  }
  const child = spawn(local, [self, ...process.argv.slice(2)], { stdio: 'inherit' });
  // A terminal delivers Ctrl-C (and a hang-up) to the whole process group, so the child gets
  // it already: forwarding it would count as a second Ctrl-C. A plain `kill` reaches only us.
  const ignore = () => {};
  const forward = () => child.kill('SIGTERM');
  process.on('SIGINT', ignore).on('SIGHUP', ignore).on('SIGTERM', forward);
  child.on('exit', (code, signal) => {
    process.off('SIGINT', ignore).off('SIGHUP', ignore).off('SIGTERM', forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
