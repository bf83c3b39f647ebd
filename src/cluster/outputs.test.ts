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
      r('sloth:remote:Command', 'kubeconfig', {}, { stdout: new Secret('apiVersion: v1\n') }),
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
});
