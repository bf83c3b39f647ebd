// The fields the provider reads exist in DigitalOcean's contract (the OpenAPI document the
// client is typed from); the live traffic is checked by Prism in the other tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DIGITALOCEAN_SPEC } from '../../../test/standins/prism.ts';
import { READ_FIELDS } from './api.ts';

type Schema = { $ref?: string; properties?: Record<string, unknown>; allOf?: Schema[]; anyOf?: Schema[]; oneOf?: Schema[] };

test('every field the provider reads is in the contract\'s schema', () => {
  const spec = JSON.parse(readFileSync(DIGITALOCEAN_SPEC, 'utf8')) as { components: { schemas: Record<string, Schema> } };
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(s.$ref.split('/').slice(1).reduce<any>((o, k) => o[k], spec)) : s); // eslint-disable-line @typescript-eslint/no-explicit-any
  const fields = (s: Schema): Set<string> => {
    const r = resolve(s);
    const out = new Set(Object.keys(r.properties ?? {}));
    for (const part of [...(r.allOf ?? []), ...(r.anyOf ?? []), ...(r.oneOf ?? [])]) for (const f of fields(part)) out.add(f);
    return out;
  };
  for (const [schema, read] of Object.entries(READ_FIELDS)) {
    const known = fields(spec.components.schemas[schema]!);
    for (const f of read) assert.ok(known.has(f), `${schema}.${f} is in the contract`);
  }
});
