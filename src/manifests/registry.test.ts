import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentHash, emptyRegistry, findManifest, listManifests, register, registryHash, setStatus } from './registry.ts';
import { unifiedDiff } from './text-diff.ts';

const t = (n: number) => new Date(Date.UTC(2026, 0, 5, 11, 0, n));

test('a manifest gets v1, a changed content v2 with the old hash as parent, the same content no new version', () => {
  const reg = emptyRegistry();
  const a = register(reg, { id: 'web', name: 'web', type: 'raw', content: 'replicas: 2\n', metadata: { env: 'prod' } }, t(0));
  assert.equal(a.changed, true);
  assert.equal(a.manifest.version, 'v1');
  assert.equal(a.manifest.status, 'pending');
  assert.equal(a.manifest.hash, contentHash('replicas: 2\n'));
  assert.equal(register(reg, { id: 'web', name: 'web', type: 'raw', content: 'replicas: 2\n', metadata: { env: 'prod' } }, t(1)).changed, false);
  assert.equal(setStatus(reg, 'web', 'applied', t(2)), true);
  assert.equal(reg.manifests.web!.appliedAt, t(2).toISOString());
  const b = register(reg, { id: 'web', name: 'web', type: 'raw', content: 'replicas: 3\n' }, t(3));
  assert.equal(b.manifest.version, 'v2');
  assert.equal(b.manifest.parentHash, contentHash('replicas: 2\n'));
  assert.equal(b.manifest.status, 'pending');
  assert.deepEqual(b.manifest.history.map((h) => [h.version, h.status]), [['v1', 'applied'], ['v2', 'pending']]);
  assert.equal(b.manifest.createdAt, t(0).toISOString());
});

test('history is bounded; list filters by type and status; find by id or unique name', () => {
  const reg = emptyRegistry(3);
  for (let i = 0; i < 5; i++) register(reg, { id: 'cfg', name: 'k3s config', type: 'k3s', content: `v${i}` }, t(i));
  assert.deepEqual(reg.manifests.cfg!.history.map((h) => h.version), ['v3', 'v4', 'v5']);
  register(reg, { id: 'app', name: 'app', type: 'argocd', content: 'x' }, t(9));
  setStatus(reg, 'app', 'failed', t(10));
  assert.deepEqual(listManifests(reg, { type: 'argocd' }).map((m) => m.id), ['app']);
  assert.deepEqual(listManifests(reg, { status: 'pending' }).map((m) => m.id), ['cfg']);
  assert.equal((findManifest(reg, 'k3s config') as { id: string }).id, 'cfg');
  assert.equal(findManifest(reg, 'nope'), undefined);
});

test('the registry hash follows live content: a changed, added or deleted manifest changes it', () => {
  const a = emptyRegistry();
  register(a, { id: 'x', name: 'x', type: 'raw', content: '1' }, t(0));
  register(a, { id: 'y', name: 'y', type: 'raw', content: '1' }, t(0));
  const b = structuredClone(a);
  register(b, { id: 'x', name: 'x', type: 'raw', content: '2' }, t(1));
  register(b, { id: 'z', name: 'z', type: 'raw', content: '1' }, t(1));
  setStatus(b, 'y', 'deleted', t(1));
  assert.notEqual(registryHash(a), registryHash(b));
  assert.equal(registryHash(a), registryHash(structuredClone(a)));
});

test('unified diff: hunks with context, removals before additions, empty when equal', () => {
  const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l'].join('\n');
  const b = ['a', 'b', 'c', 'D', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'k'].join('\n');
  assert.equal(
    unifiedDiff(a, b, { from: 'v1', to: 'v2' }),
    ['--- v1', '+++ v2', '@@ -1,7 +1,7 @@', ' a', ' b', ' c', '-d', '+D', ' e', ' f', ' g', '@@ -9,3 +9,4 @@', ' i', ' j', ' l', '+k', ''].join('\n'),
  );
  // Changes within twice the context of each other share a hunk, as diff -u does.
  assert.match(unifiedDiff('a\nb\nc', 'A\nb\nC', { from: 'x', to: 'y' }), /^--- x\n\+\+\+ y\n@@ -1,3 \+1,3 @@\n-a\n\+A\n b\n-c\n\+C\n$/);
  assert.equal(unifiedDiff(a, a, { from: 'v1', to: 'v1' }), '');
});
