import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LiveDiff } from '../../manifests/index.ts';
import { redactReport, type LiveDiffReport } from '../../ops/index.ts';
import { renderLiveDiff } from './live-render.ts';

const STACK_SECRET = 'tok-known-to-the-stack-5521';

const report = (diff: Partial<LiveDiff>): LiveDiffReport => ({
  id: 'user-web',
  version: 'v3',
  hash: 'ab'.repeat(32),
  node: 'masters-1',
  via: 'bastion',
  diff: { inSync: false, objects: [], counts: { objects: 1, inSync: 0, differs: 1, missing: 0 }, ...diff },
  status: { before: 'applied', after: 'out_of_sync', recorded: true },
});

const drift = report({
  objects: [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'web',
      liveNamespace: 'default',
      state: 'differs',
      differences: [
        { path: 'data["site.conf"]', change: 'changed', recorded: 'listen 80;\nroot /srv;\n', live: 'listen 8080;\nroot /srv;\n' },
        { path: 'data.api_token', change: 'changed', recorded: 'abc-old-value', live: 'abc-new-value' },
        { path: 'data.url', change: 'changed', recorded: `https://x/?t=${STACK_SECRET}`, live: 'https://x/' },
        { path: 'data.args[2]', change: 'extra', live: '--debug' },
        { path: 'metadata.labels.tier', change: 'absent', recorded: 'web' },
      ],
    },
  ],
});

test('the text view: recorded (-) and live (+), a line diff for multi-line values, extra and absent fields, where it was read', () => {
  const text = renderLiveDiff(redactReport(drift, [STACK_SECRET]));
  assert.equal(
    text,
    [
      `user-web v3 (sha256:${'ab'.repeat(6)}) against the live cluster, read on masters-1 through bastion:`,
      '',
      'ConfigMap default/web: differs',
      '  ~ data["site.conf"]:',
      '      --- recorded',
      '      +++ live',
      '      @@ -1,3 +1,3 @@',
      '      -listen 80;',
      '      +listen 8080;',
      '       root /srv;',
      '  - data.api_token: [secret]',
      '  + data.api_token: [secret]',
      '  - data.url: "https://x/?t=[secret]"',
      '  + data.url: "https://x/"',
      '  + data.args[2]: "--debug"   (only in the cluster)',
      '  - metadata.labels.tier: "web"',
      '  + metadata.labels.tier: (not set)',
      '',
      'user-web is out of sync with the cluster: 1 of 1 object differs. Status: applied → out_of_sync.',
      '',
    ].join('\n'),
  );
});

test('--show-secrets shows credential-named values and the stack secrets (Secret data has none to show)', () => {
  const shown = redactReport(drift, undefined);
  const diffs = shown.diff.objects[0]!.differences;
  assert.deepEqual(diffs[1], { path: 'data.api_token', change: 'changed', recorded: 'abc-old-value', live: 'abc-new-value' });
  assert.equal(diffs[2]!.recorded, `https://x/?t=${STACK_SECRET}`);
  const hidden = redactReport(drift, [STACK_SECRET]);
  assert.ok(!JSON.stringify(hidden).includes(STACK_SECRET) && !JSON.stringify(hidden).includes('abc-old-value'));
});

test('in sync and missing objects; a note when the status stays', () => {
  const r = report({
    inSync: true,
    objects: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'reader', state: 'in-sync', differences: [] }],
    counts: { objects: 1, inSync: 1, differs: 0, missing: 0 },
  });
  r.status = { before: 'out_of_sync', after: 'out_of_sync', recorded: false, note: 'Status stays out_of_sync: …' };
  delete r.via;
  assert.match(renderLiveDiff(r), /read on masters-1:\n\nClusterRole reader: in sync\n\nuser-web: its object matches the cluster\. Status: out_of_sync\.\nStatus stays out_of_sync: …\n$/);
  const missing = report({
    objects: [{ apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'shop', state: 'missing', differences: [] }],
    counts: { objects: 1, inSync: 0, differs: 0, missing: 1 },
  });
  assert.match(renderLiveDiff(missing), /Service shop\/web: missing from the cluster\n\nuser-web is out of sync with the cluster: 1 missing from the cluster\./);
});
