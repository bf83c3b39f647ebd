// Checkpoints we write validate against Pulumi's own JSON schemas (deployments.json,
// property-values.json as they are; resources.json extended only by the fields
// STATE-FORMAT.md §8 lists as missing from it), and an export round-trips through import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { openStateStore, Secret, setStackOutputs, UNKNOWN_VALUE } from './index.ts';
import type { ResourceState } from './index.ts';

const schemas = new URL('../../test/contracts/pulumi/schemas/', import.meta.url);
const load = (n: string) => JSON.parse(readFileSync(new URL(n, schemas), 'utf8')) as Record<string, unknown>;
// §8: "lacks created, modified, retainOnDelete, deletedWith, sourcePosition, stackTrace, taint,
// ignoreChanges, hideDiff, replaceOnChanges, replaceWith, replacementTrigger".
const MISSING_FROM_RESOURCES_JSON: Record<string, unknown> = {
  created: { type: 'string' },
  modified: { type: 'string' },
  retainOnDelete: { type: 'boolean' },
  deletedWith: { type: 'string' },
  sourcePosition: { type: 'string' },
  stackTrace: { type: 'array' },
  taint: { type: 'boolean' },
  ignoreChanges: { type: 'array', items: { type: 'string' } },
  hideDiff: { type: 'array', items: { type: 'string' } },
  replaceOnChanges: { type: 'array', items: { type: 'string' } },
  replaceWith: { type: 'array', items: { type: 'string' } },
  replacementTrigger: {},
};

function validator() {
  const resources = load('resources.json') as { $defs: { resourceV3: { properties: Record<string, unknown> } } };
  Object.assign(resources.$defs.resourceV3.properties, MISSING_FROM_RESOURCES_JSON);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:/i);
  // Ajv does not resolve a `$anchor` on a root schema; the same schema, unchanged, under $defs.
  const pv = load('property-values.json');
  ajv.addSchema({ $id: pv.$id as string, $defs: { root: { ...pv, $id: undefined } }, $ref: '#/$defs/root' });
  ajv.addSchema(resources);
  return ajv.compile(load('deployments.json'));
}

test('our checkpoints validate against Pulumi schemas, and export → import round-trips', async () => {
  const home = mkdtempSync(join(tmpdir(), 'schema-'));
  try {
    const store = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${home}/state` }, homedir: home, cwd: home });
    await store.createStack('dev', { passphrase: 'pw' });
    const passphrase = async () => 'pw';
    const stack = await store.openStack('dev', { passphrase });
    const update = await stack.beginUpdate('update');
    const p = 'urn:pulumi:dev::sloth-kubernetes::pulumi:providers:aws::default_6_0_0';
    const vpc: ResourceState = {
      urn: 'urn:pulumi:dev::sloth-kubernetes::aws:ec2/vpc:Vpc::main',
      custom: true,
      type: 'aws:ec2/vpc:Vpc',
      id: 'vpc-1',
      inputs: { cidr: '10.0.0.0/16', tags: { a: 'b' }, pending: UNKNOWN_VALUE },
      outputs: { arn: 'arn:x', password: new Secret({ nested: new Secret('deep'), list: [1, 2.5, null, true] }), nan: Number.NaN },
      provider: `${p}::11111111-2222-4333-8444-555555555555`,
      protect: true,
      dependencies: [p],
      propertyDependencies: { cidr: [] },
      additionalSecretOutputs: ['password'],
      customTimeouts: { create: 600 },
      retainOnDelete: true,
      created: '2026-01-02T03:04:05Z',
      modified: '2026-01-02T03:04:05Z',
      ignoreChanges: ['tags'],
      sourcePosition: 'project:///cluster.lisp#3,4',
    };
    await update.record([
      setStackOutputs(update.deployment, 'dev', { kubeConfig: 'apiVersion: v1\nusers: []\n', clusterName: 'c' }),
      { op: 'put', resource: vpc },
      { op: 'put', resource: { urn: p, custom: true, type: 'pulumi:providers:aws', id: '11111111-2222-4333-8444-555555555555', inputs: { version: '6.0.0' } } },
    ]);
    await update.finish({ result: 'succeeded', resourceChanges: { create: 3 } });

    const file = JSON.parse(readFileSync(join(home, 'state/.pulumi/stacks/sloth-kubernetes/dev.json'), 'utf8')) as {
      version: number;
      checkpoint: { stack: string; latest: Record<string, unknown> };
    };
    assert.equal(file.checkpoint.stack, 'organization/sloth-kubernetes/dev');
    const validate = validator();
    const asDeployment = { version: file.version, deployment: file.checkpoint.latest };
    assert.ok(validate(asDeployment), JSON.stringify(validate.errors?.slice(0, 5), null, 1));
    // No plaintext secret on disk; the root stack outputs are secrets where they can carry credentials.
    const raw = JSON.stringify(file);
    for (const s of ['deep', 'apiVersion']) assert.ok(!raw.includes(s), `${s} on disk`);
    assert.ok(raw.includes('"clusterName":"c"'));

    const exported = await store.exportStack('dev');
    assert.ok(validate(JSON.parse(exported)), 'export validates');
    const shown = await store.exportStack('dev', { showSecrets: true, passphrase });
    assert.ok(validate(JSON.parse(shown)), 'export --show-secrets validates');
    assert.ok(shown.includes('"plaintext"') && shown.includes('deep'));

    // Round trip: a new stack with another passphrase salt imports the shown and the encrypted export.
    await store.createStack('dev2', { passphrase: 'pw' });
    for (const text of [exported, shown]) {
      const r = await store.importStack('dev2', text.replaceAll('urn:pulumi:dev::', 'urn:pulumi:dev2::'), { passphrase });
      assert.deepEqual(r.warnings, []);
      const back = await store.openStack('dev2', { passphrase });
      const before = (await store.openStack('dev', { passphrase })).deployment.resources;
      const norm = (rs: ResourceState[]) => JSON.stringify(rs, (k, v: unknown) => (k === 'ciphertext' ? undefined : v)).replaceAll('urn:pulumi:dev2::', 'urn:pulumi:dev::');
      assert.equal(norm(back.deployment.resources), norm(before));
      assert.ok(validate({ version: 3, deployment: JSON.parse(readFileSync(join(home, 'state/.pulumi/stacks/sloth-kubernetes/dev2.json'), 'utf8')).checkpoint.latest }));
    }
    store.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
