// The install manifests on a real kube-apiserver: the CRD is accepted and established, its
// OpenAPI schema and CEL rules refuse bad Stacks with the messages we wrote, the status is a
// subresource (a write to the Stack cannot set it), and the RBAC is as narrow as promised —
// checked with `kubectl auth can-i` as the operator's ServiceAccount, cluster-wide and in the
// namespaced mode.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { kubeApiMissing, startKubeApi } from '../../test/helpers/kube.ts';
import type { KubeApi } from '../../test/helpers/kube.ts';
import { installManifests } from './install.ts';

const skip = kubeApiMissing();
const yaml = (docs: Record<string, unknown>[]) => docs.map((d) => stringify(d)).join('---\n');

describe('operator manifests on a real API server', { skip, timeout: 180_000 }, () => {
  let api: KubeApi;
  const kubectl = (args: string[], stdin?: string) => api.kubectl(args, { stdin });
  const ok = (args: string[], stdin?: string) => {
    const r = kubectl(args, stdin);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const stack = (name: string, spec: Record<string, unknown>) => stringify({ apiVersion: 'sloth-kubernetes.io/v1alpha1', kind: 'Stack', metadata: { name, namespace: 'team' }, spec });
  const canI = (as: string, verb: string, resource: string, ns?: string) =>
    kubectl(['auth', 'can-i', verb, resource, `--as=system:serviceaccount:${as}`, ...(ns ? ['-n', ns] : ['--all-namespaces'])]).stdout.trim();

  before(async () => {
    api = await startKubeApi();
    ok(['apply', '-f', '-'], yaml(installManifests({ image: 'sloth-kubernetes:test' })));
    ok(['wait', '--for', 'condition=established', '--timeout', '60s', 'crd/stacks.sloth-kubernetes.io']);
    ok(['create', 'namespace', 'team']);
  });
  after(async () => {
    await api?.stop();
  });

  it('accepts a valid Stack; the schema and its rules refuse bad ones, saying why', () => {
    ok(['apply', '-f', '-'], stack('good', { stack: 'prod', projectRepo: 'https://example.com/r.git', branch: 'main', envRefs: { A: { type: 'Literal', literal: { value: 'x' } } } }));
    const refused = (spec: Record<string, unknown>, why: RegExp) => {
      const r = kubectl(['apply', '-f', '-'], stack('bad', spec));
      assert.notEqual(r.code, 0, JSON.stringify(spec));
      assert.match(r.stderr, why);
    };
    refused({ stack: 'prod' }, /give exactly one config source: projectRepo \(git\), config \(inline\) or configMapRef/);
    refused({ stack: 'prod', config: '(cluster)', configMapRef: { name: 'c', key: 'k' } }, /give exactly one config source/);
    refused({ stack: 'prod', projectRepo: 'https://example.com/r.git', branch: 'main', commit: 'a'.repeat(40) }, /commit and branch exclude each other/);
    refused({ stack: 'prod', projectRepo: 'https://example.com/r.git' }, /projectRepo needs commit or branch/);
    refused({ stack: 'prod', config: '(cluster)', branch: 'main' }, /commit, branch, repoDir and gitAuth need projectRepo/);
    refused({ stack: 'no spaces', config: '(cluster)' }, /spec.stack: Invalid value: "no spaces"/);
    refused({ stack: 'prod', config: '(cluster)', backend: 'http://x' }, /spec.backend: Invalid value/);
    refused({ stack: 'prod', config: '(cluster)', envRefs: { A: { type: 'Secret' } } }, /type Secret needs secret: \{name, key\}/);
    refused({ stack: 'prod', config: '(cluster)', resyncFrequencySeconds: 1 }, /resyncFrequencySeconds: Invalid value: 1: spec.resyncFrequencySeconds in body should be greater than or equal to 5/);
    refused({ stack: 'prod', config: '(cluster)', unknownKey: true }, /unknown field "spec.unknownKey"/);
  });

  it('the status is a subresource: writing the Stack does not set it, writing /status does', () => {
    ok(['patch', 'stack', 'good', '-n', 'team', '--type', 'merge', '-p', '{"status":{"lastSuccessfulCommit":"abc"}}']);
    assert.equal(ok(['get', 'stack', 'good', '-n', 'team', '-o', 'jsonpath={.status.lastSuccessfulCommit}']), '');
    ok(['patch', 'stack', 'good', '-n', 'team', '--subresource', 'status', '--type', 'merge', '-p', '{"status":{"lastSuccessfulCommit":"abc","conditions":[{"type":"Ready","status":"True","reason":"UpdateSucceeded","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}']);
    assert.equal(ok(['get', 'stack', 'good', '-n', 'team', '-o', 'jsonpath={.status.lastSuccessfulCommit}']), 'abc');
    assert.match(ok(['get', 'sks', '-n', 'team']), /^good\s+prod\s+True\s+UpdateSucceeded\s/m);
  });

  it('cluster-wide RBAC: Stacks, their Secrets and ConfigMaps read-only, Events written, the Lease by name only; nothing else', () => {
    const sa = 'sloth-kubernetes-system:sloth-kubernetes-operator';
    for (const [verb, res] of [['watch', 'stacks.sloth-kubernetes.io'], ['patch', 'stacks.sloth-kubernetes.io'], ['patch', 'stacks.sloth-kubernetes.io/status'], ['get', 'secrets'], ['watch', 'configmaps'], ['create', 'events']]) {
      assert.equal(canI(sa, verb, res), 'yes', `${verb} ${res}`);
    }
    for (const [verb, res] of [['delete', 'stacks.sloth-kubernetes.io'], ['create', 'stacks.sloth-kubernetes.io'], ['update', 'secrets'], ['create', 'secrets'], ['get', 'pods'], ['create', 'deployments.apps'], ['delete', 'events']]) {
      assert.equal(canI(sa, verb, res), 'no', `${verb} ${res}`);
    }
    assert.equal(canI(sa, 'update', 'leases.coordination.k8s.io/sloth-kubernetes-operator', 'sloth-kubernetes-system'), 'yes');
    assert.equal(canI(sa, 'update', 'leases.coordination.k8s.io/other', 'sloth-kubernetes-system'), 'no');
    assert.equal(canI(sa, 'create', 'leases.coordination.k8s.io', 'team'), 'no');
  });

  it('namespaced RBAC (--watch-namespace): Roles in the watched namespaces, no cluster-wide read of Secrets', () => {
    ok(['create', 'namespace', 'other']);
    ok(['apply', '-f', '-'], yaml(installManifests({ image: 'x', namespace: 'ops', watchNamespaces: ['team'] }).filter((d) => d['kind'] !== 'CustomResourceDefinition')));
    const sa = 'ops:sloth-kubernetes-operator';
    assert.equal(canI(sa, 'get', 'secrets', 'team'), 'yes');
    assert.equal(canI(sa, 'watch', 'stacks.sloth-kubernetes.io', 'team'), 'yes');
    assert.equal(canI(sa, 'get', 'secrets', 'other'), 'no');
    assert.equal(canI(sa, 'get', 'secrets'), 'no');
    assert.equal(canI(sa, 'watch', 'stacks.sloth-kubernetes.io'), 'no');
  });
});
