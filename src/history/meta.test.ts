import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextDeploymentMeta, changeSummary, PREVIOUS_DEPLOYMENTS_KEPT } from './meta.ts';
import type { DeploymentFacts } from './meta.ts';
import type { PoolInfo } from './types.ts';

const pools = (spec: Record<string, number>): Record<string, PoolInfo> => Object.fromEntries(Object.entries(spec).map(([name, count]) => [name, { name, count, provider: 'aws', size: 't3.medium' }]));
const facts = (over: Partial<DeploymentFacts>): DeploymentFacts => ({
  now: new Date('2026-01-05T11:42:41.697Z'),
  actor: 'alice@laptop',
  clusterName: 'my-cluster',
  configHash: 'a'.repeat(64),
  lispChecksum: 'fcf6d2664734ffeb623fade4b67a0846ff0cbfa32bcf50ce739513113c790cc1',
  pools: pools({ masters: 3, workers: 5 }),
  nodeCount: 8,
  previousNodeCount: 0,
  toolVersion: '0.1.0',
  migrations: [],
  ...over,
});

// The field order of the seed's "DeploymentMetadata Structure" example.
const SEED_KEYS = ['createdAt', 'updatedAt', 'lastDeployedAt', 'deploymentId', 'deploymentCount', 'configVersion', 'schemaVersion', 'configChecksum', 'currentNodeCount', 'previousNodeCount', 'lastScaleOperation', 'nodePoolsAdded', 'nodePoolsRemoved', 'nodePoolsScaled', 'changeLog', 'previousDeployments', 'stateSnapshotId', 'parentStateId', 'slothVersion', 'pulumiVersion'];

test('the first deployment: the seed structure, cluster_created and pool_added entries, ids from the date and checksum', () => {
  const m = nextDeploymentMeta(undefined, facts({}));
  assert.deepEqual(Object.keys(m), SEED_KEYS);
  assert.equal(m.deploymentId, 'deploy-1-2026-01-05');
  assert.equal(m.deploymentCount, 1);
  assert.equal(m.createdAt, '2026-01-05T11:42:41Z');
  assert.deepEqual(Object.keys(m.configVersion), ['schema_version', 'config_hash', 'created_at', 'updated_at', 'metadata']);
  assert.equal(m.configVersion.schema_version, '2.0');
  assert.equal(m.lastScaleOperation, 'initial');
  assert.deepEqual(m.nodePoolsAdded, ['masters', 'workers']);
  assert.deepEqual(
    m.changeLog.map((e) => [e.changeType, e.resourceId, e.description, e.actor]),
    [
      ['cluster_created', 'my-cluster', 'Initial cluster deployment with 8 nodes', 'alice@laptop'],
      ['pool_added', 'masters', "Initial node pool 'masters' created", 'alice@laptop'],
      ['pool_added', 'workers', "Initial node pool 'workers' created", 'alice@laptop'],
    ],
  );
  assert.equal(m.stateSnapshotId, 'state-deploy-1-2026-01-05-fcf6d266');
  assert.equal(m.parentStateId, '');
  assert.equal(m.slothVersion, '0.1.0');
});

