import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCredentialKey, namedConfigSecrets, redactedConfig, redactValue } from './index.ts';

test('one credential-key rule: every layer that reads secrets by key name finds and hides the same values', () => {
  for (const k of ['apiToken', 'token', 'client-key', 'clientKeyData', 'DB_PASSWORD', 'passwd', 'passphrase', 'private_key', 'apiKey', 'accessKey', 'kubeconfig', 'kube-config', 'credentials', 'secretAccessKey']) assert.ok(isCredentialKey(k), k);
  for (const k of ['name', 'region', 'size', 'count', 'roles', 'provider', 'image']) assert.ok(!isCredentialKey(k), k);
  // An older writer's config: placeholders name a variable and stay; literal credentials go.
  const go = { providers: { digitalocean: { token: '${DIGITALOCEAN_TOKEN}', region: 'nyc3' }, aws: { accessKey: 'AKIAPLANTEDKEY01', secretKey: 'planted-secret-key' } }, salt: { apiPassword: 'planted-salt' }, nodes: [{ name: 'n1', kubeconfig: 'planted-kubeconfig' }] };
  assert.deepEqual(namedConfigSecrets(go).sort(), ['AKIAPLANTEDKEY01', 'planted-kubeconfig', 'planted-salt', 'planted-secret-key']);
  const hidden = JSON.stringify(redactedConfig(go));
  for (const v of namedConfigSecrets(go)) assert.doesNotMatch(hidden, new RegExp(v));
  assert.match(hidden, /"\$\{DIGITALOCEAN_TOKEN\}"/);
  assert.match(hidden, /"nyc3"/);
  // The audit layer hides the same keys whole.
  const audited = JSON.stringify(redactValue(go, []));
  for (const v of namedConfigSecrets(go)) assert.doesNotMatch(audited, new RegExp(v));
});
