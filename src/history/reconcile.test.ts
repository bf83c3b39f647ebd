import assert from 'node:assert/strict';
import test from 'node:test';
import { COMMAND_TYPE } from '../cluster/index.ts';
import { contentHash, emptyRegistry, register, setStatus } from '../manifests/index.ts';
import { Secret } from '../state/index.ts';
import type { Deployment, ResourceState } from '../state/index.ts';
import { reconcile } from './reconcile.ts';

const PATH = '/etc/rancher/k3s/config.yaml';
const step = (name: string, content: string, vars: Record<string, string>): ResourceState => ({
  urn: `urn:pulumi:prod::cluster::${COMMAND_TYPE}::${name}`,
  custom: true,
  type: COMMAND_TYPE,
  inputs: { files: new Secret([{ path: PATH, content }]), vars },
});
const deployment = (...resources: ResourceState[]): Deployment => ({ manifest: { time: '', magic: '', version: '' }, resources, pendingOperations: [] });

function applied(content: string) {
  const reg = emptyRegistry();
  const now = new Date(0);
  register(reg, { id: 'k3s-config-m1', name: 'k3s config of m1', type: 'k3s', content, metadata: { step: 'kubernetes-m1', path: PATH } }, now);
  setStatus(reg, 'k3s-config-m1', 'applied', now);
  return reg;
}

test('reconcile keeps a manifest applied while the stack records the same file (placeholders filled)', () => {
  const reg = reconcile(applied('server: https://10.0.0.1:6443\n'), deployment(step('kubernetes-m1', 'server: https://{{sloth:api}}:6443\n', { api: '10.0.0.1' })));
  assert.equal(reg.manifests['k3s-config-m1']!.status, 'applied');
  assert.equal(reg.manifests['k3s-config-m1']!.hash, contentHash('server: https://10.0.0.1:6443\n'));
});

test('reconcile marks out_of_sync when the step is gone, records other content, or lacks the file', () => {
  const content = 'server: https://10.0.0.1:6443\n';
  assert.equal(reconcile(applied(content), deployment()).manifests['k3s-config-m1']!.status, 'out_of_sync');
  assert.equal(reconcile(applied(content), deployment(step('kubernetes-m1', 'server: https://{{sloth:api}}:6443\n', { api: '10.0.0.9' }))).manifests['k3s-config-m1']!.status, 'out_of_sync');
  const other = step('kubernetes-m1', content, {});
  other.inputs = { files: [{ path: '/elsewhere', content }] };
  assert.equal(reconcile(applied(content), deployment(other)).manifests['k3s-config-m1']!.status, 'out_of_sync');
  const deleted = { ...step('kubernetes-m1', content, {}), delete: true };
  assert.equal(reconcile(applied(content), deployment(deleted)).manifests['k3s-config-m1']!.status, 'out_of_sync');
});
