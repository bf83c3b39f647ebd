// The crash test every cloud runs (test/e2e/<cloud>/crash.test.ts): a real `deploy` process is
// SIGKILLed after a seeded random number of started steps (once or twice in a row), then
// deploy runs to the end.
// Afterwards the cloud holds exactly what the stack tracks — every tracked id exists, nothing
// exists that is not tracked — a further deploy changes nothing, and destroy leaves the cloud
// empty. The kill points come from a seeded generator (SLOTH_CRASH_SEED replays a run).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { launcher, runProcess } from '../helpers/cli.ts';

/** Mulberry32: small, seeded, good enough to spread kill points. */
export function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Tracked {
  type: string;
  id: string;
  urn: string;
}

export interface CrashRun {
  env: Record<string, string | undefined>;
  config: string;
  /** Type prefix of the cloud's resources in the stack (`azure:`, `gcp:`). */
  typePrefix: string;
  rounds: number;
  seed: number;
  /** The cloud's objects now, by resource type, as ids in the form the stack keeps them. */
  cloud(): Record<string, string[]>;
}

/**
 * A deploy SIGKILLed once it has started `steps` steps (read from its --json event stream), so
 * the kill lands inside the run whatever the machine's load; a run with fewer steps ends on its own.
 */
function deployKilledAfter(run: CrashRun, stack: string, steps: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, 'deploy', stack, '-c', run.config, '--no-bootstrap', '--yes', '--json'], { env: run.env, stdio: ['ignore', 'pipe', 'ignore'] });
    let started = 0;
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.includes('"type":"step-start"') && ++started === steps) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ killed: signal === 'SIGKILL', code }));
  });
}

async function sloth(run: CrashRun, args: string[]): Promise<string> {
  const r = await runProcess(args, { env: run.env });
  assert.equal(r.code, 0, `sloth ${args.join(' ')}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return r.stdout;
}

async function tracked(run: CrashRun, stack: string): Promise<Tracked[]> {
  const exported = JSON.parse(await sloth(run, ['stacks', 'export', stack])) as { deployment: { resources?: Tracked[]; pending_operations?: unknown[] } };
  assert.deepEqual(exported.deployment.pending_operations ?? [], [], 'no operation left pending');
  return (exported.deployment.resources ?? []).filter((r) => r.type.startsWith(run.typePrefix));
}

function assertCloudMatches(run: CrashRun, resources: Tracked[], context: string): void {
  for (const [type, ids] of Object.entries(run.cloud())) {
    const inStack = resources.filter((r) => r.type === type).map((r) => r.id.toLowerCase()).sort();
    assert.deepEqual(ids.map((i) => i.toLowerCase()).sort(), inStack, `${context}: ${type} in the cloud = in the stack`);
  }
}

/** Runs the rounds; answers how many runs were killed mid-way. */
export async function crashRounds(run: CrashRun, stackPrefix: string): Promise<number> {
  const next = random(run.seed);
  let kills = 0;
  for (let round = 1; round <= run.rounds; round++) {
    const stack = `${stackPrefix}-${round}`;
    await sloth(run, ['stacks', 'create', stack]);
    const interruptions = 1 + Math.floor(next() * 2);
    for (let i = 0; i < interruptions; i++) {
      // The first kill lands inside a deploy (each cloud's fixture has over 20 steps); a second
      // one, on a deploy that finishes the interrupted one, may find fewer steps left.
      const r = await deployKilledAfter(run, stack, 1 + Math.floor(next() * (i === 0 ? 12 : 20)));
      if (r.killed) {
        kills++;
        // The dead process's lock: released as a user would after a crash.
        await sloth(run, ['stacks', 'cancel', stack]);
      } else assert.equal(r.code, 0, `round ${round}: an uninterrupted deploy succeeds`);
    }
    await sloth(run, ['deploy', stack, '-c', run.config, '--no-bootstrap', '--yes']);
    assertCloudMatches(run, await tracked(run, stack), `round ${round}`);
    const again = await runProcess(['deploy', stack, '-c', run.config, '--no-bootstrap', '--yes'], { env: run.env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No changes\.|Resources: 0 created, 0 updated, 0 replaced, 0 deleted/, `round ${round}: converged`);
    await sloth(run, ['destroy', stack, '--yes']);
    assertCloudMatches(run, [], `round ${round} destroyed`);
  }
  return kills;
}
