import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCluster } from '../plan.ts';
import { sampleModel } from '../testing/arbitraries.ts';
import { checkScript } from '../testing/shell-check.ts';
import { manifestNameOf } from './user-manifests.ts';
import { missing } from '../../../test/helpers/parts.ts';

const web = { name: 'web-app', content: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n' };

test('user manifests: one step each on the API node after the cluster (and ArgoCD), the file in the secret payload; the script passes shellcheck', { skip: missing('shellcheck') }, () => {
  const plan = planCluster(sampleModel({ argocd: { version: 'v2.11.3', namespace: 'argocd', branch: 'main', appsPath: 'apps', appOfAppsName: 'root-app' } }), undefined, { manifests: [web, { name: 'db', content: 'kind: Secret\n' }] });
  const step = plan.steps.find((s) => s.name === 'manifest-web-app')!;
  assert.equal(step.machine, plan.apiNode);
  assert.deepEqual(step.after, ['cluster-ready', 'argocd']);
  assert.deepEqual(step.files, [{ path: '/etc/sloth/manifests/web-app.yaml', mode: '0600', content: web.content }]);
  assert.equal(step.output, 'text');
  assert.doesNotMatch(step.script, /ConfigMap/, 'the content travels on stdin, never in the script');
  assert.match(step.script, /kubectl apply --server-side --force-conflicts --field-manager=sloth-kubernetes -f "\$MANIFEST"/);
  assert.deepEqual(checkScript(step.script, 'manifest-web-app'), []);
  assert.deepEqual(plan.steps.slice(-2).map((s) => s.name), ['manifest-web-app', 'manifest-db']);
  assert.deepEqual(planCluster(sampleModel({})).steps.filter((s) => s.name.startsWith('manifest-')), []);
  assert.deepEqual(planCluster(sampleModel({}), undefined, { manifests: [web] }).steps.find((s) => s.name === 'manifest-web-app')!.after, ['cluster-ready']);
});

test('manifest names come from file names; duplicates, bad names and empty files are refused', () => {
  assert.equal(manifestNameOf('apps/Web App.YAML'), 'web-app');
  assert.equal(manifestNameOf('./k8s/ingress_rules.json'), 'ingress-rules');
  assert.equal(manifestNameOf('___.yaml'), '');
  assert.throws(() => planCluster(sampleModel({}), undefined, { manifests: [web, web] }), /two manifests are both called 'web-app'/);
  assert.throws(() => planCluster(sampleModel({}), undefined, { manifests: [{ name: 'Bad Name', content: 'x' }] }), /not usable as a step name/);
  assert.throws(() => planCluster(sampleModel({}), undefined, { manifests: [{ name: 'empty', content: '  \n' }] }), /manifest 'empty' is empty/);
});
