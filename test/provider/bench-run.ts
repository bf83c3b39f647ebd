// Runs bench-child.ts (one engine operation in a fresh process) from the benchmarks, under
// GNU time when it is installed, and returns its figures with the process's wall time and
// peak memory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_CHILD = fileURLToPath(new URL('./bench-child.ts', import.meta.url));
export const GNU_TIME = '/usr/bin/time';

export interface Measured {
  /** Wall time of the whole process, start to exit (GNU time's own start included), seconds. */
  wallS: number;
  /** Peak resident set size of the process, MB. */
  maxRssMB: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command under GNU `time -f`, which the benchmarks need for peak memory of any tool;
 * the wall time is taken here, to the microsecond (GNU time gives hundredths of a second).
 */
export function timed(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Measured {
  if (!existsSync(GNU_TIME)) throw new Error('GNU time is needed (/usr/bin/time): apt-get install time');
  const marker = '@@time@@';
  const t0 = performance.now();
  const r = spawnSync(GNU_TIME, ['-f', `${marker} %M`, cmd, ...args], { encoding: 'utf8', cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 1 << 28 });
  const wallS = (performance.now() - t0) / 1000;
  const line = r.stderr.split('\n').find((l) => l.startsWith(marker));
  if (r.status !== 0 || !line) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  const [, rss] = line.split(' ');
  return { wallS, maxRssMB: Math.round(Number(rss) / 1024), stdout: r.stdout, stderr: r.stderr.replace(`${line}\n`, '') };
}

export interface ChildFigures {
  mode: string;
  resources: number;
  importMs: number;
  openMs: number;
  stepMs: number;
  totalMs: number;
  bytesWritten: number;
  checkpointBytes: number;
  maxRssMB: number;
}

/** A temporary backend with the `bench` stack created. */
export class BenchStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'sloth-bench-'));
  readonly backend = join(this.dir, 'backend');

  constructor() {
    this.child('create', 'memory', 'bench', 0);
  }

  /** Runs one operation; `cloud` is a directory or `memory`. */
  child(mode: 'create' | 'apply' | 'preview', cloud: string, graph: 'chains' | 'bench' | 'random', n: number, latencyMs = 0, parallel = 16, env?: NodeJS.ProcessEnv): ChildFigures & Measured {
    const m = timed(process.execPath, [BENCH_CHILD, mode, this.backend, cloud, graph, String(n), String(latencyMs), String(parallel)], { env });
    const figures = mode === 'create' ? ({} as ChildFigures) : (JSON.parse(m.stdout.trim().split('\n').at(-1)!) as ChildFigures);
    return { ...figures, ...m, maxRssMB: m.maxRssMB };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The passphrase key derivation alone, in a fresh process (median of `runs`), ms. */
export function kdfMs(runs = 3): number {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [BENCH_CHILD, 'kdf', '-', '-', '-', '0'], { encoding: 'utf8' });
    all.push((JSON.parse(r.stdout) as { kdfMs: number }).kdfMs);
  }
  return median(all);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
