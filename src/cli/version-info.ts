// What `--version` and `version` print: our version, the commit it was built from and the
// Node.js that runs it. The single executable's bundle has the commit written in at build
// time (scripts/build-exe.ts); a run from the sources asks git, and only when asked.
import { isSea } from 'node:sea';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };

declare const SLOTH_BUILD_COMMIT: string | undefined;

export interface VersionInfo {
  version: string;
  commit: string;
  node: string;
  platform: string;
  /** How this copy runs: the single executable, or the sources under a Node.js. */
  build: 'single executable' | 'source';
}

function sourceCommit(): string {
  const root = join(import.meta.dirname, '..', '..');
  // Loaded here, not at the top: the single executable never needs it.
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const run = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = run(['rev-parse', '--short=12', 'HEAD']);
  if (head.status !== 0) return 'unknown';
  return `${head.stdout.trim()}${run(['status', '--porcelain', '--untracked-files=no']).stdout.trim() ? '-dirty' : ''}`;
}

export function versionInfo(): VersionInfo {
  return {
    version: pkg.version,
    commit: typeof SLOTH_BUILD_COMMIT === 'string' ? SLOTH_BUILD_COMMIT : sourceCommit(),
    node: process.versions.node,
    platform: `${process.platform}/${process.arch}`,
    build: isSea() ? 'single executable' : 'source',
  };
}

export function versionLine(programName: string): string {
  const v = versionInfo();
  return `${programName} ${v.version} (commit ${v.commit}, node ${v.node}, ${v.platform}, ${v.build})`;
}
