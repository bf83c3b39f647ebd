// Builds sloth-kubernetes as a single executable: the CLI bundled into one CommonJS file by
// esbuild, turned into a Node.js single-executable-application blob by the project's own
// Node 24 (`--experimental-sea-config`), and injected into a copy of that Node binary with
// postject. Nothing is read from disk at run time, so the file runs where no Node is installed.
// The blob's main is a small entry (src/cli/single-executable.ts) that answers `--version`
// itself, and `--help` with the text the bundle printed here; the CLI bundle is an asset it
// compiles only when needed, with a V8 code cache made by running the bundle once
// (scripts/exe-code-cache.ts), so the cache holds the functions a command compiles, not only
// the bundle's top level.
//
//   npm run build:exe                         this machine's platform, into dist/exe/
//   node scripts/build-exe.ts --target linux-arm64,win-x64 [--out DIR]
//   node scripts/build-exe.ts --all           every platform whose Node binary the npm registry has
//
// The Node binary of the same version for another platform comes from the registry's
// node-<os>-<arch> package (what the `node` package installs); a platform with no package at
// this version is reported and skipped. Only this machine's platform gets the V8 code caches:
// they are made here and load only on the platform that made them (Node's own rule for
// cross-platform blobs). A startup snapshot was tried and does not pay: see bench/README.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { inject } from 'postject';
import { helpAsset } from '../src/cli/bundle-script.ts';
import { bundleFile, root } from './bundle.ts';

const NODE_VERSION = process.versions.node;
/** Node's sentinel that marks a binary as carrying a single-executable blob. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** Platforms Node's single-executable applications support, as `<os>-<arch>` of the node-* packages. */
export const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win-x64'] as const;
export type Target = (typeof TARGETS)[number];

export const hostTarget = (): Target => `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}` as Target;
export const exeName = (t: Target): string => `sloth-kubernetes-${t}${t.startsWith('win-') ? '.exe' : ''}`;

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

export function buildCommit(): string {
  const head = git(['rev-parse', '--short=12', 'HEAD']) || 'unknown';
  return git(['status', '--porcelain', '--untracked-files=no']) ? `${head}-dirty` : head;
}

