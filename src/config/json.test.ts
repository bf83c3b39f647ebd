import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configHash, redact, REDACTED, secretPaths, toJSON } from './json.ts';
import { clusterSchema } from './schema.ts';
import type { Fields } from './schema-dsl.ts';
import { lispKey } from './schema-dsl.ts';
import { load, withSections } from './testing.ts';

const withSecrets = withSections({
  providers: '(providers (aws (region "us-east-1") (access-key-id "AKIAEXAMPLE") (secret-access-key "wJalrXUtnFEMI")))',
  kubernetes: '(kubernetes (rke2 (cluster-token "tok-123")))',
  addons: '(addons (salt (api-password "pw-456")))',
});

test('JSON output redacts every secret as "[secret]"', () => {
  const { config } = load(withSecrets);
  const json = toJSON(config);
  for (const s of ['AKIAEXAMPLE', 'wJalrXUtnFEMI', 'tok-123', 'pw-456']) assert.ok(!json.includes(s), s);
  const parsed = JSON.parse(json) as typeof config;
  assert.equal(parsed.providers.aws?.accessKeyId, REDACTED);
  assert.equal(parsed.providers.aws?.secretAccessKey, REDACTED);
  assert.equal(parsed.kubernetes.rke2?.clusterToken, REDACTED);
  assert.equal(parsed.addons.salt?.apiPassword, REDACTED);
  assert.equal(parsed.providers.aws?.region, 'us-east-1');
  assert.deepEqual(secretPaths(config), [
    'providers.aws.access-key-id',
    'providers.aws.secret-access-key',
    'kubernetes.rke2.cluster-token',
    'addons.salt.api-password',
  ]);
});

test('--show-secrets keeps them; redact does not touch the original', () => {
  const { config } = load(withSecrets);
  const shown = JSON.parse(toJSON(config, { showSecrets: true })) as typeof config;
  assert.equal(shown.providers.aws?.secretAccessKey, 'wJalrXUtnFEMI');
  redact(config);
  assert.equal(config.providers.aws?.secretAccessKey, 'wJalrXUtnFEMI');
});

test('JSON keys follow the schema order whatever order the Lisp used', () => {
  const a = load(withSections({ metadata: '(metadata (environment "prod") (name "test"))' })).config;
  assert.deepEqual(Object.keys(JSON.parse(toJSON(a)).metadata), ['name', 'environment', 'labels', 'annotations']);
});

test('configHash: same config, same hash; any change, another; secrets do not enter it', () => {
  const a = load(withSections()).config;
  const b = load(withSections({ metadata: '(metadata  (name "test") )' })).config;
  assert.match(configHash(a), /^[0-9a-f]{64}$/);
  assert.equal(configHash(a), configHash(b));
  const c = load(withSections({ 'node-pools': '(node-pools (masters (count 3) (size "t3.medium")))' })).config;
  assert.notEqual(configHash(a), configHash(c));
  const d = load(withSections({ providers: '(providers (aws (region "us-east-1") (access-key-id "other")))' })).config;
  const e = load(withSections({ providers: '(providers (aws (region "us-east-1") (access-key-id "again")))' })).config;
  assert.equal(configHash(d), configHash(e));
});

// Every key whose name says it carries a credential must be marked secret in the schema.
test('the schema marks every credential-bearing key secret', () => {
  const credential = /(^|-)(token|password|secret|credentials)($|-)|access-key|secret-key|api-key|auth-key|client-secret/;
  const missing: string[] = [];
  const walk = (fields: Fields, path: string) => {
    for (const [prop, spec] of Object.entries(fields)) {
      const key = lispKey(prop, spec);
      const p = path ? `${path}.${key}` : key;
      if (spec.kind === 'string' && credential.test(key) && !spec.secret) missing.push(p);
      if (spec.kind === 'section') walk(spec.fields, p);
      if (spec.kind === 'named') walk(spec.item.fields, `${p}.<name>`);
      if (spec.kind === 'forms') for (const [tag, f] of Object.entries(spec.forms)) walk(f.fields, `${p}.${tag}`);
    }
  };
  walk(clusterSchema.fields, '');
  assert.deepEqual(missing, []);
});

test('no secret has a default value', () => {
  const withDefault: string[] = [];
  const walk = (fields: Fields, path: string) => {
    for (const [prop, spec] of Object.entries(fields)) {
      const p = `${path}.${lispKey(prop, spec)}`;
      if (spec.secret && ('default' in spec || spec.derived)) withDefault.push(p);
      if (spec.kind === 'section') walk(spec.fields, p);
      if (spec.kind === 'named') walk(spec.item.fields, p);
    }
  };
  walk(clusterSchema.fields, '');
  assert.deepEqual(withDefault, []);
});
