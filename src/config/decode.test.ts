import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnosticsOf, errorsOf, load, withSections } from './testing.ts';

test('a valid config decodes with defaults filled', () => {
  const { config } = load(withSections());
  assert.equal(config.metadata.name, 'test');
  assert.equal(config.metadata.environment, 'development');
  assert.equal(config.providers.aws?.enabled, true);
  assert.equal(config.network.mode, 'wireguard');
  assert.equal(config.network.wireguard.subnetCidr, '10.8.0.0/24');
  assert.equal(config.network.wireguard.port, 51820);
  assert.equal(config.network.wireguard.mtu, 1420);
  assert.equal(config.network.wireguard.persistentKeepalive, 25);
  assert.equal(config.kubernetes.distribution, 'rke2');
  assert.equal(config.kubernetes.version, 'v1.33.5+rke2r1');
  assert.equal(config.kubernetes.clusterDns, '10.43.0.10');
  assert.equal(config.kubernetes.clusterDomain, 'cluster.local');
  assert.equal(config.network.podCidr, '10.42.0.0/16');
  assert.equal(config.network.serviceCidr, '10.43.0.0/16');
  assert.equal(config.kubernetes.rke2?.clusterToken, undefined, 'no secret has a default');
});

test('an unknown key is an error with a did-you-mean suggestion and its position', () => {
  const d = diagnosticsOf(withSections({ providers: '(providers (aws (regoin "us-east-1")))' }));
  const unknown = d.find((x) => x.message.includes("unknown key 'regoin'"));
  assert.ok(unknown, JSON.stringify(d));
  assert.match(unknown.message, /in providers\.aws; did you mean 'region'\?/);
  assert.equal(unknown.path, 'providers.aws.regoin');
  assert.deepEqual(unknown.pos, { file: 'test.lisp', line: 3, col: 20 });
});

test('unknown keys at every level are reported, all at once', () => {
  const errors = errorsOf(`(cluster
  (metdata (name "x"))
  (providers (aws (region "us-east-1") (vpc (cidrr "10.0.0.0/16"))))
  (node-pools (masters (cnt 1) (size "t3.medium"))))`);
  assert.ok(errors.some((e) => /unknown key 'metdata' in cluster; did you mean 'metadata'/.test(e)));
  assert.ok(errors.some((e) => /unknown key 'cidrr' in providers\.aws\.vpc; did you mean 'cidr'/.test(e)));
  assert.ok(errors.some((e) => /unknown key 'cnt' in node-pools\.masters; did you mean 'count'/.test(e)));
});

test('camelCase spellings of keys are suggested their kebab-case form', () => {
  const errors = errorsOf(withSections({ providers: '(providers (aws (region "us-east-1") (accessKeyId "x")))' }));
  assert.ok(errors.some((e) => /did you mean 'access-key-id'/.test(e)), errors.join('\n'));
});

test('a nested section with a single child keeps that child', () => {
  const { config } = load(
    withSections({
      providers: '(providers (aws (region "us-east-1") (vpc (cidr "10.1.0.0/16"))))',
      security: '(security (ssh (port 2222)))',
      addons: '(addons (salt (enabled true)))',
      'node-pools':
        '(node-pools (masters (size "t3.medium") (labels (role "control-plane")) (taints (taint "dedicated" NoSchedule))))',
    }),
  );
  assert.equal(config.providers.aws?.vpc.cidr, '10.1.0.0/16');
  assert.equal(config.security.ssh.port, 2222);
  assert.equal(config.addons.salt?.enabled, true);
  assert.deepEqual(config.nodePools.masters?.labels, { role: 'control-plane' });
  assert.deepEqual(config.nodePools.masters?.taints, [{ key: 'dedicated', effect: 'NoSchedule' }]);
});

test('a value of the wrong type says which type was expected', () => {
  const errors = errorsOf(
    withSections({
      'node-pools': '(node-pools (masters (count "3") (size 5) (spot-instance "yes")))',
      network: '(network (mode 7) (wireguard (port "51820")))',
    }),
  );
  assert.ok(errors.includes(`'node-pools.masters.count' expects an integer, got the string "3"`), errors.join('\n'));
  assert.ok(errors.includes(`'node-pools.masters.size' expects a string, got the integer 5`));
  assert.ok(errors.includes(`'node-pools.masters.spot-instance' expects a boolean (true or false), got the string "yes"`));
  assert.ok(errors.includes(`'network.mode' expects one of wireguard, tailscale, got the integer 7`));
  assert.ok(errors.includes(`'network.wireguard.port' expects an integer, got the string "51820"`));
});

