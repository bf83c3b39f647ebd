// export-config: every seed example deployed to the simulated cloud comes back as the Lisp it
// was deployed from, and that file (and the regenerated one) re-deploys with zero changes; a
// stack the earlier Go implementation wrote is read by export-config and history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../config/index.ts';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { HistoryEnv } from './testing.ts';

const seeds = join(import.meta.dirname, '../../../test/fixtures/config/seeds');
const fixtures = join(import.meta.dirname, '../../../test/fixtures/history');
const SEED_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'us-east-1',
  CLUSTER_ENV: 'production',
  DIGITALOCEAN_TOKEN: 'dop_v1_example',
  LINODE_TOKEN: 'linode-example',
};

let unregister: () => void;
before(() => {
  unregister = registerSimulatedClouds();
});
after(() => unregister());

const examples = readdirSync(seeds).filter((f) => f.endsWith('.lisp') && f !== 'stack-naming.lisp');

for (const file of examples) {
  test(`seed ${file}: deployed, exported as Lisp (original and regenerated), each re-deploys with zero changes`, async () => {
    const e = new HistoryEnv(undefined, SEED_ENV);
    try {
      const source = join(seeds, file);
      const name = (await loadConfigFile(source, { env: e.env })).config.metadata.name;
      assert.equal((await e.run(['stacks', 'create', name])).code, 0);
      const first = await e.run(['deploy', '--config', source, '--yes']);
      assert.equal(first.code, 0, first.stderr);
      const deployed = (await e.records(name)).meta!;

      // The file as it was written, byte for byte.
      const out = await e.run(['export-config', name, '--format', 'lisp', '--output', 'recovered.lisp']);
      assert.equal(out.code, 0, out.stderr);
      const recovered = join(e.dir, 'recovered.lisp');
      assert.equal(readFileSync(recovered, 'utf8'), readFileSync(source, 'utf8'));
      assert.equal(statSync(recovered).mode & 0o777, 0o600);
      const again = await e.run(['deploy', '--config', recovered, '--yes', '--json']);
      assert.equal(again.code, 0, again.stderr);
      const plan = JSON.parse(again.stdout) as { summary: Record<string, number>; outputs: unknown[] };
      assert.deepEqual([plan.summary.create, plan.summary.update, plan.summary.replace, plan.summary.delete], [0, 0, 0, 0]);
      assert.deepEqual(plan.outputs, []);
      assert.equal((await e.records(name)).meta!.deploymentId, deployed.deploymentId, 'nothing ran, nothing was recorded');

      // Regenerated from the stored config by the printer: the same configuration, whatever the
      // environment now holds (its values are resolved). Only the stored Lisp text differs.
      const regen = await e.run(['export-config', name, '--format', 'lisp', '--regenerate', '--show-secrets', '--output', 'regenerated.lisp']);
      assert.equal(regen.code, 0, regen.stderr);
      const preview = await e.run(['preview', name, '--config', join(e.dir, 'regenerated.lisp'), '--json'], { env: { AWS_REGION: 'eu-west-3', CLUSTER_ENV: 'staging', K8S_MINOR: '31' } });
      assert.equal(preview.code, 0, preview.stderr);
      const p2 = JSON.parse(preview.stdout) as { summary: Record<string, number>; outputs: { key?: string; path?: string }[] };
      assert.deepEqual([p2.summary.create, p2.summary.update, p2.summary.replace, p2.summary.delete], [0, 0, 0, 0]);
      assert.deepEqual(p2.outputs.map((c) => c.key ?? c.path), ['lispManifest']);

      // JSON without secrets, and the metadata.
      const json = JSON.parse((await e.run(['export-config', name, '--format', 'json'])).stdout) as { metadata: { name: string } };
      assert.equal(json.metadata.name, name);
      const meta = JSON.parse((await e.run(['export-config', name, '--format', 'meta'])).stdout) as { deploymentId: string };
      assert.equal(meta.deploymentId, deployed.deploymentId);
    } finally {
      e.cleanup();
    }
  });
}