/** The Node binary for a target: ours for this machine, else from the registry's node-<os>-<arch> package. */
function nodeBinary(target: Target, cacheDir: string): string | undefined {
  if (target === hostTarget()) return process.execPath;
  const pkg = `node-${target}`;
  const dir = join(cacheDir, `${pkg}-${NODE_VERSION}`);
  const bin = join(dir, 'package', 'bin', target.startsWith('win-') ? 'node.exe' : 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const packed = spawnSync('npm', ['pack', '--silent', `${pkg}@${NODE_VERSION}`, '--pack-destination', dir], { encoding: 'utf8' });
  if (packed.status !== 0) return undefined;
  execFileSync('tar', ['-xzf', join(dir, packed.stdout.trim().split('\n').at(-1)!), '-C', dir]);
  return existsSync(bin) ? bin : undefined;
}

/**
 * The blob: the small entry (src/cli/single-executable.ts) as main, the CLI bundle and its
 * code cache as assets (an empty cache where it cannot be made: the entry then compiles the
 * bundle without).
 */
function seaBlob(entry: string, cli: string, cache: string, help: Record<string, string>, blob: string, codeCache: boolean): Buffer {
  const config = `${blob}.json`;
  const assets = { 'cli.cjs': cli, 'cli.cache': cache, ...help };
  writeFileSync(config, JSON.stringify({ main: entry, output: blob, assets, disableExperimentalSEAWarning: true, useCodeCache: codeCache }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  return readFileSync(blob);
}

export interface Built {
  target: Target;
  path: string;
  bytes: number;
  codeCache: boolean;
}

/** Builds one executable per target into `outDir`; returns what was built and what was skipped. */
export async function buildExecutables(targets: readonly Target[], outDir: string): Promise<{ built: Built[]; skipped: string[] }> {
  const work = mkdtempSync(join(tmpdir(), 'sloth-exe-'));
  mkdirSync(outDir, { recursive: true });
  try {
    return await buildInto(targets, outDir, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function buildInto(targets: readonly Target[], outDir: string, work: string): Promise<{ built: Built[]; skipped: string[] }> {
  const [entry, cli, cache, noCache] = ['entry.cjs', 'sloth-kubernetes.cjs', 'cli.cache', 'empty.cache'].map((f) => join(work, f)) as [string, string, string, string];
  const commit = buildCommit();
  await bundleFile(cli, commit, join(root, 'src', 'cli', 'main.ts'));
  await bundleFile(entry, commit, join(root, 'src', 'cli', 'single-executable.ts'));
  writeFileSync(noCache, '');
  // The cache of what `validate` of the Quick Start example compiles: the command tree, the
  // Lisp reader and evaluator, the config checks (what --help and most starts need).
  if (targets.includes(hostTarget())) {
    const quick = join(root, 'test', 'fixtures', 'config', 'seeds', 'quick-start.lisp');
    execFileSync(process.execPath, [join(root, 'scripts', 'exe-code-cache.ts'), cli, cache, '--', 'validate', '-c', quick], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: '', CLUSTER_ENV: 'production' },
    });
  }
  // `--help` as the bundle itself prints it (80 columns: not a terminal), for each name the
  // executable may be called by; the executable prints it without running the bundle.
  const help: Record<string, string> = {};
  for (const name of ['sloth-kubernetes', 'sloth']) {
    help[helpAsset(name)] = join(work, helpAsset(name));
    const env = { PATH: process.env.PATH ?? '', SLOTH_INVOKED_AS: name };
    writeFileSync(help[helpAsset(name)]!, execFileSync(process.execPath, [cli, '--help'], { env, stdio: ['ignore', 'pipe', 'inherit'] }));
  }
  const blobs = new Map<boolean, Buffer>();
  const built: Built[] = [];
  const skipped: string[] = [];
  for (const target of targets) {
    const node = nodeBinary(target, join(root, 'dist', '.node-binaries'));
    if (!node) {
      skipped.push(`${target}: the npm registry has no node-${target}@${NODE_VERSION}`);
      continue;
    }
    const codeCache = target === hostTarget();
    if (!blobs.has(codeCache)) blobs.set(codeCache, seaBlob(entry, cli, codeCache ? cache : noCache, help, join(work, `sea-${codeCache ? 'cache' : 'plain'}.blob`), codeCache));
    const out = join(outDir, exeName(target));
    rmSync(out, { force: true });
    copyFileSync(node, out);
    chmodSync(out, 0o755);
    // Node's binaries carry debug symbols (about 18 MB on linux-x64); this machine's strip
    // (binutils) handles this machine's format only, and without it the file is just larger.
    if (codeCache && target.startsWith('linux-')) spawnSync('strip', [out]);
    await inject(out, 'NODE_SEA_BLOB', blobs.get(codeCache)!, { sentinelFuse: SEA_FUSE, machoSegmentName: 'NODE_SEA' });
    built.push({ target, path: out, bytes: statSync(out).size, codeCache });
  }
  return { built, skipped };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.main) {
  const targets = process.argv.includes('--all') ? TARGETS : ((flag('--target')?.split(',') ?? [hostTarget()]) as Target[]);
  const bad = targets.filter((t) => !TARGETS.includes(t));
  if (bad.length > 0) {
    console.error(`error: unknown target ${bad.join(', ')} (known: ${TARGETS.join(', ')})`);
    process.exit(2);
  }
  const { built, skipped } = await buildExecutables(targets, flag('--out') ?? join(root, 'dist', 'exe'));
  for (const b of built) console.log(`${relative(process.cwd(), b.path)}  ${(b.bytes / 2 ** 20).toFixed(1)} MiB${b.codeCache ? ', with V8 code cache' : ''}`);
  for (const s of skipped) console.log(`skipped ${s}`);
  if (built.length === 0) process.exit(1);
}