test('enum values are names or strings, with suggestions for typos', () => {
  assert.equal(load(withSections({ kubernetes: '(kubernetes (distribution k3s))' })).config.kubernetes.distribution, 'k3s');
  assert.equal(load(withSections({ kubernetes: '(kubernetes (distribution "k3s"))' })).config.kubernetes.distribution, 'k3s');
  const errors = errorsOf(withSections({ kubernetes: '(kubernetes (distribution rk2))' }));
  assert.deepEqual(errors, [`'kubernetes.distribution' expects one of rke2, k3s, got 'rk2'; did you mean 'rke2'?`]);
});

test('a section written as a value, a scalar with no or several values, and duplicates are errors', () => {
  const errors = errorsOf(
    withSections({
      metadata: '(metadata (name "test") (name "again") (environment))',
      providers: '(providers (aws (region "us-east-1" "us-west-2") (vpc true)))',
    }),
  );
  assert.ok(errors.includes(`duplicate key 'name' in metadata`), errors.join('\n'));
  assert.ok(errors.includes(`'environment' needs a value: expected a string`));
  assert.ok(errors.includes(`'region' takes one value, got 2`));
  assert.ok(errors.includes(`'vpc' is a section: expected (key value) forms inside it, got a boolean`));
});

test('aliases: do, nodePools, loadBalancer, costControl, controlplane', () => {
  const text = `(cluster
  (metadata (name "alias"))
  (providers (do (region "nyc3")))
  (nodePools (masters (roles controlplane etcd) (size "s-2vcpu-4gb")) (w (provider do) (roles worker) (size "s-2vcpu-4gb")))
  (loadBalancer (type network)))`;
  const { config } = load(text);
  assert.equal(config.providers.digitalocean?.region, 'nyc3');
  assert.deepEqual(config.nodePools.masters?.roles, ['master', 'etcd']);
  assert.equal(config.nodePools.w?.provider, 'digitalocean');
  assert.equal(config.loadBalancer?.provider, 'digitalocean');
  const cost = errorsOf(withSections({ cost: '(costControl (estimate true))' }));
  assert.deepEqual(cost, [`'cost-control' is not supported yet`]);
  const both = errorsOf(withSections({ providers: '(providers (do (region "nyc3")) (digitalocean (region "nyc1")))' }));
  assert.ok(both.includes(`duplicate key 'digitalocean' in providers`), both.join('\n'));
});

test('values are evaluated: env, concat, if, default; nil means not written', () => {
  const text = `(cluster
  (metadata (name (concat "c-" (env "SUFFIX" "dev"))))
  (providers (aws (region (env "AWS_REGION" "us-east-1")) (access-key-id (env "NOT_SET"))))
  (node-pools (masters (count (if (eq (env "E") "prod") 3 1)) (size (default (env "SIZE") "t3.medium")))))`;
  const dev = load(text).config;
  assert.equal(dev.metadata.name, 'c-dev');
  assert.equal(dev.providers.aws?.accessKeyId, undefined);
  assert.equal(dev.nodePools.masters?.count, 1);
  assert.equal(dev.nodePools.masters?.size, 't3.medium');
  const prod = load(text, { env: { E: 'prod', SUFFIX: 'p', SIZE: 'm5.large' } }).config;
  assert.equal(prod.metadata.name, 'c-p');
  assert.equal(prod.nodePools.masters?.count, 3);
  assert.equal(prod.nodePools.masters?.size, 'm5.large');
});

test('a built-in call in key position splices the sections it yields', () => {
  const text = withSections({
    'node-pools': `(node-pools
      (masters (count 1) (size "t3.medium"))
      (when (env? "BIG") (workers (count 5) (size "t3.large")))
      (unless (env? "BIG") (small (count 1) (size "t3.small"))))`,
    addons: '(addons (when (env? "BIG") (argocd (enabled true))))',
  });
  const small = load(text).config;
  assert.deepEqual(Object.keys(small.nodePools), ['masters', 'small']);
  assert.equal(small.addons.argocd, undefined);
  const big = load(text, { env: { BIG: '1' } }).config;
  assert.deepEqual(Object.keys(big.nodePools), ['masters', 'workers']);
  assert.equal(big.addons.argocd?.enabled, true);
});

