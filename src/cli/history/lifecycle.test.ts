// A cluster's whole life through the CLI against the simulated cloud, on a file backend and
// on S3 (moto): deploy, scale up, scale down, pool add, pool remove, a failed manifest, and a
// rollback — asserting after each step the deployment metadata, change log, snapshots,
// manifest registry and audit events the stack holds.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { configHash, loadConfigFile } from '../../config/index.ts';
import { FileCloud } from '../../../test/provider/file-cloud.ts';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { MOTO_MISSING, startMoto } from '../../../test/helpers/moto.ts';
import type { MotoServer } from '../../../test/helpers/moto.ts';
import { createBucket, s3Url } from '../../../test/helpers/s3.ts';
import pkg from '../../../package.json' with { type: 'json' };
import { HistoryEnv } from './testing.ts';
import { reveal } from '../../state/index.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/history');
const step = (n: string) => join(fixtures, `lifecycle-${n}.lisp`);
const TOKEN = 'dop_v1_lifecycle_planted_token_4f9e2a';
const DEPLOY_ID = /^deploy-(\d+)-\d{4}-\d{2}-\d{2}$/;

let moto: MotoServer | undefined;
let unregister: () => void;
before(async () => {
  moto = await startMoto();
  unregister = registerSimulatedClouds();
});
after(async () => {
  unregister();
  await moto?.stop();
});

for (const backend of ['file', 'moto S3'] as const) {
  describe(`a cluster's life on ${backend}`, () => {
    test('deploy, scale up, scale down, pool add, pool remove, failure, rollback — metadata, change log, snapshots, manifests and audit after each step', async (t) => {
      if (backend === 'moto S3' && !moto) return t.skip(MOTO_MISSING);
      const url = backend === 'file' ? undefined : s3Url(await createBucket(moto!.endpoint, moto!.env), moto!.endpoint);
      const e = new HistoryEnv(url, { ...(backend === 'file' ? {} : moto!.env), DIGITALOCEAN_TOKEN: TOKEN });
      try {
        await lifecycle(e);
      } finally {
        e.cleanup();
      }
    });
  });
}

