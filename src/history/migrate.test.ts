import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateMeta, parseStoredMeta, schemaOf, MetadataError } from './migrate.ts';

// What the earliest Go releases wrote (schema 1.0: no version fields at all).
const V1 = {
  createdAt: '2025-10-01T10:00:00Z',
  updatedAt: '2025-10-02T10:00:00Z',
  lastDeployedAt: '2025-10-02T10:00:00Z',
  deploymentId: 'deploy-2-2025-10-02',
  deploymentCount: 2,
  lastScaleOperation: 'scale-up',
  previousNodeCount: 3,
  currentNodeCount: 5,
  nodePoolsAdded: ['workers'],
  slothVersion: '1.0.0',
  pulumiVersion: '3.x',
  configChecksum: 'ab'.repeat(32),
  operatorNote: 'kept as is',
};

test('a 1.0 record migrates to 2.0, lists the migration, and keeps every field it had', () => {
  assert.equal(schemaOf(V1), '1.0');
  const r = migrateMeta(V1);
  assert.equal(r.from, '1.0');
  assert.deepEqual(r.applied, ['v1.0-to-v2.0']);
  assert.equal(r.meta.schemaVersion, '2.0');
  assert.deepEqual(r.meta.configVersion, { schema_version: '2.0', config_hash: 'ab'.repeat(32), created_at: V1.createdAt, updated_at: V1.updatedAt, migrations: ['v1.0-to-v2.0'] });
  for (const [k, v] of Object.entries(V1)) assert.deepEqual(r.meta[k], v, k);
  assert.deepEqual([r.meta.changeLog, r.meta.previousDeployments, r.meta.nodePoolsRemoved, r.meta.stateSnapshotId], [[], [], [], '']);
});

test('a 2.0 record written by the Go implementation (JSON text, empty fields left out) reads without migration', () => {
  const text = JSON.stringify({ ...V1, schemaVersion: '2.0', configVersion: { schema_version: '2.0', config_hash: 'cd'.repeat(32), created_at: 'x', updated_at: 'x' }, changeLog: [{ timestamp: 't', changeType: 'scale_up', resourceId: 'c', description: 'd', actor: 'sloth-kubernetes' }] });
  const r = migrateMeta(parseStoredMeta(text)!);
  assert.deepEqual(r.applied, []);
  assert.equal(r.meta.changeLog.length, 1);
  assert.deepEqual(r.meta.nodePoolsScaled, []);
  assert.equal(parseStoredMeta('{}'), undefined, 'the Go writer’s empty placeholder');
  assert.throws(() => parseStoredMeta('not json'), MetadataError);
});

test('a record from a newer schema is refused with what to do', () => {
  assert.throws(() => migrateMeta({ ...V1, schemaVersion: '3.0' }), (err: MetadataError) => /schema version 3\.0/.test(err.message) && /upgrade/.test(err.hint ?? ''));
});