test('let bindings are seen by the sections inside them', () => {
  const text = `(let ((region "eu-west-1") (size "t3.large"))
  (cluster
    (metadata (name "let"))
    (providers (aws (region region)))
    (node-pools (let ((n 3)) (masters (count n) (size size))))))`;
  const { config } = load(text);
  assert.equal(config.providers.aws?.region, 'eu-west-1');
  assert.equal(config.nodePools.masters?.count, 3);
  assert.equal(config.nodePools.masters?.region, 'eu-west-1');
});

test('a key wins over a built-in of the same name inside its section', () => {
  const { config } = load(
    withSections({ 'node-pools': '(node-pools (masters (size "t3.medium") (image (id "ami-123") (user "ubuntu"))))' }),
  );
  assert.deepEqual(config.nodePools.masters?.image, { id: 'ami-123', user: 'ubuntu', provisioners: [], tags: {} });
});

test('image short form, and a conditional long form', () => {
  const short = load(withSections({ 'node-pools': '(node-pools (masters (size "t3.medium") (image "ubuntu-22.04")))' }));
  assert.equal(short.config.nodePools.masters?.image?.id, 'ubuntu-22.04');
  const viaIf = load(withSections({ 'node-pools': '(node-pools (masters (size "t3.medium") (image (if (env? "X") "a" "b"))))' }));
  assert.equal(viaIf.config.nodePools.masters?.image?.id, 'b');
  const viaWhen = load(
    withSections({ 'node-pools': '(node-pools (masters (size "t3.medium") (image (when true (id "c") (user "admin")))))' }),
  );
  assert.equal(viaWhen.config.nodePools.masters?.image?.user, 'admin');
});

test('lists take names, strings and evaluated lists', () => {
  const { config } = load(
    withSections({
      'node-pools': `(node-pools (masters (size "t3.medium") (roles master etcd) (zones (split "us-east-1a,us-east-1b" ","))))`,
      kubernetes: '(kubernetes (tls-san "api.example.com" (concat "10.0.0." "5")))',
    }),
  );
  assert.deepEqual(config.nodePools.masters?.zones, ['us-east-1a', 'us-east-1b']);
  assert.deepEqual(config.kubernetes.tlsSan, ['api.example.com', '10.0.0.5']);
  const errors = errorsOf(withSections({ 'node-pools': '(node-pools (masters (size "t3.medium") (roles master etdc)))' }));
  assert.deepEqual(errors, [`'node-pools.masters.roles' expects one of master, etcd, worker, got 'etdc'; did you mean 'etcd'?`]);
});

test('maps: pairs, invalid names, duplicates', () => {
  const errors = errorsOf(
    withSections({
      metadata: '(metadata (name "test") (labels (team "a") (team "b") (_bad "x") "loose" (two "a" "b")))',
    }),
  );
  assert.ok(errors.includes(`duplicate name 'team' in metadata.labels`), errors.join('\n'));
  assert.ok(errors.includes(`'_bad' is not a valid name in metadata.labels`));
  assert.ok(errors.includes(`'metadata.labels' holds (name value) pairs, got a string`));
  assert.ok(errors.includes(`'metadata.labels.two' takes one value, got 2`));
});

test('taints: positional and keyed forms, unknown tags', () => {
  const { config } = load(
    withSections({
      'node-pools': `(node-pools (masters (size "t3.medium")
        (taints (taint "a" NoSchedule) (taint "b" "v" PreferNoSchedule) (taint (key "c") (effect NoExecute)))))`,
    }),
  );
  assert.deepEqual(config.nodePools.masters?.taints, [
    { key: 'a', effect: 'NoSchedule' },
    { key: 'b', value: 'v', effect: 'PreferNoSchedule' },
    { key: 'c', effect: 'NoExecute' },
  ]);
  const errors = errorsOf(
    withSections({ 'node-pools': '(node-pools (masters (size "t3.medium") (taints (tain "a" NoSchedule) (taint "a" "b" "c" "d"))))' }),
  );
  assert.ok(errors.some((e) => /holds \(taint …\) forms, got 'tain'; did you mean 'taint'\?/.test(e)), errors.join('\n'));
  assert.ok(errors.includes('(taint …) does not take 4 leading values'));
});

