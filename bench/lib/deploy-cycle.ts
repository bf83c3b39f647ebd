// A cloud's deploy cycle as a user runs it, shared by the provider benchmarks (azure-, gcp-,
// do-, linode-, hetzner-deploy): the fixture with N workers, then `stacks create`,
// `deploy --no-bootstrap`, a deploy with no change and `destroy`, each a CLI process against
// the cloud's stand-in, timed start to exit. The caller starts the stand-in and says how to
// count its API calls and what it holds after the deploy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cleanEnv, runProcess } from '../../test/helpers/cli.ts';

export interface Cycle<T> {
  deployMs: number;
  /** API calls the first deploy made. */
  calls: number;
  /** What the cloud held after it. */
  held: T;
  againMs: number;
  destroyMs: number;
}

export async function deployCycle<T>(o: { stack: string; fixture: URL; workers: number; env: Record<string, string>; calls: () => number; held: () => T }): Promise<Cycle<T>> {
  const dir = mkdtempSync(join(tmpdir(), `sloth-bench-${o.stack}-`));
  try {
    const config = join(dir, 'cluster.lisp');
    writeFileSync(config, readFileSync(o.fixture, 'utf8').replace(/\(count 2\)/, `(count ${o.workers})`));
    const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'bench', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...o.env });
    const run = async (args: string[]) => {
      const t0 = performance.now();
      const r = await runProcess(args, { env });
      if (r.code !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
      return performance.now() - t0;
    };
    await run(['stacks', 'create', o.stack]);
    const calls0 = o.calls();
    const deployMs = await run(['deploy', o.stack, '-c', config, '--no-bootstrap', '--yes']);
    const calls = o.calls() - calls0;
    const held = o.held();
    const againMs = await run(['deploy', o.stack, '-c', config, '--no-bootstrap', '--yes']);
    const destroyMs = await run(['destroy', o.stack, '--yes']);
    return { deployMs, calls, held, againMs, destroyMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `<what>: deploy 1.23 s (45 API calls), no-change deploy …, destroy …` */
export const cycleLine = (c: Cycle<unknown>, what: string): string => {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `${what}: deploy ${s(c.deployMs)} (${c.calls} API calls), no-change deploy ${s(c.againMs)}, destroy ${s(c.destroyMs)}`;
};