/** A file backend holding a checkpoint the Go implementation wrote. */
function goBackend(e: HistoryEnv, fixture: string, stack: string): void {
  const root = join(e.dir, 'state', '.pulumi');
  mkdirSync(join(root, 'stacks', 'sloth-kubernetes'), { recursive: true });
  writeFileSync(join(root, 'meta.yaml'), 'version: 1\n');
  copyFileSync(join(fixtures, fixture), join(root, 'stacks', 'sloth-kubernetes', `${stack}.json`));
}

test('a stack written by the Go implementation: export-config returns its Lisp, JSON (redacted) and metadata; history lists its deployments', async () => {
  const e = new HistoryEnv(undefined, { PULUMI_CONFIG_PASSPHRASE: 'go-era-passphrase' });
  try {
    goBackend(e, 'go-stack.json', 'legacy');
    const lisp = await e.run(['export-config', 'legacy', '--format', 'lisp']);
    assert.equal(lisp.code, 1, 'its Lisp holds a literal cluster token and Salt password');
    assert.match(lisp.stderr, /holds 2 secret values/);
    const shown = await e.run(['export-config', 'legacy', '--format', 'lisp', '--show-secrets']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^; cluster-config\.lisp\n\(cluster\n/);
    const json = await e.run(['export-config', 'legacy', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const cfg = JSON.parse(json.stdout) as { providers: { digitalocean: { token: string } }; kubernetes: { rke2: { clusterToken: string } }; addons: { salt: { apiPassword: string } }; nodePools: Record<string, { count: number }> };
    assert.equal(cfg.providers.digitalocean.token, '${DIGITALOCEAN_TOKEN}');
    assert.equal(cfg.kubernetes.rke2.clusterToken, '[secret]', 'what the Go writer forgot to sanitize is redacted');
    assert.equal(cfg.addons.salt.apiPassword, '[secret]');
    assert.equal(cfg.nodePools.workers!.count, 2);
    assert.doesNotMatch(json.stdout, /my-super-secret|go-era-salt/);
    const regen = await e.run(['export-config', 'legacy', '--format', 'lisp', '--regenerate']);
    assert.equal(regen.code, 1);
    assert.match(regen.stderr, /format of an earlier sloth-kubernetes[\s\S]*--format lisp/);
    const meta = JSON.parse((await e.run(['export-config', 'legacy', '--format', 'meta'])).stdout) as Record<string, unknown>;
    assert.equal(meta.deploymentId, 'deploy-3-2026-01-07');
    assert.deepEqual(meta.nodePoolsAdded, [], 'Go left empty lists out (null/omitempty)');

    const history = JSON.parse((await e.run(['history', 'legacy', '--json'])).stdout) as { deploymentId: string; actor: string; nodeCount: number; current: boolean; summary: string }[];
    assert.deepEqual(history.map((h) => [h.deploymentId, h.nodeCount, h.current]), [
      ['deploy-3-2026-01-07', 5, true],
      ['deploy-2-2026-01-06', 4, false],
      ['deploy-1-2026-01-05', 4, false],
    ]);
    assert.equal(history[0]!.actor, 'sloth-kubernetes');
    assert.match(history[0]!.summary, /^Scaled cluster from 4 to 5 nodes/);
    const text = await e.run(['history', 'legacy']);
    assert.match(text.stdout, /deploy-3-2026-01-07 \*/);
  } finally {
    e.cleanup();
  }
});

test('a 1.0 deployment record is migrated when read: history says so, export-config --format meta shows the migration, nothing is lost', async () => {
  const e = new HistoryEnv(undefined, { PULUMI_CONFIG_PASSPHRASE: 'go-era-passphrase' });
  try {
    goBackend(e, 'go-stack-v1.json', 'legacy-v1');
    const text = await e.run(['history', 'legacy-v1']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /deploy-2-2025-11-03 \*/);
    assert.match(text.stdout, /deployment metadata read from schema 1\.0; migrated with v1\.0-to-v2\.0/);
    const meta = JSON.parse((await e.run(['export-config', 'legacy-v1', '--format', 'meta'])).stdout) as { schemaVersion: string; configVersion: { migrations: string[] }; slothVersion: string; deploymentCount: number };
    assert.equal(meta.schemaVersion, '2.0');
    assert.deepEqual(meta.configVersion.migrations, ['v1.0-to-v2.0']);
    assert.deepEqual([meta.slothVersion, meta.deploymentCount], ['1.0.0', 2]);
  } finally {
    e.cleanup();
  }
});
