// The crash test: deploys of a 50-resource graph (against the real file-backend stack and the
// file-backed test provider, in child processes) are SIGKILLed at random moments, many times
// over, with the desired graph changing between runs (creates, updates, replacements both
// ways, deletes). After each re-run the stack must equal the desired state, and the test
// cloud must hold exactly the objects the checkpoint tracks: no twin, no orphan, no loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStateStore } from '../state/index.ts';
import type { PropertyMap } from '../state/types.ts';
import { Secret } from '../state/types.ts';
import { FileCloud } from '../../test/provider/file-cloud.ts';
import { crashGraph, CRASH_GRAPH_SIZE, prng } from '../../test/provider/graphs.ts';
import { resolveInputs, reveal, valuesEqual } from './values.ts';
import { withSecrets } from './decide.ts';

const child = fileURLToPath(new URL('../../test/provider/crash-child.ts', import.meta.url));
const ITERATIONS = Number(process.env.SLOTH_CRASH_ITERATIONS ?? 16);
const PASSPHRASE = 'crash-test-passphrase';

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The child got as far as starting the deploy before it was killed. */
  killedInDeploy: boolean;
}

function runChild(args: string[], killAfterStartMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], { env: { PATH: process.env.PATH, HOME: args[0], PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedInDeploy = false;
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfterStartMs !== undefined && stdout.includes('started\n') && !killedInDeploy) {
        killedInDeploy = true;
        setTimeout(() => p.kill('SIGKILL'), killAfterStartMs);
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, killedInDeploy: killedInDeploy && signal === 'SIGKILL' }));
  });
}

async function verify(backend: string, cloudDir: string, variant: number, context: string): Promise<void> {
  const store = await openStateStore({ env: { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }, homedir: backend, cwd: backend, backendUrl: `file://${backend}` });
  try {
    const stack = await store.openStack('dev', { passphrase: async () => PASSPHRASE });
    const d = stack.deployment;
    assert.deepEqual(d.pendingOperations, [], `${context}: pending operations left`);
    assert.deepEqual(d.resources.filter((r) => r.delete).map((r) => r.urn), [], `${context}: old copies left`);
    const desired = crashGraph('dev', CRASH_GRAPH_SIZE, variant).build();
    const live = new Map(d.resources.map((r) => [r.urn, r]));
    const wanted = new Set(desired.resources.map((r) => r.urn));
    const extra = d.resources.filter((r) => r.type !== 'pulumi:pulumi:Stack' && !wanted.has(r.urn)).map((r) => r.urn);
    assert.deepEqual(extra, [], `${context}: resources the desired graph does not have`);
    const lookup = (urn: string): PropertyMap | undefined => live.get(urn)?.outputs;
    const cloud = new FileCloud(cloudDir);
    const objects = new Map(cloud.list().map((o) => [o.id, o]));
    for (const spec of desired.resources) {
      const r = live.get(spec.urn);
      assert.ok(r, `${context}: ${spec.urn} is missing from the stack`);
      if (!spec.custom || spec.type.startsWith('pulumi:providers:')) continue;
      const inputs = withSecrets(spec, resolveInputs(spec.inputs, lookup));
      assert.ok(valuesEqual(r.inputs ?? {}, inputs), `${context}: ${spec.urn} inputs differ from the desired state`);
      const obj = objects.get(r.id!);
      assert.ok(obj, `${context}: ${spec.urn} (${r.id}) is not in the cloud`);
      assert.deepEqual(obj.props, reveal(inputs), `${context}: ${spec.urn} cloud object differs`);
      assert.equal(obj.tag.length, 32);
    }
    const tracked = new Set(d.resources.filter((r) => r.custom && r.id).map((r) => r.id));
    const orphans = [...objects.keys()].filter((id) => !tracked.has(id));
    assert.deepEqual(orphans, [], `${context}: cloud objects the stack does not track`);
    const root = d.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!;
    assert.equal(root.outputs!.variant, variant);
    assert.ok(root.outputs!.secretNote instanceof Secret);
  } finally {
    store.close();
  }
}

test('SIGKILLed deploys of a 50-resource graph always converge: no duplicate, no orphan, no loss', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-crash-'));
  const backend = join(dir, 'backend');
  const cloudDir = join(dir, 'cloud');
  try {
    const store = await openStateStore({ env: {}, homedir: dir, cwd: dir, backendUrl: `file://${backend}` });
    await store.createStack('dev', { passphrase: PASSPHRASE });
    store.close();
    const rnd = prng(Number(process.env.SLOTH_CRASH_SEED ?? Date.now() % 100_000));
    let kills = 0;
    let inDeploy = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const variant = i === 0 ? 0 : Math.floor(rnd() * 6);
      const attempts = rnd() < 0.35 ? 2 : 1;
      for (let k = 0; k < attempts; k++) {
        const run = await runChild([backend, 'dev', cloudDir, String(variant)], Math.floor(rnd() * 110));
        if (run.signal === 'SIGKILL') kills++;
        if (run.killedInDeploy) inDeploy++;
        else assert.equal(run.code, 0, `run ${i}.${k} (variant ${variant}) failed:\n${run.stdout}${run.stderr}`);
        // What a user does after a killed run: the dead process's lock is stale; release it.
        const s = await openStateStore({ env: {}, homedir: dir, cwd: dir, backendUrl: `file://${backend}` });
        await s.cancel('dev');
        s.close();
      }
      const final = await runChild([backend, 'dev', cloudDir, String(variant)]);
      assert.equal(final.code, 0, `re-run ${i} (variant ${variant}) failed:\n${final.stdout}${final.stderr}`);
      await verify(backend, cloudDir, variant, `iteration ${i} (variant ${variant})`);
    }
    t.diagnostic(`${ITERATIONS} iterations, ${kills} SIGKILLs, ${inDeploy} of them during a deploy`);
    assert.ok(inDeploy >= ITERATIONS / 2, `only ${inDeploy} kills landed inside a deploy`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
