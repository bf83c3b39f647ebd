import assert from 'node:assert/strict';
import test from 'node:test';
import { fillKnownPlaceholders, fillTemplate, placeholder, placeholdersIn, TemplateError } from './template.ts';

test('fillTemplate fills every placeholder and refuses a missing or unsafe value', () => {
  const text = `server: https://${placeholder('api-ip')}:9345\nnode-ip: ${placeholder('wg.ip')}\n`;
  assert.deepEqual(placeholdersIn(text), ['api-ip', 'wg.ip']);
  assert.equal(fillTemplate(text, { 'api-ip': '10.0.0.1', 'wg.ip': '10.8.0.2' }), 'server: https://10.0.0.1:9345\nnode-ip: 10.8.0.2\n');
  assert.throws(() => fillTemplate(text, { 'api-ip': '10.0.0.1' }), TemplateError);
  assert.throws(() => fillTemplate(text, { 'api-ip': '10.0.0.1\nx: y', 'wg.ip': '10.8.0.2' }), TemplateError);
});

test('fillKnownPlaceholders fills what it has a string or number for and leaves the rest visible', () => {
  const text = 'a: {{sloth:host}}\nb: {{sloth:port}}\nc: {{sloth:missing}}\nd: {{sloth:obj}}\ne: {{sloth:host}}\n';
  assert.equal(fillKnownPlaceholders(text, { host: 'lb.example.com', port: 6443, obj: { x: 1 } }), 'a: lb.example.com\nb: 6443\nc: {{sloth:missing}}\nd: {{sloth:obj}}\ne: lb.example.com\n');
  assert.equal(fillKnownPlaceholders('no placeholders', {}), 'no placeholders');
});
