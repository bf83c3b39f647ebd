import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnosticsOf, errorsOf, load, withSections } from './testing.ts';

const pools = (body: string) => ({ 'node-pools': `(node-pools ${body})` });

test('at least one master', () => {
  assert.deepEqual(errorsOf(withSections()), []);
  const d = diagnosticsOf(withSections(pools('(workers (count 3) (size "t3.large"))')));
  assert.deepEqual(
    d.map((x) => x.message),
    ['the cluster has no master: at least one node needs the master role'],
  );
  assert.equal(d[0]!.pos?.line, 4, 'points at node-pools');
});

test('an odd number of etcd members', () => {
  assert.deepEqual(errorsOf(withSections(pools('(masters (count 3) (size "t3.medium"))'))), []);
  const errors = errorsOf(withSections(pools('(masters (count 2) (size "t3.medium"))')));
  assert.deepEqual(errors, ['the cluster has 2 etcd members; etcd needs an odd number (1, 3, 5…) to keep quorum']);
  const split = errorsOf(withSections(pools('(masters (count 3) (roles master) (size "t3.medium")) (etcd (count 2) (roles etcd) (size "t3.small"))')));
  assert.deepEqual(split, ['the cluster has 2 etcd members; etcd needs an odd number (1, 3, 5…) to keep quorum']);
});

test('masters without the etcd role leave the cluster without etcd', () => {
  const errors = errorsOf(withSections(pools('(masters (count 1) (roles master) (size "t3.medium"))')));
  assert.deepEqual(errors, ['the cluster has no etcd member']);
});

test('roles come from the pool name when not given', () => {
  const { config } = load(withSections(pools('(control-plane (size "a")) (server (count 0) (size "b")) (gpu (size "c"))')));
  assert.deepEqual(config.nodePools['control-plane']?.roles, ['master', 'etcd']);
  assert.deepEqual(config.nodePools.server?.roles, ['master', 'etcd']);
  assert.deepEqual(config.nodePools.gpu?.roles, ['worker']);
});

test('pools reference enabled providers', () => {
  const notConfigured = diagnosticsOf(withSections(pools('(masters (provider linode) (size "g6-standard-2"))')));
  assert.deepEqual(
    notConfigured.map((d) => d.message),
    [`node pool 'masters' uses provider 'linode', which is not configured`],
  );
  assert.equal(notConfigured[0]!.path, 'node-pools.masters.provider');
  const disabled = errorsOf(
    withSections({
      providers: '(providers (aws (region "us-east-1")) (linode (enabled false) (region "us-east")))',
      ...pools('(masters (provider linode) (size "g6-standard-2"))'),
    }),
  );
  assert.deepEqual(disabled, [`node pool 'masters' uses provider 'linode', which is disabled`]);
  const ambiguous = errorsOf(
    withSections({ providers: '(providers (aws (region "us-east-1")) (hetzner (location "fsn1")))', ...pools('(masters (size "cx22"))') }),
  );
  assert.deepEqual(ambiguous, ['node pool \'masters\' has no provider and several are enabled (aws, hetzner)']);
  const chosen = load(
    withSections({ providers: '(providers (aws (region "us-east-1")) (hetzner (location "fsn1")))', ...pools('(masters (provider hetzner) (size "cx22"))') }),
  );
  assert.equal(chosen.config.nodePools.masters?.region, 'fsn1', 'region from the provider (hetzner location)');
});

test('at least one provider, each with its region', () => {
  assert.ok(errorsOf(withSections({ providers: null })).includes('no cloud provider is enabled'));
  assert.ok(errorsOf(withSections({ providers: '(providers (aws (enabled false) (region "x")))' })).includes('no cloud provider is enabled'));
  const noRegion = errorsOf(withSections({ providers: '(providers (aws))' }));
  assert.ok(noRegion.includes(`'providers.aws.region' is required`), noRegion.join('\n'));
  assert.ok(noRegion.includes(`node pool 'masters' has no region`));
});

