import assert from 'node:assert/strict';
import test from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { redactManifest } from './manifest.ts';

/** Every secret in these tests contains this, so one check finds any leak. */
const S = 'Hunter2Zq7';
const leaks = (out: string) => [...out.matchAll(new RegExp(`\\S*${S}\\S*`, 'g'))].map((m) => m[0]);
function redacted(text: string, known: string[] = []): string {
  const out = redactManifest(text, known);
  assert.deepEqual(leaks(out), [], `leaked:\n${out}`);
  assert.equal(redactManifest(out, known), out, 'redacting again changes nothing');
  return out;
}
const parses = (text: string) => assert.ok(parseAllDocuments(text) instanceof Array && (parseAllDocuments(text) as { errors: unknown[] }[]).every((d) => d.errors.length === 0), text);

test('block scalars under a credential key are hidden whole, the lines around them kept as written', () => {
  const text = [
    '# database settings',
    'db:',
    '  host: db.internal   # the primary',
    '  password: |',
    `    ${S}-line-1`,
    `    ${S}-line-2`,
    '',
    '  token: >-',
    `    ${S}-folded-a`,
    `    ${S}-folded-b`,
    '  privateKey: |+',
    `    -----BEGIN ${S}-----`,
    '',
    '',
    '  port: 5432',
    '',
  ].join('\n');
  const out = redacted(text);
  assert.equal(
    out,
    ['# database settings', 'db:', '  host: db.internal   # the primary', '  password: "[secret]"', '', '  token: "[secret]"', '  privateKey: "[secret]"', '  port: 5432', ''].join('\n'),
  );
  parses(out);
});

test('flow maps, JSON, quoted keys, nested credential maps and lists of maps', () => {
  const text = [
    `auth: {user: admin, password: ${S}-flow, nested: {apiKey: "${S}-q"}}`,
    `json: {"clientSecret":"${S}-json","region":"eu"}`,
    `"DB_PASSWORD": '${S}-single'`,
    'credentials:',
    `  user: ${S}-nested-user`,
    '  keys:',
    `  - ${S}-k1`,
    'tokens:',
    `- ${S}-t1`,
    `- {value: ${S}-t2}`,
    'containers:',
    '- name: app',
    '  env:',
    '  - name: MODE',
    '    value: prod',
    '  - name: TOKEN',
    `    secretValue: ${S}-env`,
    '- name: sidecar',
    `  args: [--port=8080, {apiToken: ${S}-arg}]`,
    '',
  ].join('\n');
  const out = redacted(text);
  assert.equal(
    out,
    [
      'auth: {user: admin, password: "[secret]", nested: {apiKey: "[secret]"}}',
      'json: {"clientSecret": "[secret]","region":"eu"}',
      '"DB_PASSWORD": "[secret]"',
      'credentials: "[secret]"',
      'tokens: "[secret]"',
      'containers:',
      '- name: app',
      '  env:',
      '  - name: MODE',
      '    value: prod',
      '  - name: TOKEN',
      '    secretValue: "[secret]"',
      '- name: sidecar',
      '  args: [--port=8080, {apiToken: "[secret]"}]',
      '',
    ].join('\n'),
  );
  parses(out);
});

test('a Secret: every value under stringData (| blocks too) and data (base64) is hidden, its keys and metadata kept', () => {
  const b64 = Buffer.from(`${S}-b64`).toString('base64');
  const text = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: db-credentials',
    '  namespace: prod',
    'type: Opaque',
    'stringData:',
    '  config.yaml: |',
    `    url: postgres://app:${S}@db/app`,
    '    pool: 5',
    `  username: ${S}-user`,
    'data:',
    `  tls.crt: ${b64}`,
    `  tls.key: >-`,
    `    ${b64}`,
    '',
  ].join('\n');
  const out = redacted(text);
  assert.ok(!out.includes(b64));
  assert.equal(
    out,
    ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: db-credentials', '  namespace: prod', 'type: Opaque', 'stringData:', '  config.yaml: "[secret]"', '  username: "[secret]"', 'data:', '  tls.crt: "[secret]"', '  tls.key: "[secret]"', ''].join('\n'),
  );
  parses(out);
  // data of anything but a Secret is shown.
  assert.equal(redacted('kind: ConfigMap\ndata:\n  mode: fast\n'), 'kind: ConfigMap\ndata:\n  mode: fast\n');
});

