// Every Lisp example of the product documentation (the team's seeds folder) is a fixture under
// test/fixtures/config/seeds and must validate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from './load.ts';
import { ConfigError } from './diagnostics.ts';
import { roleCounts } from './topology.ts';

const dir = join(import.meta.dirname, '../../test/fixtures/config/seeds');
const env = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'us-east-1',
  CLUSTER_ENV: 'production',
  DIGITALOCEAN_TOKEN: 'dop_v1_example',
  LINODE_TOKEN: 'linode-example',
};
const complete = readdirSync(dir).filter((f) => f.endsWith('.lisp') && f !== 'stack-naming.lisp');

test('the seed examples are all here', () => {
  assert.deepEqual(complete.sort(), ['aws-production.lisp', 'development.lisp', 'dynamic.lisp', 'multi-cloud-ha.lisp', 'quick-start.lisp']);
});

for (const file of complete) {
  test(`seed example ${file} validates`, async () => {
    const { config } = await loadConfigFile(join(dir, file), { env });
    assert.ok(roleCounts(config).controlPlane >= 1);
  });
}

test('the dynamic example gives 3 masters with CLUSTER_ENV=production and 1 otherwise', async () => {
  const file = join(dir, 'dynamic.lisp');
  const prod = await loadConfigFile(file, { env });
  assert.equal(prod.config.nodePools.masters?.count, 3);
  assert.equal(prod.config.metadata.name, 'cluster-production');
  assert.equal(prod.config.nodePools.masters?.size, 't3.medium');
  assert.equal(prod.config.nodePools.masters?.provider, 'aws');
  assert.equal(prod.config.kubernetes.version, 'v1.29.0+rke2r1');
  for (const other of ['staging', undefined]) {
    const r = await loadConfigFile(file, { env: { ...env, CLUSTER_ENV: other } });
    assert.equal(r.config.nodePools.masters?.count, 1, `CLUSTER_ENV=${other}`);
  }
  const tuned = await loadConfigFile(file, { env: { ...env, MASTER_SIZE: 'm5.large', K8S_MINOR: '31' } });
  assert.equal(tuned.config.nodePools.masters?.size, 'm5.large');
  assert.equal(tuned.config.kubernetes.version, 'v1.31.0+rke2r1');
  const bare = await loadConfigFile(file, { env: {} });
  assert.equal(bare.config.metadata.name, 'cluster-dev');
  assert.equal(bare.config.providers.aws?.accessKeyId, undefined, 'an unset credential stays unset');
});

// The stack-naming example of the stacks guide is a fragment (metadata only): it reads and
// names the stack, and validation asks for the parts a deployable cluster needs.
test('the stack-naming fragment names the stack my-cluster and asks for providers and masters', async () => {
  const file = join(dir, 'stack-naming.lisp');
  const r = await loadConfigFile(file, { env, validate: false });
  assert.equal(r.config.metadata.name, 'my-cluster');
  assert.equal(r.config.metadata.environment, 'production');
  await assert.rejects(loadConfigFile(file, { env }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(
      err.diagnostics.map((d) => d.message),
      ['no cloud provider is enabled', 'the cluster has no master: at least one node needs the master role'],
    );
    return true;
  });
});