test('sizes are required', () => {
  const d = diagnosticsOf(withSections(pools('(masters (count 1))')));
  assert.deepEqual(d.map((x) => x.message), [`'node-pools.masters.size' is required`]);
  assert.equal(d[0]!.pos?.line, 4);
});

test('CIDRs are valid IPv4 networks', () => {
  const errors = errorsOf(
    withSections({
      network: '(network (pod-cidr "10.42.0.1/16") (service-cidr "10.43.0.0/33") (wireguard (subnet-cidr "fd00::/64")))',
      providers: '(providers (aws (region "us-east-1") (vpc (cidr "vpc"))))',
    }),
  );
  assert.ok(errors.includes(`'network.pod-cidr' is not a valid network (10.42.0.1/16): host bits are set (the network is 10.42.0.0/16)`), errors.join('\n'));
  assert.ok(errors.includes(`'network.service-cidr' is not a valid network (10.43.0.0/33): prefix length /33 is larger than 32`));
  assert.ok(errors.includes(`'network.wireguard.subnet-cidr' is not a valid network (fd00::/64): IPv6 networks are not supported yet`));
  assert.ok(errors.includes(`'providers.aws.vpc.cidr' is not a valid network (vpc): expected an IPv4 network such as 10.0.0.0/16`));
});

test('networks do not overlap: VPC, pod, service, WireGuard', () => {
  const errors = errorsOf(
    withSections({
      network: '(network (pod-cidr "10.0.128.0/17") (service-cidr "10.42.0.0/16") (wireguard (subnet-cidr "10.42.5.0/24")))',
    }),
  );
  assert.deepEqual(errors, [
    `'providers.aws.vpc.cidr' 10.0.0.0/16 overlaps 'network.pod-cidr' 10.0.128.0/17`,
    `'network.wireguard.subnet-cidr' 10.42.5.0/24 overlaps 'network.service-cidr' 10.42.0.0/16`,
  ]);
  const ok = errorsOf(withSections({ network: '(network (pod-cidr "10.100.0.0/16") (service-cidr "10.101.0.0/16"))' }));
  assert.deepEqual(ok, []);
});

test('the pod and service networks given in kubernetes follow to network, and must agree', () => {
  const { config } = load(withSections({ kubernetes: '(kubernetes (service-cidr "10.96.0.0/12"))' }));
  assert.equal(config.network.serviceCidr, '10.96.0.0/12');
  assert.equal(config.kubernetes.clusterDns, '10.96.0.10');
  const errors = errorsOf(withSections({ network: '(network (pod-cidr "10.50.0.0/16"))', kubernetes: '(kubernetes (pod-cidr "10.51.0.0/16"))' }));
  assert.deepEqual(errors, [`'kubernetes.pod-cidr' 10.51.0.0/16 differs from 'network.pod-cidr' 10.50.0.0/16`]);
  const dns = errorsOf(withSections({ kubernetes: '(kubernetes (cluster-dns "10.44.0.10"))' }));
  assert.deepEqual(dns, [`'kubernetes.cluster-dns' 10.44.0.10 is outside the service network 10.43.0.0/16`]);
});

test('the WireGuard subnet holds every node and the bastion', () => {
  const fits = withSections(pools('(masters (count 3) (size "a")) (workers (count 250) (size "b"))'));
  assert.deepEqual(errorsOf(fits), [], '253 nodes in a /24 (254 addresses)');
  const withBastion = withSections({
    ...pools('(masters (count 3) (size "a")) (workers (count 251) (size "b"))'),
    security: '(security (bastion (size "t3.micro") (allowed-cidrs "203.0.113.7/32")))',
  });
  assert.deepEqual(errorsOf(withBastion), [
    'WireGuard subnet 10.8.0.0/24 has 254 addresses but the mesh needs 255 (every node and the bastion)',
  ]);
  const bigger = withSections({
    ...pools('(masters (count 3) (size "a")) (workers (count 251) (size "b"))'),
    network: '(network (wireguard (subnet-cidr "10.8.0.0/23")))',
  });
  assert.deepEqual(errorsOf(bigger), []);
  const d = diagnosticsOf(withSections({ ...pools('(masters (count 3) (size "a")) (workers (count 600) (size "b"))') }));
  assert.equal(d[0]!.hint, 'use a /22 or larger network');
});

