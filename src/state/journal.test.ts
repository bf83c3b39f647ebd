import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openStateStore, Secret, StackLockedError } from './index.ts';
import type { ResourceState } from './index.ts';

const writer = fileURLToPath(new URL('../../test/fixtures/state/writer.ts', import.meta.url));
const passphrase = async () => 'pw';
let home: string;
before(() => {
  home = mkdtempSync(join(tmpdir(), 'journal-'));
});
after(() => rmSync(home, { recursive: true, force: true }));

const resource = (i: number): ResourceState => ({
  urn: `urn:pulumi:dev::sloth-kubernetes::test:index:Thing::r${i}`,
  custom: true,
  type: 'test:index:Thing',
  id: `id-${i}`,
  inputs: { size: 's-2vcpu-4gb', region: 'nyc3', index: i },
  outputs: { ip: `10.0.${i >> 8}.${i & 255}`, token: new Secret(`tok-${i}`) },
  dependencies: i > 0 ? [`urn:pulumi:dev::sloth-kubernetes::test:index:Thing::r${i - 1}`] : [],
});

async function bytesFor(n: number): Promise<{ records: number; total: number }> {
  const store = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${home}/n${n}` }, homedir: home, cwd: home });
  await store.createStack('dev', { passphrase: 'pw' });
  const u = await (await store.openStack('dev', { passphrase })).beginUpdate('update');
  const start = store.blob.stats.bytesWritten;
  // One step at a time, as the engine records them during an apply.
  for (let i = 0; i < n; i++) await u.record([{ op: 'put', resource: resource(i) }]);
  const records = store.blob.stats.bytesWritten - start;
  await u.finish({ result: 'succeeded', resourceChanges: { create: n } });
  const total = store.blob.stats.bytesWritten - start;
  store.close();
  return { records, total };
}

test('bytes written for N recorded steps grow linearly with N', async () => {
  const [a, b] = [await bytesFor(100), await bytesFor(400)];
  const ratio = b.records / a.records;
  // Linear: 4x the steps write ~4x the bytes. Rewriting the checkpoint per step would be ~16x.
  assert.ok(ratio > 3.6 && ratio < 4.4, `records ratio ${ratio.toFixed(2)} (${a.records} → ${b.records})`);
  const totalRatio = b.total / a.total;
  assert.ok(totalRatio > 3.5 && totalRatio < 4.5, `total ratio ${totalRatio.toFixed(2)}`);
  // A step costs about one resource's worth of bytes, not a stack's worth.
  assert.ok(b.records / 400 < 1000, `${(b.records / 400).toFixed(0)} bytes per step`);
});

test('concurrent record() calls are coalesced into fewer journal writes, in call order', async () => {
  const store = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${home}/coalesce` }, homedir: home, cwd: home });
  await store.createStack('dev', { passphrase: 'pw' });
  const u = await (await store.openStack('dev', { passphrase })).beginUpdate('update');
  const writes = store.blob.stats.writes;
  await Promise.all(Array.from({ length: 50 }, (_, i) => u.record([{ op: 'put', resource: resource(i) }])));
  const journalWrites = store.blob.stats.writes - writes;
  assert.ok(journalWrites < 50, `${journalWrites} writes for 50 concurrent records`);
  await u.record([{ op: 'mark-delete', urn: resource(3).urn }, { op: 'put', resource: { ...resource(3), id: 'new' } }]);
  await u.record([{ op: 'remove', urn: resource(3).urn, deleted: true }, { op: 'remove', urn: resource(4).urn }]);
  await u.record([{ op: 'pending', operation: { type: 'creating', resource: resource(99) } }]);
  await u.abandon();
  const s = await store.openStack('dev', { passphrase, integrity: 'report' });
  assert.equal(s.deployment.resources.length, 49);
  assert.equal(s.deployment.resources.find((r) => r.urn === resource(3).urn)!.id, 'new');
  assert.equal(s.deployment.pendingOperations.length, 1);
  store.close();
});

test('a writer killed with SIGKILL mid-update loses nothing it recorded', async () => {
  const url = `file://${home}/crash`;
  const store = await openStateStore({ env: { PULUMI_BACKEND_URL: url }, homedir: home, cwd: home });
  await store.createStack('dev', { passphrase: 'pw' });
  const child = spawn(process.execPath, [writer, url, 'dev', 'crash', '100000'], {
    env: { HOME: home, PATH: process.env.PATH, PULUMI_CONFIG_PASSPHRASE: 'pw' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let recorded = 0;
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^recorded (\d+)$/.exec(line);
    if (m) recorded = Number(m[1]);
    if (recorded >= 40) {
      child.kill('SIGKILL');
      break;
    }
  }
  await new Promise((r) => child.once('exit', r));
  const s = await store.openStack('dev', { passphrase });
  const mine = s.deployment.resources.filter((r) => r.urn.includes(`::r${child.pid}-`));
  assert.ok(mine.length >= recorded, `${mine.length} resources survived, ${recorded} were recorded`);
  for (let i = 0; i < recorded; i++) {
    const r = mine.find((x) => x.urn.endsWith(`-${i}`));
    assert.ok(r, `resource ${i} lost`);
    assert.equal((r.outputs!.key as Secret).value, `k${i}`);
  }
  // The dead writer's lock is stale; once cancelled, the next update folds the journal in.
  await assert.rejects(s.beginUpdate('update'), (e: unknown) => e instanceof StackLockedError && /Stale lock/.test(e.hint ?? ''));
  await store.cancel('dev');
  const u = await s.beginUpdate('update');
  await u.finish({ result: 'succeeded', resourceChanges: {} });
  const after = await store.openStack('dev', { passphrase });
  assert.equal(after.journalRecords, 0);
  assert.ok(after.deployment.resources.filter((r) => r.urn.includes(`::r${child.pid}-`)).length >= recorded);
  store.close();
});

test('record() refuses malformed resources and values before anything is written', async () => {
  const store = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${home}/invalid` }, homedir: home, cwd: home });
  await store.createStack('dev', { passphrase: 'pw' });
  const u = await (await store.openStack('dev', { passphrase })).beginUpdate('update');
  const writes = store.blob.stats.writes;
  await assert.rejects(u.record([{ op: 'put', resource: { urn: 'x', custom: true, type: 't' } }]), /needs a urn/);
  await assert.rejects(u.record([{ op: 'put', resource: { urn: resource(1).urn, custom: false, type: 't', id: 'i' } }]), /cannot have an id/);
  await assert.rejects(u.record([{ op: 'put', resource: { ...resource(1), outputs: { when: new Date() as never } } }]), /is not a property value/);
  assert.equal(store.blob.stats.writes, writes);
  assert.equal(u.deployment.resources.length, 0);
  await u.abandon();
  store.close();
});