test('named sections: invalid and duplicate names', () => {
  const errors = errorsOf(
    withSections({ 'node-pools': '(node-pools (masters (size "t3.medium")) (Workers (size "x")) (masters (size "y")))' }),
  );
  assert.ok(errors.includes(`node pool name 'Workers' is not a valid DNS label`), errors.join('\n'));
  assert.ok(errors.includes(`duplicate node pool 'masters' in node-pools`));
});

test('the file holds one (cluster …) form', () => {
  assert.deepEqual(errorsOf('(metadata (name "x"))'), [`unknown top-level form 'metadata'`, 'no (cluster …) form in the file']);
  assert.deepEqual(errorsOf(''), ['no (cluster …) form in the file']);
  const two = errorsOf(`${withSections()}\n${withSections()}`);
  assert.deepEqual(two, ['a second (cluster …) form; a file describes one cluster']);
  assert.deepEqual(errorsOf('(clustr)'), [`unknown top-level form 'clustr'; did you mean 'cluster'?`, 'no (cluster …) form in the file']);
});

test('a top-level (set …) runs before the cluster is decoded', () => {
  const { config } = load(`(set "size" "t3.xlarge")\n${withSections({ 'node-pools': '(node-pools (masters (size (var "size"))))' })}`);
  assert.equal(config.nodePools.masters?.size, 't3.xlarge');
});

test('syntax and evaluation errors keep their position', () => {
  const syntax = diagnosticsOf('(cluster (metadata (name "x"))');
  assert.equal(syntax.length, 1);
  assert.equal(syntax[0]!.pos?.line, 1);
  const evalErr = diagnosticsOf(withSections({ metadata: '(metadata (name (concat "a" (no-such-fn))))' }));
  assert.equal(evalErr.length, 1);
  assert.match(evalErr[0]!.message, /unknown function 'no-such-fn'/);
  assert.equal(evalErr[0]!.pos?.line, 2);
});

test('secret values never appear in type errors or evaluation errors', () => {
  const d = diagnosticsOf(
    withSections({ providers: '(providers (aws (region "us-east-1") (secret-access-key 12345) (access-key-id (to-int "s3cr3t"))))' }),
  );
  const text = JSON.stringify(d);
  assert.ok(!text.includes('12345'), text);
  assert.ok(!text.includes('s3cr3t'), text);
  assert.ok(d.every((x) => x.secret), 'the source lines are not quoted');
  const shown = diagnosticsOf(
    withSections({ providers: '(providers (aws (region "us-east-1") (access-key-id (to-int "s3cr3t"))))' }),
    { showSecrets: true },
  );
  assert.match(JSON.stringify(shown), /s3cr3t/);
});

test('restricted evaluation refuses env unless allowed', () => {
  const text = withSections({ metadata: '(metadata (name (env "NAME" "fallback")))' });
  const refused = errorsOf(text, { env: { NAME: 'x' }, restricted: { allow: [] } });
  assert.equal(refused.length, 1);
  assert.match(refused[0]!, /env/);
  const allowed = load(text, { env: { NAME: 'x' }, restricted: { allow: ['env:NAME'] } });
  assert.equal(allowed.config.metadata.name, 'x');
});

test('a top-level key that belongs in a section says where', () => {
  const d = diagnosticsOf(withSections({ salt: '(salt (enabled true))' }));
  assert.deepEqual(
    d.map((x) => [x.message, x.hint]),
    [[`unknown key 'salt' in cluster; it belongs in addons`, 'write (addons (salt …))']],
  );
  const misplaced = diagnosticsOf(withSections({ kubernetes: '(kubernetes (rke2 (tls-san "api.example.com")))' }));
  assert.deepEqual(
    misplaced.map((x) => [x.message, x.hint]),
    [[`unknown key 'tls-san' in kubernetes.rke2; it belongs in kubernetes`, 'write (kubernetes (tls-san …))']],
  );
});

test('a string where a number or boolean is expected suggests the conversion', () => {
  const d = diagnosticsOf(withSections({ 'node-pools': '(node-pools (masters (count (env "N" "3")) (size "a") (spot-instance (env "S" "false"))))' }));
  assert.deepEqual(
    d.map((x) => x.hint),
    ['convert it: (to-int …)', 'convert it: (to-bool …)'],
  );
});