test('several documents, a Secret inside a List, JSON manifests: each redacted where it stands', () => {
  const text = [
    '---',
    'kind: ConfigMap',
    'data:',
    '  level: info',
    '---',
    '# the list',
    'kind: List',
    'items:',
    '- kind: Secret',
    '  data:',
    `    a: ${S}-in-list`,
    '- kind: ServiceAccount',
    '  metadata: {name: ci}',
    '---',
    `{"kind": "Secret", "stringData": {"k": "${S}-json"}, "metadata": {"name": "j"}}`,
    '...',
    '',
  ].join('\n');
  const out = redacted(text);
  assert.equal(
    out,
    [
      '---',
      'kind: ConfigMap',
      'data:',
      '  level: info',
      '---',
      '# the list',
      'kind: List',
      'items:',
      '- kind: Secret',
      '  data:',
      '    a: "[secret]"',
      '- kind: ServiceAccount',
      '  metadata: {name: ci}',
      '---',
      '{"kind": "Secret", "stringData": {"k": "[secret]"}, "metadata": {"name": "j"}}',
      '...',
      '',
    ].join('\n'),
  );
});

test('aliases: the anchored value of a hidden alias is hidden too, the anchor kept', () => {
  const text = [`defaults: &pw ${S}-anchored`, 'db:', '  password: *pw', `common: &c {user: app, pass: ${S}-c}`, 'cache:', '  credentials: *c', 'again: *pw', ''].join('\n');
  const out = redacted(text);
  assert.equal(out, ['defaults: &pw "[secret]"', 'db:', '  password: "[secret]"', 'common: &c "[secret]"', 'cache:', '  credentials: "[secret]"', 'again: *pw', ''].join('\n'));
  parses(out);
});

test('text embedded in a string is redacted too: a | block keeps its other lines, anything else is hidden whole', () => {
  const text = [
    'apiVersion: helm.cattle.io/v1',
    'kind: HelmChartConfig',
    'spec:',
    '  valuesContent: |-',
    '    replicas: 2',
    '    auth:',
    `      adminPassword: ${S}-values`,
    '      user: admin',
    '  script: |',
    '    #!/bin/sh',
    `    export API_TOKEN=${S}-script`,
    '    exec app',
    'metadata:',
    '  annotations:',
    `    last-applied: '{"stringData":{"x":"y"},"password":"${S}-annotation"}'`,
    '    note: plain text, nothing to hide',
    '',
  ].join('\n');
  const out = redacted(text);
  assert.equal(
    out,
    [
      'apiVersion: helm.cattle.io/v1',
      'kind: HelmChartConfig',
      'spec:',
      '  valuesContent: |-',
      '    replicas: 2',
      '    auth:',
      '      adminPassword: "[secret]"',
      '      user: admin',
      '  script: |',
      '    #!/bin/sh',
      '    export API_TOKEN="[secret]"',
      '    exec app',
      'metadata:',
      '  annotations:',
      '    last-applied: "[secret]"',
      '    note: plain text, nothing to hide',
      '',
    ].join('\n'),
  );
  parses(out);
});

test('known secret values are scrubbed anywhere, also when the YAML spells them escaped or folded', () => {
  const known = `${S}-known-value`;
  const text = [
    `url: https://app:${known}@db.internal/app   # ${known}`,
    `escaped: "${known.slice(0, 3)}\\u00${known.charCodeAt(3).toString(16)}${known.slice(4)}"`,
    'folded: >',
    `  ${known.slice(0, 6)}`,
    `  ${known.slice(7)}`,
    'name: web',
    '',
  ].join('\n');
  // The folded lines join with a space: that is the value the stack knows.
  const folded = `${known.slice(0, 6)} ${known.slice(7)}`;
  const out = redacted(text, [known, folded]);
  assert.equal(out, ['url: https://app:[secret]@db.internal/app   # [secret]', 'escaped: "[secret]"', 'folded: "[secret]"', 'name: web', ''].join('\n'));
});