test('the Kubernetes version matches the distribution', () => {
  assert.deepEqual(errorsOf(withSections({ kubernetes: '(kubernetes (version "v1.29.0+rke2r1"))' })), []);
  assert.deepEqual(errorsOf(withSections({ kubernetes: '(kubernetes (distribution k3s) (version "v1.29.0+k3s1"))' })), []);
  assert.deepEqual(errorsOf(withSections({ kubernetes: '(kubernetes (distribution k3s) (version "v1.29.0+rke2r1"))' })), [
    `'kubernetes.version' 'v1.29.0+rke2r1' is not a k3s version`,
  ]);
  assert.deepEqual(errorsOf(withSections({ kubernetes: '(kubernetes (version "1.29"))' })), [
    `'kubernetes.version' '1.29' is not a rke2 version`,
  ]);
  const k3s = load(withSections({ kubernetes: '(kubernetes (distribution k3s))' })).config.kubernetes;
  assert.equal(k3s.version, 'v1.33.5+k3s1');
  assert.equal(k3s.networkPlugin, 'flannel');
  assert.equal(k3s.k3s?.dataDir, '/var/lib/rancher/k3s');
});

test('network plugin and option block fit the distribution', () => {
  assert.deepEqual(errorsOf(withSections({ kubernetes: '(kubernetes (distribution k3s) (network-plugin calico))' })), [
    `network plugin 'calico' is not available with k3s`,
  ]);
  assert.deepEqual(errorsOf(withSections({ kubernetes: '(kubernetes (k3s (selinux true)))' })), [
    `'kubernetes.k3s' options are given but the distribution is rke2`,
  ]);
});

test('high availability needs three etcd members; a single server is not HA', () => {
  assert.equal(load(withSections(pools('(masters (count 3) (size "a"))'))).config.kubernetes.highAvailability, true);
  assert.equal(load(withSections()).config.kubernetes.highAvailability, false);
  assert.deepEqual(errorsOf(withSections({ kubernetes: '(kubernetes (high-availability true))' })), [
    'high availability needs at least 3 etcd members, the cluster has 1',
  ]);
  assert.deepEqual(
    errorsOf(withSections({ ...pools('(masters (count 3) (size "a"))'), kubernetes: '(kubernetes (high-availability false))' })),
    ['high-availability is false but 3 nodes run the control plane'],
  );
});

test('names are DNS-safe and host names unique', () => {
  const errors = errorsOf(
    withSections({ metadata: '(metadata (name "My_Cluster"))', ...pools('(masters (name "Bad Name") (size "a"))') }),
  );
  assert.ok(errors.some((e) => e.startsWith(`'metadata.name' 'My_Cluster' is not DNS-safe`)), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith(`'node-pools.masters.name' 'Bad Name' is not DNS-safe`)));
  const clash = errorsOf(withSections(pools('(masters (size "a")) (more (name "masters") (roles worker) (size "b"))')));
  assert.deepEqual(clash, [`host name 'masters-1' of node-pools.more is also used by node-pools.masters`]);
  const long = errorsOf(withSections(pools(`(masters (size "a")) (w (name "${'a'.repeat(62)}") (size "b"))`)));
  assert.ok(long.some((e) => /longer than 63 characters/.test(e)));
});

