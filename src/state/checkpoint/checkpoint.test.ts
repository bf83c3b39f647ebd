import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeDeployment, encodeDeployment, parseJson, readCheckpoint, serializeCheckpoint, serializeExport } from './checkpoint.ts';
import { checkIntegrity, sortForIntegrity } from './integrity.ts';
import { UnsupportedCheckpointError } from '../errors.ts';
import { Secret } from '../types.ts';
import type { Crypter } from '../secrets/crypter.ts';

const testdata = new URL('../../../test/contracts/pulumi/testdata/', import.meta.url);
const load = (name: string) => readFileSync(new URL(name, testdata));
const b64: Crypter = {
  provider: { type: 'b64' },
  description: 'test',
  encrypt: (pt) => Buffer.from(pt).toString('base64'),
  decrypt: (ct) => Buffer.from(ct, 'base64').toString('utf8'),
};

for (const name of ['checkpoint-v0.json', 'checkpoint-v1.json', 'checkpoint-v3.json', 'checkpoint-v4.json']) {
  test(`reads Pulumi's ${name}`, () => {
    const parsed = readCheckpoint(parseJson(load(name), name), name);
    assert.ok(parsed.latest);
    assert.equal(parsed.latest.resources.length, 30);
    const d = decodeDeployment(parsed.latest, (ct) => b64.decrypt(ct), name);
    assert.equal(d.resources[0]!.urn, 'urn:pulumi:foo::countdown::aws:sns/topic:Topic::countDown');
    assert.ok(d.resources.every((r) => !('defaults' in r)));
    // Pulumi's own fixtures list a child before its parent; that is an order problem only.
    const problems = checkIntegrity(d.resources);
    assert.ok(problems.every((p) => p.kind === 'order'), JSON.stringify(problems.filter((p) => p.kind !== 'order')));
    const sorted = sortForIntegrity(d.resources);
    assert.equal(sorted.cycle, false);
    assert.deepEqual(checkIntegrity(sorted.resources), []);
  });
}

test('a v4 checkpoint keeps its refreshBeforeUpdate data and is written back as version 4', () => {
  const parsed = readCheckpoint(parseJson(load('checkpoint-v4.json'), 'v4'), 'v4');
  const d = decodeDeployment(parsed.latest!, (ct) => b64.decrypt(ct), 'v4');
  const flagged = d.resources.filter((r) => r.refreshBeforeUpdate).length;
  assert.ok(flagged > 0);
  const out = JSON.parse(serializeCheckpoint('organization/countdown/foo', encodeDeployment(d, b64))) as { version: number; features: string[] };
  assert.equal(out.version, 4);
  assert.deepEqual(out.features, ['refreshBeforeUpdate']);
});

test('an unsupported v4 feature is refused with the feature named', () => {
  assert.throws(
    () => readCheckpoint(parseJson(load('checkpoint-v4-unsupported-feature.json'), 'f'), 'f'),
    (err: unknown) => err instanceof UnsupportedCheckpointError && /unsupported-feature/.test(err.message),
  );
});

test("secrets of Pulumi's checkpoint-secrets.json decode (test-only b64 provider)", () => {
  const parsed = readCheckpoint(parseJson(load('checkpoint-secrets.json'), 's'), 's');
  const d = decodeDeployment(parsed.latest!, (ct) => b64.decrypt(ct), 's');
  const secrets: unknown[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Secret) secrets.push(v.value);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const r of d.resources) walk(r.outputs);
  assert.ok(secrets.includes('AROAJBQANPFEXFW2SEVJM'));
  // Unchanged secrets are written back byte-identical.
  const again = encodeDeployment(d, { ...b64, encrypt: () => assert.fail('re-encrypted an unchanged secret') });
  assert.equal(JSON.stringify(again.resources).split('1b47061264138c4ac30d75fd1eb44270').length, JSON.stringify(parsed.latest!.resources).split('1b47061264138c4ac30d75fd1eb44270').length);
});

test('the export format is 4-space indented with a trailing newline, and sorts resources for integrity', () => {
  const parsed = readCheckpoint(parseJson(load('checkpoint-v3.json'), 'v3'), 'v3');
  const d = decodeDeployment(parsed.latest!, (ct) => b64.decrypt(ct), 'v3');
  const text = serializeExport(encodeDeployment(d, b64));
  assert.match(text, /^\{\n {4}"version": 3,\n {4}"deployment": \{/);
  assert.ok(text.endsWith('}\n'));
});

test('truncated, empty and non-JSON checkpoints give a located error', () => {
  const good = load('checkpoint-v3.json');
  for (const bytes of [good.subarray(0, 500), Buffer.alloc(0), Buffer.from('not json')]) {
    assert.throws(() => readCheckpoint(parseJson(bytes, '/x/dev.json'), '/x/dev.json'), /\/x\/dev\.json: (is not valid JSON|is empty)/);
  }
  assert.throws(() => readCheckpoint({ version: 99, checkpoint: {} }, 'f'), /unsupported checkpoint version 99/);
});

test('a JSON error never quotes the text around it (it may be a plaintext secret)', () => {
  const text = '{"deployment":{"resources":[{"outputs":{"pw":{"plaintext":"\\"hunter2\\""}},,]}}';
  assert.throws(() => parseJson(Buffer.from(text), 'export.json'), (e: unknown) => {
    assert.match((e as Error).message, /^export\.json: is not valid JSON: at (line \d+, column \d+|byte \d+)$/);
    assert.ok(!(e as Error).message.includes('hunter2'));
    return true;
  });
  assert.throws(() => parseJson(Buffer.from('{"a":'), 'f'), /ends early \(truncated\?\)/);
});

test('a resource field of the wrong type names the resource, its URN and the field', () => {
  const parsed = readCheckpoint(parseJson(load('checkpoint-v3.json'), 'v3'), 'v3');
  const resources = parsed.latest!.resources.map((r, i) => (i === 2 ? { ...r, protect: 'yes' } : r));
  assert.throws(
    () => decodeDeployment({ ...parsed.latest!, resources }, (ct) => b64.decrypt(ct), 'v3'),
    (err: Error) => err.message === `v3: resource #3 (${String(parsed.latest!.resources[2]!.urn)}): field "protect" has the wrong type`,
  );
});
