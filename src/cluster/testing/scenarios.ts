// Cluster models for the snapshot tests, shaped after the seed README's examples: a
// single-node development cluster, the AWS production cluster (bastion, three masters,
// Salt, ArgoCD, DNS) and the multi-cloud HA cluster.
import type { ClusterModel } from '../model.ts';
import { nodesOf, sampleModel } from './arbitraries.ts';

export function rke2Single(): ClusterModel {
  return sampleModel({
    name: 'dev-cluster',
    nodes: nodesOf([{ name: 'dev-node', provider: 'digitalocean', region: 'nyc3', count: 1, roles: ['master', 'etcd', 'worker'], publicAddress: true }]),
    network: { podCidr: '10.42.0.0/16', serviceCidr: '10.43.0.0/16', allowedCidrs: ['198.51.100.7/32'], extraFirewallRules: [] },
  });
}

export function rke2Ha(): ClusterModel {
  const base = sampleModel();
  return sampleModel({
    name: 'aws-production',
    stack: 'production',
    bastion: { name: 'bastion', provider: 'aws', region: 'us-east-1', size: 't3.micro', allowedCidrs: ['198.51.100.0/24'], sshPort: 22 },
    nodes: nodesOf([
      { name: 'masters', provider: 'aws', region: 'us-east-1', count: 3, roles: ['master', 'etcd'], publicAddress: false },
      { name: 'workers', provider: 'aws', region: 'us-east-1', count: 2, roles: ['worker'], publicAddress: false },
    ]),
    network: {
      podCidr: '10.42.0.0/16',
      serviceCidr: '10.43.0.0/16',
      allowedCidrs: ['198.51.100.0/24'],
      extraFirewallRules: [{ protocol: 'tcp', ports: '443', sources: ['0.0.0.0/0', '::/0'], target: 'workers', description: 'HTTPS ingress' }],
      dns: { domain: 'example.com', provider: 'route53' },
    },
    kubernetes: { ...base.kubernetes, cni: 'calico', etcdSnapshot: { scheduleCron: '0 */6 * * *', retention: 10 }, disable: ['rke2-ingress-nginx'], tlsSan: ['k8s.example.com'] },
    salt: { master: 'bastion', apiPort: 8000, apiUsername: 'saltapi', version: '3006.9', apiEnabled: true, minions: true, jobCache: true },
    argocd: { version: 'v2.11.3', namespace: 'argocd', repoUrl: 'https://github.com/example/gitops.git', branch: 'main', appsPath: 'argocd/apps', appOfAppsName: 'root-app' },
  });
}

export function k3sSingle(): ClusterModel {
  const base = sampleModel();
  return sampleModel({
    name: 'dev-cluster',
    nodes: nodesOf([{ name: 'dev-node', provider: 'digitalocean', region: 'nyc3', count: 1, roles: ['master', 'etcd', 'worker'], publicAddress: true }]),
    kubernetes: { ...base.kubernetes, distribution: 'k3s', version: 'v1.29.0+k3s1', cni: 'flannel', secretsEncryption: false },
  });
}

export function k3sHa(): ClusterModel {
  const base = sampleModel();
  const nodes = nodesOf([
    { name: 'aws-masters', provider: 'aws', region: 'us-east-1', count: 1, roles: ['master', 'etcd'], publicAddress: true },
    { name: 'do-masters', provider: 'digitalocean', region: 'nyc3', count: 1, roles: ['master', 'etcd'], publicAddress: true },
    { name: 'linode-masters', provider: 'linode', region: 'us-east', count: 1, roles: ['master', 'etcd'], publicAddress: true },
    { name: 'workers', provider: 'aws', region: 'us-east-1', count: 2, roles: ['worker'], publicAddress: true },
  ]).map((n) => (n.pool === 'workers' ? { ...n, labels: { 'example.com/tier': 'general' }, taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' as const }] } : n));
  return sampleModel({
    name: 'multi-cloud-ha',
    nodes,
    kubernetes: {
      ...base.kubernetes,
      distribution: 'k3s',
      version: 'v1.29.4+k3s1',
      cni: 'flannel',
      disable: ['traefik', 'servicelb'],
      selinux: true,
      etcdSnapshot: { scheduleCron: '0 */12 * * *', retention: 5 },
      installSource: { artifactPath: '/opt/k3s-artifacts' },
      registryMirrors: { 'docker.io': ['https://registry.example.com'] },
    },
  });
}

export const SCENARIOS = { 'rke2-single': rke2Single, 'rke2-ha': rke2Ha, 'k3s-single': k3sSingle, 'k3s-ha': k3sHa } as const;