async function lifecycle(e: HistoryEnv): Promise<void> {
  const manifest = join(e.dir, 'web-app.yaml');
  writeFileSync(manifest, readFileSync(join(fixtures, 'web-app.yaml')));
  const deploy = async (n: string, extra: string[] = [], code = 0) => {
    const r = await e.run(['--actor', 'alice', 'deploy', '--config', step(n), '--yes', ...extra]);
    assert.equal(r.code, code, `deploy ${n}: ${r.stderr}${r.stdout.slice(-2000)}`);
    return r;
  };

  // 0. The stack: its creation is the first audit event.
  assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
  let rec = await e.records('lifecycle');
  assert.deepEqual(rec.events.map((x) => [x.type, x.action, x.actor, x.success]), [['state', 'create', `tester@${hostname()}`, true]]);

  // 1. The first deployment.
  await deploy('1-initial', ['--manifest', manifest]);
  rec = await e.records('lifecycle');
  const m1 = rec.meta!;
  assert.match(m1.deploymentId, DEPLOY_ID);
  assert.equal(m1.deploymentId.split('-')[1], '1');
  assert.deepEqual(
    [m1.deploymentCount, m1.currentNodeCount, m1.previousNodeCount, m1.lastScaleOperation, m1.nodePoolsAdded, m1.nodePoolsRemoved, m1.nodePoolsScaled, m1.parentStateId, m1.slothVersion, m1.schemaVersion],
    [1, 3, 0, 'initial', ['masters', 'workers'], [], [], '', pkg.version, '2.0'],
  );
  assert.deepEqual(m1.changeLog.map((x) => [x.changeType, x.resourceId, x.actor]), [
    ['cluster_created', 'lifecycle', 'alice'],
    ['pool_added', 'masters', 'alice'],
    ['pool_added', 'workers', 'alice'],
  ]);
  const config1 = (await loadConfigFile(step('1-initial'), { env: e.env })).config;
  assert.equal(m1.configVersion.config_hash, configHash(config1));
  assert.equal(rec.snapshots.length, 1);
  const s1 = rec.snapshots[0]!;
  assert.equal(s1.id, m1.stateSnapshotId);
  assert.equal(s1.inputs.lispManifest, readFileSync(step('1-initial'), 'utf8'));
  assert.equal(JSON.parse(s1.inputs.configJson).providers.digitalocean.token, TOKEN, 'the snapshot keeps the config with its secrets (sealed)');
  assert.deepEqual(s1.inputs.options.manifests.map((m) => m.name), ['web-app']);
  assert.deepEqual(Object.fromEntries(Object.values(s1.pools).map((p) => [p.name, p.count])), { masters: 1, workers: 2 });
  const ids = Object.keys(rec.registry.manifests).sort();
  assert.deepEqual(ids, ['argocd-app-of-apps', 'argocd-install', 'k3s-config-masters-1', 'k3s-config-workers-1', 'k3s-config-workers-2', 'user-web-app']);
  for (const m of Object.values(rec.registry.manifests)) assert.deepEqual([m.id, m.version, m.status], [m.id, 'v1', 'applied']);
  assert.deepEqual(rec.registry.manifests['k3s-config-workers-1']!.dependencies, ['k3s-config-masters-1']);
  assert.deepEqual(rec.registry.manifests['argocd-app-of-apps']!.dependencies, ['argocd-install']);
  assert.equal(m1.manifestCount, 6);
  const deployEvents = rec.events.filter((x) => x.metadata.command === 'deploy');
  assert.equal(new Set(deployEvents.map((x) => x.correlationId)).size, 1, 'one correlation id per command run');
  assert.ok(deployEvents.every((x) => x.actor === 'alice'));
  assert.deepEqual(deployEvents.filter((x) => x.type === 'manifest').map((x) => x.action), Array(6).fill('apply'));
  const last = deployEvents.at(-1)!;
  assert.deepEqual([last.type, last.action, last.success], ['deployment', 'apply', true]);
  assert.ok(last.durationMs > 0);
  assert.match(last.description, /succeeded: \d+ created/);
  assert.ok(rec.verify.ok, rec.verify.problems.join('; '));
  assert.ok(reveal(rec.outputs.auditIndex), 'the chain head is anchored in the checkpoint');

  // The same config again: nothing to do, nothing recorded but the command itself.
  const same = await deploy('1-initial', ['--manifest', manifest]);
  assert.match(same.stdout, /No changes\./);
  rec = await e.records('lifecycle');
  assert.equal(rec.meta!.deploymentId, m1.deploymentId);
  assert.equal(rec.snapshots.length, 1);
  assert.match(rec.events.at(-1)!.description, /no changes/);

  // 2. Scale up, with a new version of the user manifest.
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('replicas: 2', 'replicas: 3'));
  await deploy('2-scale-up', ['--manifest', manifest]);
  rec = await e.records('lifecycle');
  const m2 = rec.meta!;
  assert.equal(m2.deploymentCount, 2);
  assert.deepEqual([m2.currentNodeCount, m2.previousNodeCount, m2.lastScaleOperation, m2.nodePoolsScaled, m2.nodePoolsAdded], [5, 3, 'scale-up', ['workers'], []]);
  assert.deepEqual(m2.changeLog.map((x) => x.changeType), ['scale_up', 'pool_scaled', 'config_updated']);
  assert.equal(m2.changeLog[1]!.description, "Node pool 'workers' scaled from 2 to 4");
  assert.match(m2.changeLog[2]!.description, /^Configuration updated: node-pools\.workers\.count$/);
  assert.equal(m2.configVersion.parent_hash, m1.configVersion.config_hash);
  assert.equal(m2.parentStateId, m1.stateSnapshotId);
  assert.equal(m2.previousDeployments[0]!.deploymentId, m1.deploymentId);
  assert.deepEqual(['workers-3', 'workers-4'].map((w) => rec.registry.manifests[`k3s-config-${w}`]?.status), ['applied', 'applied']);
  const web = rec.registry.manifests['user-web-app']!;
  assert.deepEqual([web.version, web.status, web.parentHash], ['v2', 'applied', rec.registry.manifests['user-web-app']!.history[0]!.hash]);
  const diff = await e.run(['manifests', 'diff', 'lifecycle', 'user-web-app']);
  assert.equal(diff.code, 0, diff.stderr);
  assert.match(diff.stdout, /^--- user-web-app v1\n\+\+\+ user-web-app v2\n@@ [^\n]+\n(?: [^\n]*\n)*- {2}replicas: 2\n\+ {2}replicas: 3\n/);
  // --live reads the cluster over SSH (src/cli/manifests/live.test.ts); here only its flag rule.
  const live = await e.run(['manifests', 'diff', 'lifecycle', 'user-web-app', '--live', '--from', 'v1']);
  assert.equal(live.code, 1);
  assert.match(live.stderr, /--live compares the current version with the cluster/);

  // A manifest that fails to apply: the deploy fails, the manifest is `failed`, no deployment is recorded.
  const cloud = new FileCloud(e.env.SLOTH_SIM_CLOUD!);
  cloud.setFaults({ 'manifest-web-app': { update: { error: 'permanent', message: 'admission webhook denied the request' } } });
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('replicas: 3', 'replicas: 4'));
  const failed = await deploy('2-scale-up', ['--manifest', manifest], 1);
  assert.match(failed.stdout, /admission webhook denied/);
  rec = await e.records('lifecycle');
  assert.equal(rec.meta!.deploymentId, m2.deploymentId, 'a failed deploy is not a deployment');
  assert.equal(rec.snapshots.length, 2);
  assert.deepEqual([rec.registry.manifests['user-web-app']!.version, rec.registry.manifests['user-web-app']!.status], ['v3', 'failed']);
  const failure = rec.events.at(-1)!;
  assert.deepEqual([failure.type, failure.action, failure.success, failure.severity], ['deployment', 'apply', false, 'error']);
  assert.ok(rec.events.some((x) => x.type === 'manifest' && x.resourceId === 'user-web-app' && !x.success));
  const failedList = await e.run(['manifests', 'list', 'lifecycle', '--status', 'failed', '--json']);
  assert.deepEqual((JSON.parse(failedList.stdout) as { id: string }[]).map((m) => m.id), ['user-web-app']);
  cloud.setFaults({});

  // 3. Scale down (the fixed manifest goes out with it).
  await deploy('3-scale-down', ['--manifest', manifest]);
  rec = await e.records('lifecycle');
  const m3 = rec.meta!;
  assert.deepEqual([m3.deploymentCount, m3.currentNodeCount, m3.previousNodeCount, m3.lastScaleOperation], [3, 2, 5, 'scale-down']);
  assert.deepEqual(m3.changeLog.map((x) => [x.changeType, x.oldValue, x.newValue]), [
    ['scale_down', '5', '2'],
    ['pool_scaled', '4', '1'],
    ['config_updated', m2.configVersion.config_hash, m3.configVersion.config_hash],
  ]);
  assert.deepEqual(['workers-2', 'workers-3', 'workers-4'].map((w) => rec.registry.manifests[`k3s-config-${w}`]!.status), ['deleted', 'deleted', 'deleted']);
  assert.deepEqual([rec.registry.manifests['user-web-app']!.version, rec.registry.manifests['user-web-app']!.status], ['v3', 'applied']);

  // 4. A pool added.
  await deploy('4-pool-add', ['--manifest', manifest]);
  rec = await e.records('lifecycle');
  const m4 = rec.meta!;
  assert.deepEqual([m4.currentNodeCount, m4.lastScaleOperation, m4.nodePoolsAdded, m4.nodePoolsRemoved], [4, 'scale-up', ['batch'], []]);
  assert.deepEqual(m4.changeLog.map((x) => x.changeType), ['scale_up', 'pool_added', 'config_updated']);
  assert.equal(m4.changeLog[1]!.description, "Node pool 'batch' added with 2 nodes");

  // 5. A pool removed, and the user manifest no longer passed.
  await deploy('5-pool-remove', ['-m', 'batch moves to its own cluster']);
  rec = await e.records('lifecycle');
  const m5 = rec.meta!;
  assert.deepEqual([m5.currentNodeCount, m5.previousNodeCount, m5.lastScaleOperation, m5.nodePoolsRemoved], [3, 4, 'scale-down', ['workers']]);
  assert.deepEqual(m5.changeLog.map((x) => x.changeType), ['scale_down', 'pool_removed', 'config_updated']);
  assert.equal(rec.registry.manifests['user-web-app']!.status, 'deleted');
  assert.equal(rec.registry.manifests['k3s-config-workers-1']!.status, 'deleted');
  assert.equal(rec.snapshots.length, 5);

  // 6. Rollback to deployment 2: it would destroy the batch machines, so it needs --allow-destroy.
  const target = rec.snapshots.find((s) => s.deploymentId === m2.deploymentId)!;
  const refused = await e.run(['rollback', 'lifecycle', '--to', m2.deploymentId, '--yes']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /would destroy or replace 2 resources that hold data:\n {2}urn:pulumi:lifecycle::sloth-kubernetes::digitalocean:index\/droplet:Droplet::batch-1 — destroyed; a machine/);
  assert.match(refused.stderr, /refusing to roll back[\s\S]*--allow-destroy/);
  rec = await e.records('lifecycle');
  assert.equal(rec.meta!.deploymentId, m5.deploymentId, 'a refused rollback changes nothing');
  assert.deepEqual([rec.events.at(-1)!.type, rec.events.at(-1)!.action, rec.events.at(-1)!.success], ['rollback', 'rollback', false]);

  const rb = await e.run(['--actor', 'bob', 'rollback', 'lifecycle', '--to', target.id.slice(0, 20), '--yes', '--allow-destroy', '--reason', 'the batch pool broke the jobs']);
  assert.equal(rb.code, 0, rb.stderr);
  rec = await e.records('lifecycle');
  const m6 = rec.meta!;
  assert.equal(m6.deploymentCount, 6);
  assert.equal(m6.changeLog[0]!.changeType, 'rollback');
  assert.equal(m6.changeLog[0]!.actor, 'bob');
  assert.match(m6.changeLog[0]!.description, new RegExp(`^Rollback to ${m2.deploymentId} \\(snapshot ${target.id}\\): the batch pool broke the jobs$`));
  assert.deepEqual([m6.rollbackTarget, m6.rollbackReason], [m2.deploymentId, 'the batch pool broke the jobs']);
  assert.equal(m6.configVersion.config_hash, m2.configVersion.config_hash, 'the rolled-back configuration is the snapshot’s');
  assert.deepEqual([m6.currentNodeCount, m6.nodePoolsAdded, m6.nodePoolsRemoved], [5, ['workers'], ['batch']]);
  assert.equal(reveal(rec.outputs.lispManifest), target.inputs.lispManifest);
  assert.equal(rec.registry.manifests['user-web-app']!.status, 'applied', 'the snapshot’s manifests come back');
  const statuses = JSON.parse((await e.run(['snapshots', 'list', 'lifecycle', '--json'])).stdout) as { deploymentId: string; status: string }[];
  assert.deepEqual(statuses.slice(0, 2).map((s) => [s.deploymentId, s.status]), [[m6.deploymentId, 'active'], [m5.deploymentId, 'rolled_back']]);
  const sd = JSON.parse((await e.run(['snapshots', 'diff', 'lifecycle', m5.deploymentId, m6.deploymentId, '--json'])).stdout) as { poolChanges: unknown[]; resourceChanges: { urn: string; change: string }[] };
  assert.deepEqual(sd.poolChanges, [{ pool: 'workers', change: 'added', to: '4' }, { pool: 'batch', change: 'removed', from: '2' }]);
  assert.ok(sd.resourceChanges.some((r) => r.change === 'removed' && r.urn.endsWith('Droplet::batch-1')));

  // The history, newest first, with actors, config hashes and summaries.
  const history = JSON.parse((await e.run(['history', 'lifecycle', '--json'])).stdout) as { deploymentId: string; actor: string; configHash: string; current: boolean; summary: string }[];
  assert.deepEqual(history.map((h) => Number(DEPLOY_ID.exec(h.deploymentId)![1])), [6, 5, 4, 3, 2, 1]);
  assert.deepEqual(history.map((h) => h.actor), ['bob', 'alice', 'alice', 'alice', 'alice', 'alice']);
  assert.equal(history[0]!.current, true);
  assert.equal(history[4]!.configHash, m2.configVersion.config_hash);
  const text = await e.run(['history', 'lifecycle', '--limit', '2']);
  assert.match(text.stdout, /^DEPLOYMENT +TIME +ACTOR +CONFIG +NODES +CHANGES +MESSAGE\ndeploy-6-[\d-]+ \* +[\d: -]+ +bob +[0-9a-f]{12} +5 +Rollback to deploy-2.* -\n/);
  assert.match(text.stdout, /\ndeploy-5-[\d-]+ +[\d: -]+ +alice .* batch moves to its own cluster\n/, 'the -m message of each deployment');
  assert.match(text.stdout, /4 older deployment\(s\) not shown/);

  // The audit log: queries, summary, and the chain intact.
  assert.ok(rec.verify.ok, rec.verify.problems.join('; '));
  const rollbacks = JSON.parse((await e.run(['audit', 'lifecycle', '--type', 'rollback', '--json'])).stdout) as { actor: string; success: boolean }[];
  assert.deepEqual(rollbacks.map((x) => [x.actor, x.success]), [[`tester@${hostname()}`, false], ['bob', true], ['bob', true]]);
  const failures = JSON.parse((await e.run(['audit', 'lifecycle', '--failed', '--json'])).stdout) as { type: string }[];
  assert.ok(failures.length >= 3);
  const byBob = JSON.parse((await e.run(['audit', 'lifecycle', '--actor', 'bob', '--json'])).stdout) as { actor: string }[];
  assert.ok(byBob.length > 0 && byBob.every((x) => x.actor === 'bob'));
  const summary = JSON.parse((await e.run(['audit', 'summary', 'lifecycle', '--json'])).stdout) as { totalEvents: number; failureCount: number; topActors: { name: string }[]; eventsByType: Record<string, number> };
  assert.equal(summary.totalEvents, rec.events.length, 'listing, history and snapshots read no secret: they add no event');
  assert.equal(summary.topActors[0]!.name, 'alice');
  assert.ok(summary.eventsByType.manifest! > 10);
  const verify = await e.run(['audit', 'verify', 'lifecycle']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /✓ The audit log of stack 'lifecycle' is intact/);

  // Concurrent appenders in separate processes (read-only commands take no lock): the chain never forks.
  const runs = await Promise.all([e.process(['stacks', 'cancel', 'lifecycle']), e.process(['stacks', 'cancel', 'lifecycle']), e.process(['audit', 'verify', 'lifecycle']), e.process(['stacks', 'output', 'lifecycle', '--show-secrets'])]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  rec = await e.records('lifecycle');
  assert.ok(rec.verify.ok, rec.verify.problems.join('; '));
  const seqs = rec.batches.map((b) => b.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i));
  assert.equal(rec.events.filter((x) => x.action === 'unlock').length, 2);
  assert.equal(rec.events.filter((x) => x.action === 'read' && x.metadata.command === 'stacks output').length, 1);
}
