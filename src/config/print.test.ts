import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { arbitraryConfig } from './arbitraries.ts';
import { loadConfigFile } from './load.ts';
import { printConfig } from './print.ts';
import { load, withSections } from './testing.ts';

const reread = (text: string) => load(text, { validate: false }).config;

test('print → read gives back an equal config, for generated configs', () => {
  fc.assert(
    fc.property(arbitraryConfig(), (config) => {
      const text = printConfig(config);
      assert.deepStrictEqual(reread(text), config, text);
    }),
    { numRuns: 300 },
  );
});

test('printing is canonical: a printed config prints the same again', () => {
  fc.assert(
    fc.property(arbitraryConfig(), (config) => {
      const text = printConfig(config);
      assert.equal(printConfig(reread(text)), text);
    }),
    { numRuns: 100 },
  );
});

test('the seed examples round-trip through the printer', async () => {
  const dir = join(import.meta.dirname, '../../test/fixtures/config/seeds');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.lisp'))) {
    const { config } = await loadConfigFile(join(dir, f), { env: { CLUSTER_ENV: 'production' }, validate: false });
    assert.deepStrictEqual(reread(printConfig(config)), config, f);
  }
});

test('canonical form: schema order, enum values bare, defaults left out', () => {
  const { config } = load(
    withSections({
      kubernetes: '(kubernetes (version "v1.30.1+rke2r1") (distribution rke2))',
      'node-pools': '(node-pools (masters (size "t3.medium") (labels (app.kubernetes.io/name "x") ("1st" "y"))))',
    }),
  );
  assert.equal(
    printConfig(config),
    `(cluster
  (metadata
    (name "test"))
  (providers
    (aws
      (region "us-east-1")
      (vpc
        (create true)
        (name "test-aws"))))
  (network
    (pod-cidr "10.42.0.0/16")
    (service-cidr "10.43.0.0/16"))
  (node-pools
    (masters
      (name "masters")
      (provider aws)
      (roles master etcd)
      (size "t3.medium")
      (region "us-east-1")
      (labels
        (app.kubernetes.io/name "x")
        ("1st" "y"))))
  (kubernetes
    (version "v1.30.1+rke2r1")
    (network-plugin canal)
    (pod-cidr "10.42.0.0/16")
    (service-cidr "10.43.0.0/16")
    (cluster-dns "10.43.0.10")
    (high-availability false)
    (rke2)))
`,
  );
});

test('an underivable default stays absent (not undefined) and still round-trips', () => {
  const text = '(cluster (nodes (a (roles worker) (size "x"))) (node-pools (p (size "y"))))';
  const config = reread(text);
  assert.ok(!('provider' in config.nodes.a!), 'no provider key without an enabled provider');
  assert.ok(!('region' in config.nodePools.p!));
  assert.deepStrictEqual(reread(printConfig(config)), config);
});