test('comments: a credential commented out is hidden, other comments are kept', () => {
  const text = [
    '# k3s server config',
    `# token: ${S}-old   (rotated)`,
    'server: https://10.0.0.1:6443 # the API node',
    `node-name: "m1" #password: ${S}-c`,
    'tls-san:',
    `  # - ${S}-not-a-credential-key`,
    '  - lb.example.com',
    'agent-token: |  # kept out of the logs',
    `  ${S}-block`,
    '',
  ].join('\n');
  const out = redactManifest(text, []);
  assert.equal(
    out,
    [
      '# k3s server config',
      '# token: "[secret]"',
      'server: https://10.0.0.1:6443 # the API node',
      'node-name: "m1" #password: "[secret]"',
      'tls-san:',
      `  # - ${S}-not-a-credential-key`,
      '  - lb.example.com',
      'agent-token: "[secret]"',
      '',
    ].join('\n'),
  );
});

test('null and boolean values under credential-named keys are shown; content without credentials is unchanged', () => {
  const text = 'spec:\n  automountServiceAccountToken: false\n  token:\n  password: ~\n  replicas: 3   # comment\n';
  assert.equal(redacted(text), text);
  assert.equal(redacted(''), '');
  assert.equal(redacted(`# only a comment\n# password: ${S}\n`), '# only a comment\n# password: "[secret]"\n');
  const plain = 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n';
  assert.equal(redacted(plain), plain);
});

test('text that does not parse as YAML: the rest of a credential line and the lines indented under it are hidden', () => {
  const text = [
    'name: web',
    'password: |',
    `  ${S}-block-1`,
    '',
    `  ${S}-block-2`,
    `config: {token: ${S}-flow, broken: [`,
    `DB_PASSWORD=${S}-env`,
    'tokens:',
    `- ${S}-item`,
    'kind: Secret',
    'data:',
    `  a: ${S}-data`,
    'after: 1',
    '  - : ]bad',
    '',
  ].join('\n');
  assert.ok((parseAllDocuments(text) as { errors: unknown[] }[]).some((d) => d.errors.length > 0), 'the fixture must not parse');
  const out = redacted(text);
  assert.equal(out, ['name: web', 'password: "[secret]"', 'config: {token: "[secret]"', 'DB_PASSWORD="[secret]"', 'tokens: "[secret]"', 'kind: Secret', 'data: "[secret]"', 'after: 1', '  - : ]bad', ''].join('\n'));
});

test('whatever YAML style writes a credential, it is not shown', () => {
  const value = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'x', labels: { app: 'web' } },
    stringData: { 'config.json': `{"a":"${S}-1"}\n{"b": 2}\n` },
    spec: {
      clientKeyData: `${S}-2\nsecond line ${S}\n`,
      list: [{ name: 'a', kubeconfig: { clusters: [{ server: 'https://k', token: `${S}-3` }] } }, 'plain'],
      multi: { 'api-key': [`${S}-4`, `${S}-5`], 'private_key': `  leading spaces ${S}-6\n` },
    },
  };
  const styles = [
    {},
    { collectionStyle: 'flow' as const },
    { blockQuote: 'literal' as const },
    { blockQuote: 'folded' as const, lineWidth: 20 },
    { defaultStringType: 'QUOTE_DOUBLE' as const, defaultKeyType: 'PLAIN' as const },
    { defaultStringType: 'QUOTE_SINGLE' as const },
    { indentSeq: false, indent: 4 },
  ];
  for (const options of styles) {
    const text = stringify(value, options);
    const out = redacted(text + '---\n' + text);
    assert.match(out, /\bname\b["']?: ["']?x\b/, JSON.stringify(options));
  }
});