test('keys accepted but not acted on yet are reported as not supported', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ network: '(network (mode tailscale))' }, `'network.mode' tailscale is not supported yet`],
    [{ network: '(network (tailscale (auth-key "x")))' }, `'network.tailscale' is not supported yet`],
    [{ network: '(network (private-cluster (enabled true)))' }, `'network.private-cluster' is not supported yet`],
    [{ monitoring: '(monitoring (prometheus (enabled true)))' }, `'monitoring' is not supported yet`],
    [{ storage: '(storage (default-class "gp3"))' }, `'storage' is not supported yet`],
    [{ upgrade: '(upgrade (strategy rolling))' }, `'upgrade' is not supported yet`],
    [{ backup: '(backup (schedule "0 2 * * *"))' }, `'backup' is not supported yet`],
    [{ hooks: '(hooks (post-cluster-ready (kubectl "apply -f x.yaml")))' }, `'hooks' is not supported yet`],
    [pools('(masters (size "a") (autoscaling (min-nodes 1) (max-nodes 3)))'), `'node-pools.masters.autoscaling' is not supported yet`],
    [pools('(masters (size "a") (spot-config (max-price "0.1")))'), `'node-pools.masters.spot-config' is not supported yet`],
    [pools('(masters (size "a") (preemptible true))'), `'node-pools.masters.preemptible' is not supported yet`],
    [{ network: '(network (wireguard (create false)))' }, `'network.wireguard.create' false (joining an existing WireGuard server) is not supported yet`],
    [{ providers: '(providers (aws (region "us-east-1") (key-pair "mine")))' }, `'providers.aws.key-pair' is not supported yet`],
  ];
  for (const [sections, message] of cases) {
    const d = diagnosticsOf(withSections(sections));
    assert.ok(d.some((x) => x.message === message && x.pos !== undefined), `${message}\n got: ${d.map((x) => x.message).join(' | ')}`);
  }
});

test('azure and gcp are clouds like the others: a location or region is required, DNS needs its cloud', () => {
  const pools3 = '(node-pools (masters (provider aws) (roles master etcd) (size "t3.medium")) (a (provider azure) (size "Standard_B2s")) (g (provider gcp) (size "e2-medium")))';
  assert.deepEqual(errorsOf(withSections({ providers: '(providers (aws (region "us-east-1")) (azure (location "eastus")) (gcp (region "us-central1")))', 'node-pools': pools3 })), []);
  assert.deepEqual(errorsOf(withSections({ providers: '(providers (aws (region "us-east-1")) (azure (subscription-id "x")))', 'node-pools': pools3.replace(' (g (provider gcp) (size "e2-medium"))', '') })), [`'providers.azure.location' is required`, `node pool 'a' has no region`]);
  assert.deepEqual(errorsOf(withSections({ providers: '(providers (aws (region "us-east-1")) (gcp (project-id "p")))', 'node-pools': pools3.replace(' (a (provider azure) (size "Standard_B2s"))', '') })), [`'providers.gcp.region' is required`, `node pool 'g' has no region`]);
  const dns = errorsOf(withSections({ network: '(network (dns (domain "example.com") (provider gcp)))' }));
  assert.deepEqual(dns, [`DNS provider 'gcp' needs the gcp provider (its credentials manage the zone)`]);
});

test('an unsupported section switched off, or a key left at its default, is fine', () => {
  assert.deepEqual(errorsOf(withSections({ monitoring: '(monitoring (enabled false) (provider "prometheus"))' })), []);
  assert.deepEqual(errorsOf(withSections({ providers: '(providers (aws (region "us-east-1")) (azure (enabled false) (vpc (private true))))' })), []);
  assert.deepEqual(errorsOf(withSections(pools('(masters (size "a") (preemptible false))'))), []);
});