test('scale up, scale down, pool add/remove/scale and config change are computed from the previous deployment', () => {
  const m1 = nextDeploymentMeta(undefined, facts({}));
  const m2 = nextDeploymentMeta(m1, facts({ now: new Date('2026-01-06T08:00:00Z'), configHash: 'b'.repeat(64), lispChecksum: 'c'.repeat(64), pools: pools({ masters: 3, workers: 7, gpu: 2 }), previousPools: pools({ masters: 3, workers: 5 }), nodeCount: 12, previousNodeCount: 8, changedPaths: ['node-pools.gpu', 'node-pools.workers.count'] }));
  assert.equal(m2.deploymentId, 'deploy-2-2026-01-06');
  assert.equal(m2.createdAt, m1.createdAt);
  assert.equal(m2.previousNodeCount, 8);
  assert.equal(m2.lastScaleOperation, 'scale-up');
  assert.deepEqual([m2.nodePoolsAdded, m2.nodePoolsRemoved, m2.nodePoolsScaled], [['gpu'], [], ['workers']]);
  assert.deepEqual(m2.changeLog.map((e) => e.changeType), ['scale_up', 'pool_added', 'pool_scaled', 'config_updated']);
  assert.equal(m2.changeLog[3]!.description, 'Configuration updated: node-pools.gpu, node-pools.workers.count');
  assert.equal(m2.configVersion.parent_hash, 'a'.repeat(64));
  assert.equal(m2.parentStateId, m1.stateSnapshotId);
  assert.deepEqual(m2.previousDeployments, [{ deploymentId: m1.deploymentId, timestamp: m1.lastDeployedAt, nodeCount: 8, configChecksum: m1.configChecksum, schemaVersion: '2.0', success: true }]);

  const m3 = nextDeploymentMeta(m2, facts({ pools: pools({ masters: 3, gpu: 2 }), previousPools: pools({ masters: 3, workers: 7, gpu: 2 }), nodeCount: 5, previousNodeCount: 12, configHash: 'b'.repeat(64), lispChecksum: 'd'.repeat(64) }));
  assert.equal(m3.lastScaleOperation, 'scale-down');
  assert.deepEqual(m3.changeLog.map((e) => [e.changeType, e.oldValue, e.newValue]), [
    ['scale_down', '12', '5'],
    ['pool_removed', '7', undefined],
    ['config_updated', 'c'.repeat(64), 'd'.repeat(64)],
  ]);
  assert.equal(m3.changeLog[2]!.description, 'Lisp text changed; the configuration it produces is unchanged');
  assert.match(changeSummary(m3.changeLog), /^Scaled cluster from 12 to 5 nodes \(\+2 more: pool_removed, config_updated\)$/);
});

test('a rollback says so in the change log and names its target; a cluster recreated after destroy is a new cluster_created', () => {
  const m1 = nextDeploymentMeta(undefined, facts({}));
  const rb = nextDeploymentMeta(m1, facts({ previousPools: pools({ masters: 3, workers: 5 }), previousNodeCount: 8, rollback: { targetDeployment: 'deploy-1-2026-01-05', targetSnapshot: 'state-x', reason: 'bad upgrade' } }));
  assert.equal(rb.changeLog[0]!.changeType, 'rollback');
  assert.equal(rb.rollbackTarget, 'deploy-1-2026-01-05');
  assert.equal(rb.rollbackReason, 'bad upgrade');
  const again = nextDeploymentMeta(m1, facts({ previousNodeCount: 0 }));
  assert.equal(again.lastScaleOperation, 'initial');
  assert.equal(again.changeLog[0]!.description, "Cluster recreated with 8 nodes (the previous deployment's machines were gone)");
  assert.equal(again.deploymentCount, 2);
});

test(`previous deployments keep the last ${PREVIOUS_DEPLOYMENTS_KEPT}; unknown fields of the previous record are kept`, () => {
  let m = nextDeploymentMeta(undefined, facts({}));
  (m as Record<string, unknown>).futureField = { keep: true };
  for (let i = 0; i < 14; i++) m = nextDeploymentMeta(m, facts({ previousNodeCount: 8, previousPools: pools({ masters: 3, workers: 5 }) }));
  assert.equal(m.deploymentCount, 15);
  assert.equal(m.previousDeployments.length, PREVIOUS_DEPLOYMENTS_KEPT);
  assert.equal(m.previousDeployments[0]!.deploymentId, 'deploy-14-2026-01-05');
  assert.deepEqual(m.futureField, { keep: true });
  assert.deepEqual(m.changeLog, [], 'nothing changed: no entries');
  assert.equal(m.lastScaleOperation, 'update');
});
