import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConfigurationDoc } from './docs.ts';
import { DOC_PATH } from './gen-docs.ts';

test('docs/configuration.md is generated from the current schema', () => {
  const committed = readFileSync(DOC_PATH, 'utf8');
  assert.ok(committed === renderConfigurationDoc(), 'docs/configuration.md is out of date: run `node src/config/gen-docs.ts`');
});

test('the reference lists every section, secrets and unsupported keys', () => {
  const doc = renderConfigurationDoc();
  for (const heading of ['## providers.aws', '## node-pools.<name>', '## node-pools.<name>.taints (taint …)', '## kubernetes.rke2', '## cost-control']) {
    assert.ok(doc.includes(`${heading}\n`), heading);
  }
  assert.match(doc, /\| `secret-access-key` \| string \| {2}\| .*\*\*secret\*\*/);
  assert.match(doc, /\| `azure` \| section \| {2}\| Microsoft Azure\. \|/);
  assert.match(doc, /\| `private` \| boolean \| `false` \| Keep nodes off public addresses\. \(\*not supported yet\*\) \|/);
  assert.match(doc, /\| `roles` \| list of `master`, `etcd`, `worker` \| `master etcd` when the pool name is/);
});
