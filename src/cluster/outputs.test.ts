import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, type Deployment, type ResourceState } from '../state/types.ts';
import { clusterOutputs } from './outputs.ts';

const urn = (type: string, name: string) => `urn:pulumi:dev::sloth-kubernetes::${type}::${name}`;
const r = (type: string, name: string, inputs: ResourceState['inputs'], outputs: ResourceState['outputs'] = {}): ResourceState => ({ urn: urn(type, name), custom: true, type, inputs, outputs });

test('root outputs: the kubeconfig, the nodes and the Salt credentials as secrets', () => {
  const d: Deployment = {
    manifest: { time: '', magic: '', version: '' },
    pendingOperations: [],
    resources: [
      r('sloth:cluster:Cluster', 'demo', { saltApiUrl: 'https://10.8.0.1:8000', saltApiUsername: 'saltapi', saltApiPassword: new Secret('pw'), saltMaster: 'masters-1' }),
      r('sloth:cluster:Machine', 'masters-1', { kind: 'node', provider: 'aws', region: 'us-east-1', roles: ['master', 'etcd'], meshAddress: '10.8.0.1', hostPublicKey: 'ssh-ed25519 AAAA', ownHostPublicKey: 'ssh-ed25519 BBBB' }),
      // Deployed before machines had their own host key: its user-data key is the one it serves.
      r('sloth:cluster:Machine', 'workers-1', { kind: 'node', provider: 'aws', region: 'us-east-1', roles: ['worker'], meshAddress: '10.8.0.2', hostPublicKey: 'ssh-ed25519 CCCC' }),
      r('aws:ec2/instance:Instance', 'masters-1', {}, { publicIp: '203.0.113.5', privateIp: '10.0.1.5' }),
      r('sloth:remote:Command', 'kubeconfig', { vars: { 'api-host': 'api.demo.example' } }, { stdout: new Secret('apiVersion: v1\n') }),
      r('sloth:remote:Command', 'kubernetes-masters-1', {}, {}),
      r('sloth:remote:Command', 'salt-master', {}, { stdout: '-----BEGIN CERTIFICATE-----\n' }),
    ],
  };
  const out = clusterOutputs(d, 'demo');
  assert.ok(out['kubeConfig'] instanceof Secret);
  assert.equal((out['kubeConfig'] as Secret).value, 'apiVersion: v1\n');
  assert.ok(out['nodes'] instanceof Secret, 'nodes is a secret, as the state layer stores it');
  assert.deepEqual(((out['nodes'] as Secret).value as Record<string, unknown>)['masters-1'], {
    kind: 'node',
    provider: 'aws',
    region: 'us-east-1',
    roles: ['master', 'etcd'],
    meshAddress: '10.8.0.1',
    hostKey: 'ssh-ed25519 BBBB',
    publicAddress: '203.0.113.5',
    privateAddress: '10.0.1.5',
    joined: true,
  });
  assert.equal((((out['nodes'] as Secret).value as Record<string, { hostKey: string }>)['workers-1']!).hostKey, 'ssh-ed25519 CCCC');
  assert.ok(out['salt_master'] instanceof Secret);
  assert.deepEqual((out['salt_master'] as Secret).value, { master: 'masters-1', apiUrl: 'https://10.8.0.1:8000', username: 'saltapi', password: 'pw', eauth: 'sharedsecret', tlsCertificate: '-----BEGIN CERTIFICATE-----\n' });
  assert.equal(out['argocd'], undefined);
  // What `stacks output <stack> | grep master_ips` finds: plain values.
  assert.deepEqual(out['master_ips'], ['203.0.113.5']);
  assert.deepEqual(out['worker_ips'], [], 'workers-1 has no machine (and so no address) in this deployment');
  assert.deepEqual(out['mesh_addresses'], { 'masters-1': '10.8.0.1', 'workers-1': '10.8.0.2' });
  assert.equal(out['api_endpoint'], 'https://api.demo.example:6443');
});

test('root outputs: master and worker addresses in name order, the private one for a node without a public one; the bastion is in the mesh only', () => {
  const machine = (name: string, kind: string, roles: string[], mesh: string) => r('sloth:cluster:Machine', name, { kind, provider: 'digitalocean', region: 'nyc3', roles, meshAddress: mesh });
  const droplet = (name: string, pub: string | undefined, priv: string) => r('digitalocean:index/droplet:Droplet', name, {}, { ...(pub ? { ipv4Address: pub } : {}), ipv4AddressPrivate: priv });
  const d: Deployment = {
    manifest: { time: '', magic: '', version: '' },
    pendingOperations: [],
    resources: [
      machine('bastion', 'bastion', [], '10.8.0.1'),
      machine('workers-10', 'node', ['worker'], '10.8.0.12'),
      machine('workers-2', 'node', ['worker'], '10.8.0.4'),
      machine('masters-1', 'node', ['master', 'etcd', 'worker'], '10.8.0.2'),
      droplet('bastion', '203.0.113.1', '10.10.0.1'),
      droplet('workers-10', undefined, '10.10.0.12'),
      droplet('workers-2', '203.0.113.4', '10.10.0.4'),
      droplet('masters-1', '203.0.113.2', '10.10.0.2'),
      r('sloth:remote:Command', 'kubeconfig', { vars: { 'api-host': '203.0.113.2' } }, { stdout: new Secret('apiVersion: v1\n') }),
    ],
  };
  const out = clusterOutputs(d, 'demo');
  assert.deepEqual(out['master_ips'], ['203.0.113.2']);
  assert.deepEqual(out['worker_ips'], ['203.0.113.4', '10.10.0.12']);
  assert.deepEqual(Object.keys(out['mesh_addresses'] as object), ['bastion', 'masters-1', 'workers-2', 'workers-10']);
  assert.equal(out['api_endpoint'], 'https://203.0.113.2:6443');
  for (const k of ['master_ips', 'worker_ips', 'mesh_addresses', 'api_endpoint']) assert.ok(!(out[k] instanceof Secret), k);
});
