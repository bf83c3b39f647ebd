// The corrections made to the vendors' documents before Prism reads them change exactly what
// errata.ts says, and no more: a new contract version makes these counts move, and someone
// looks again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HETZNER_SPEC, LINODE_SPEC } from './prism.ts';
import { mergeClosedAllOf, upperCaseStatusRanges } from './errata.ts';

test('Linode: the closed allOf schemas are merged, nothing else', () => {
  const doc = parse(readFileSync(LINODE_SPEC, 'utf8'), { maxAliasCount: -1 }) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }>> };
  const { doc: fixed, changed } = mergeClosedAllOf(doc);
  assert.equal(changed, 37);
  const create = (fixed as typeof doc).paths['/{apiVersion}/networking/firewalls']!.post!.requestBody!.content['application/json']!.schema as { allOf?: unknown; properties: Record<string, { properties?: Record<string, unknown> }>; additionalProperties: boolean };
  assert.equal(create.allOf, undefined);
  assert.equal(create.additionalProperties, false, 'still closed');
  assert.ok(create.properties.devices && create.properties.label);
  assert.ok(create.properties.rules!.properties!.inbound_policy, 'the nested rules object is merged too');
});

test('Hetzner: response ranges are spelled 4XX/5XX, nothing else', () => {
  const doc = JSON.parse(readFileSync(HETZNER_SPEC, 'utf8')) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const { doc: fixed, changed } = upperCaseStatusRanges(doc);
  assert.ok(changed > 300, `${changed} ranges`);
  assert.deepEqual(Object.keys((fixed as typeof doc).paths['/servers']!.post!.responses), ['201', '4XX', '5XX']);
  assert.equal(JSON.stringify(fixed).replace(/"([45])XX"/g, '"$1xx"'), JSON.stringify(doc));
});
