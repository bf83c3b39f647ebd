// Ctrl-C on a real process: the first SIGINT stops starting steps and saves; the second
// aborts running calls. Either way the next deploy converges. SIGTERM is handled the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliStackEnv } from '../../test/provider/cli-env.ts';

const child = fileURLToPath(new URL('../../test/provider/deploy-child.ts', import.meta.url));

function deployProcess(e: CliStackEnv, sigints: number, latencyMs = 150, { signal = 'SIGINT', operation = 'deploy' }: { signal?: NodeJS.Signals; operation?: 'deploy' | 'destroy' } = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, 'dev', '8', String(latencyMs), operation], { env: e.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = false;
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (sigints > 0 && !sent && /w\d: (creating|deleting)/.test(out)) {
        sent = true;
        for (let i = 0; i < sigints; i++) setTimeout(() => p.kill(signal), 10 + i * 20);
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

test('SIGINT once: running steps finish and are saved, nothing new starts, exit 130; the next deploy converges', async () => {
  const e = new CliStackEnv();
  try {
    await e.create();
    const r = await deployProcess(e, 1);
    assert.equal(r.code, 130, r.out + r.err);
    assert.match(r.out, /Stopping: no new steps start/);
    const created = e.cloud.list().length;
    assert.ok(created >= 1 && created < 8, `${created} created`);
    const { store, stack } = await e.open();
    assert.equal(stack.deployment.pendingOperations.length, 0);
    assert.equal(stack.deployment.resources.filter((r) => r.type === 'test:index:Thing').length, created);
    store.close();
    const again = await deployProcess(e, 0, 1);
    assert.equal(again.code, 0, again.out + again.err);
    assert.equal(e.cloud.list().length, 8);
  } finally {
    e.cleanup();
  }
});

test('SIGINT twice: running calls are aborted, exit 130, the lock is released; the next deploy converges', async () => {
  const e = new CliStackEnv();
  try {
    await e.create();
    const r = await deployProcess(e, 2, 2_000);
    assert.equal(r.code, 130, r.out + r.err);
    assert.match(r.out, /Aborting running steps/);
    const again = await deployProcess(e, 0, 1);
    assert.equal(again.code, 0, again.out + again.err);
    assert.equal(e.cloud.list().length, 8);
    const { store, stack } = await e.open();
    assert.equal(stack.deployment.pendingOperations.length, 0);
    store.close();
  } finally {
    e.cleanup();
  }
});

test('SIGTERM during destroy is Ctrl-C: running deletes finish and are saved, nothing new starts, the lock is released, exit 130', async () => {
  const e = new CliStackEnv();
  try {
    await e.create();
    // The deletes take the latency the stack's provider was deployed with.
    assert.equal((await deployProcess(e, 0, 150)).code, 0);
    const r = await deployProcess(e, 1, 150, { signal: 'SIGTERM', operation: 'destroy' });
    assert.equal(r.code, 130, r.out + r.err);
    assert.match(r.out, /Stopping: no new steps start/);
    const left = e.cloud.list().length;
    assert.ok(left >= 1 && left < 8, `${left} left`);
    const { store, stack } = await e.open();
    assert.equal(stack.deployment.pendingOperations.length, 0);
    assert.equal(stack.deployment.resources.filter((x) => x.type === 'test:index:Thing').length, left);
    store.close();
    // No stale lock: the next destroy runs at once and finishes.
    const again = await deployProcess(e, 0, 1, { operation: 'destroy' });
    assert.equal(again.code, 0, again.out + again.err);
    assert.equal(e.cloud.list().length, 0);
  } finally {
    e.cleanup();
  }
});