test('firewall rules, labels, taints and spot instances are checked', () => {
  const errors = errorsOf(
    withSections({
      network: '(network (firewall (inbound-rules (rule (protocol tcp) (source "0.0.0.0/0")) (rule (protocol icmp) (port 1) (source "10.0.0.0/8")))))',
      ...pools('(masters (size "a") (labels (tier "a b")) (taints (taint "ok/../x" NoSchedule))) (w (size "b") (spot-instance true) (provider aws))'),
    }),
  );
  assert.ok(errors.includes(`'network.firewall.inbound-rules[0]' needs a port for tcp`), errors.join('\n'));
  assert.ok(errors.includes(`'network.firewall.inbound-rules[1]' is icmp, which has no ports`));
  assert.ok(errors.some((e) => e.startsWith(`'node-pools.masters.labels' value 'a b' is invalid`)));
  assert.ok(errors.some((e) => e.startsWith(`'node-pools.masters.taints[0]' taint key 'ok/../x'`)));
  assert.deepEqual(errorsOf(withSections(pools('(masters (size "a") (labels ("-bad" "x")))'))), [
    `'-bad' is not a valid name in node-pools.masters.labels`,
  ]);
  const spot = errorsOf(
    withSections({ providers: '(providers (do (region "nyc3")))', ...pools('(masters (size "s-1") (spot-instance true))') }),
  );
  assert.deepEqual(spot, ['spot instances are not supported yet on digitalocean']);
});

test('DNS, load balancer, salt master and SSH keys refer to what exists', () => {
  assert.deepEqual(errorsOf(withSections({ network: '(network (dns (domain "example.com") (provider digitalocean)))' })), [
    `DNS provider 'digitalocean' needs the digitalocean provider (its credentials manage the zone)`,
  ]);
  assert.deepEqual(errorsOf(withSections({ network: '(network (dns (domain "example.com") (provider route53)))' })), []);
  assert.deepEqual(errorsOf(withSections({ network: '(network (dns (domain "example.com") (provider linode)))' })), [
    `DNS provider 'linode' needs the linode provider (its credentials manage the zone)`,
  ]);
  assert.deepEqual(errorsOf(withSections({ addons: '(addons (salt (master-node "masters-2")))' })), [
    `'addons.salt.master-node' 'masters-2' is not a node of the cluster`,
  ]);
  assert.deepEqual(errorsOf(withSections({ addons: '(addons (salt (master-node "masters-1")))' })), []);
  assert.deepEqual(
    errorsOf(
      withSections({
        addons: '(addons (salt (master-node "bastion")))',
        security: '(security (bastion (size "t3.micro") (allowed-cidrs "203.0.113.7/32")))',
      }),
    ),
    [],
  );
  assert.deepEqual(errorsOf(withSections({ security: '(security (ssh (auto-generate false)))' })), [
    `'security.ssh.key-path' is required when auto-generate is false`,
  ]);
  assert.deepEqual(errorsOf(withSections({ 'load-balancer': '(load-balancer)' })), []);
});

test('the WireGuard mesh cannot be switched off in wireguard mode', () => {
  assert.deepEqual(errorsOf(withSections({ network: '(network (wireguard (enabled false)))' })), [
    'network mode is wireguard but the WireGuard mesh is disabled',
  ]);
});

test('a bastion without allowed networks is a warning, not an error', () => {
  const loaded = load(withSections({ security: '(security (bastion (size "t3.micro")))' }));
  assert.equal(loaded.config.security.bastion?.provider, 'aws');
  assert.equal(loaded.config.security.bastion?.region, 'us-east-1');
  assert.deepEqual(
    loaded.warnings.map((w) => w.message),
    ['the bastion admits SSH from nobody: security.bastion.allowed-cidrs is empty'],
  );
});

test('one region per provider; Salt keeps secure auth', () => {
  assert.deepEqual(errorsOf(withSections(pools('(masters (size "a") (region "us-west-2"))'))), [
    `node pool 'masters' in region us-west-2 while providers.aws is in us-east-1: pools in more than one region of a provider is not supported yet`,
  ]);
  assert.deepEqual(
    errorsOf(withSections({ security: '(security (bastion (size "t3.micro") (region "eu-west-1") (allowed-cidrs "203.0.113.7/32")))' })),
    [`the bastion in region eu-west-1 while providers.aws is in us-east-1: a bastion in another region than its provider is not supported yet`],
  );
  assert.deepEqual(errorsOf(withSections({ addons: '(addons (salt (secure-auth false)))' })), [
    `addons.salt secure-auth false (auto-accepting minion keys) is not supported yet`,
  ]);
});
