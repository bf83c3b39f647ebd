import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Secret, UNKNOWN_VALUE } from '../state/types.ts';
import type { PropertyValue } from '../state/types.ts';
import { OutputRef, preserveUnchanged, redact, resolveInputs, reveal, scrub, secretStrings, valuesEqual } from './values.ts';

const outputs = { a: { arn: 'arn:1', nested: { list: [10, 20] }, key: new Secret('pw') } };

test('references resolve into outputs; paths walk maps and lists; a missing key is null', () => {
  const lookup = (u: string) => outputs[u as 'a'];
  assert.deepEqual(resolveInputs({ x: new OutputRef('a', ['arn']), y: [new OutputRef('a', ['nested', 'list', 1])], z: new OutputRef('a', ['nope']) }, lookup), { x: 'arn:1', y: [20], z: null });
});

test('a reference to a resource not created yet is unknown; one to a secret stays secret', () => {
  const r = resolveInputs({ x: new OutputRef('b', ['id']), s: new OutputRef('a', ['key']) }, (u) => (u === 'a' ? outputs.a : undefined));
  assert.equal(r.x, UNKNOWN_VALUE);
  assert.ok(r.s instanceof Secret && r.s.value === 'pw');
});

test('secrets compare by value, and redact/reveal hide and unwrap them', () => {
  assert.ok(valuesEqual(new Secret('a', 'v1:x'), new Secret('a')));
  assert.ok(!valuesEqual(new Secret('a'), 'a'));
  assert.deepEqual(redact({ a: new Secret('x'), b: [UNKNOWN_VALUE, 1] }), { a: '[secret]', b: ['(known after apply)', 1] });
  assert.deepEqual(reveal({ a: new Secret({ b: new Secret('c') }) }), { a: { b: 'c' } });
});

test('preserveUnchanged keeps the old objects (and secret ciphertexts) for equal parts', () => {
  const s = new Secret('pw', 'v1:cipher');
  const prev = { a: s, b: { c: 1 } };
  const next = preserveUnchanged(prev, { a: new Secret('pw'), b: { c: 2 } }) as Record<string, PropertyValue>;
  assert.equal(next.a, s);
  assert.deepEqual(next.b, { c: 2 });
});

test('secret strings are scrubbed from text, longest first', () => {
  const secrets = secretStrings({ a: new Secret('token-123'), b: new Secret({ c: 'token-123456' }), d: 'public' });
  assert.deepEqual(secrets, ['token-123456', 'token-123']);
  assert.equal(scrub('bad token-123456 and token-123; public', secrets), 'bad [secret] and [secret]; public');
});

const json: fc.Arbitrary<PropertyValue> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 })),
})).value as fc.Arbitrary<PropertyValue>;

test('valuesEqual agrees with JSON equality on plain values, and preserveUnchanged(prev, next) equals next', () => {
  fc.assert(
    fc.property(json, json, (a, b) => {
      assert.equal(valuesEqual(a, b), JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b)));
      assert.ok(valuesEqual(preserveUnchanged(a, b), b));
    }),
  );
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
