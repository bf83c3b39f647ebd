// A cluster config through the CLI against the simulated cloud, on a real file backend (so the
// state layer protects root outputs as it does for users): an unchanged deploy reports no
// changes, destroy keeps only the stack's memory, --verbose shows the remote steps' log lines,
// refresh --config rebuilds a lost stack from what the cloud holds, and a missing stack fails
// before the operator's address is looked up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileCloud } from '../../test/provider/file-cloud.ts';
import { registerSimulatedClouds } from '../../test/provider/simulated-cloud.ts';
import { HistoryEnv } from './history/testing.ts';
import { reveal } from '../state/index.ts';

const fixtures = join(import.meta.dirname, '../../test/fixtures/history');
const initial = join(fixtures, 'lifecycle-1-initial.lisp');
const scaleUp = join(fixtures, 'lifecycle-2-scale-up.lisp');
const TOKEN = 'dop_v1_cluster_life_planted_token_77aa';

let unregister: () => void;
before(() => {
  unregister = registerSimulatedClouds();
});
after(() => unregister());

async function withEnv(fn: (e: HistoryEnv) => Promise<void>, extra: Record<string, string> = {}): Promise<void> {
  const e = new HistoryEnv(undefined, { DIGITALOCEAN_TOKEN: TOKEN, CI: 'true', ...extra });
  try {
    await fn(e);
  } finally {
    e.cleanup();
  }
}

test('a deploy of an unchanged config reports no changes: no outputs listed, no history entry, exit 0 without --yes in CI', () =>
  withEnv(async (e) => {
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
    const first = await e.run(['deploy', '--config', initial, '--yes']);
    assert.equal(first.code, 0, first.stderr);
    // Computed outputs are stored as secrets, and shown so.
    assert.match(first.stdout, /^ {2}nodes: \[secret\]$/m);
    assert.match(first.stdout, /^ {2}kubeConfig: \[secret\]$/m);
    // Node addresses only in the plain outputs a user greps (master_ips, worker_ips, api_endpoint).
    assert.match(first.stdout, /^ {2}master_ips: \["198\.18\.[\d.]+"\]$/m);
    assert.deepEqual(first.stdout.split('\n').filter((l) => /198\.18\./.test(l)).map((l) => l.trim().split(':')[0]), ['master_ips', 'worker_ips', 'api_endpoint']);
    const before = await e.records('lifecycle');
    const entries = (await before.stack.history()).length;

    const preview = await e.run(['preview', '--config', initial]);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /No changes\./);
    assert.doesNotMatch(preview.stdout, /Outputs:/);
    const json = await e.run(['preview', '--config', initial, '--json']);
    const plan = JSON.parse(json.stdout) as { steps: unknown[]; outputs: unknown[] };
    assert.deepEqual([plan.steps, plan.outputs], [[], []]);

    const again = await e.run(['deploy', '--config', initial]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No changes\./);
    assert.doesNotMatch(again.stderr, /refusing|confirmation/);
    const afterward = await e.records('lifecycle');
    assert.equal((await afterward.stack.history()).length, entries, 'no new history entry');
    assert.equal(afterward.meta!.deploymentId, before.meta!.deploymentId);

    // A change shows the computed outputs as known after apply, never their values.
    const bigger = await e.run(['preview', '--config', scaleUp, '--diff']);
    assert.equal(bigger.code, 0, bigger.stderr);
    assert.match(bigger.stdout, /^ {2}~ nodes: \[secret\] => \(known after apply\)$/m);
    assert.match(bigger.stdout, /^ {2}~ kubeConfig: \[secret\] => \(known after apply\)$/m);
    // --diff lists the inputs of what is created: secrets hidden, unknowns marked.
    assert.match(bigger.stdout, /\+ {2}├─ digitalocean:index\/droplet:Droplet +workers-3 +create\n {8}\+ image: "ubuntu-/);
    assert.match(bigger.stdout, /^ {8}\+ userData: \[secret\]$/m);
    assert.match(bigger.stdout, /^ {8}\+ connection: \{"host":"\(known after apply\)",/m);
    assert.doesNotMatch(bigger.stdout, new RegExp(TOKEN));
  }));

test('destroy keeps only the stack\'s memory: config, Lisp text, deployment metadata and audit anchor; nodes and credentials go', () =>
  withEnv(async (e) => {
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', initial, '--yes'])).code, 0);
    assert.deepEqual(Object.keys((await e.records('lifecycle')).outputs).sort(), ['api_endpoint', 'argocd', 'auditIndex', 'clusterName', 'configJson', 'deploymentMeta', 'kubeConfig', 'lispManifest', 'master_ips', 'mesh_addresses', 'nodes', 'worker_ips']);
    const preview = await e.run(['destroy', 'lifecycle']);
    assert.equal(preview.code, 1, 'no --yes in CI');
    assert.match(preview.stdout, /Outputs:\n {2}- api_endpoint: "https:\/\/198\.18\.[\d.]+:6443"\n {2}- argocd: \[secret\]\n {2}- clusterName: "lifecycle"\n {2}- kubeConfig: \[secret\]\n {2}- master_ips: \["198\.18\.[\d.]+"\]\n {2}- mesh_addresses: \{.+\}\n {2}- nodes: \[secret\]\n {2}- worker_ips: \[.+\]\n/);
    const r = await e.run(['destroy', 'lifecycle', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    const rec = await e.records('lifecycle');
    assert.deepEqual(rec.stack.deployment.resources.map((x) => x.type), ['pulumi:pulumi:Stack']);
    assert.deepEqual(Object.keys(rec.outputs).sort(), ['auditIndex', 'configJson', 'deploymentMeta', 'lispManifest']);
    assert.ok(rec.verify.ok, rec.verify.problems.join('; '));
    const nodes = await e.run(['nodes', 'list', 'lifecycle']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, /has no nodes/);
    assert.doesNotMatch(nodes.stdout, /masters-1/);
    // The memory still serves: the config comes back, and a second destroy has nothing to do.
    const exported = await e.run(['export-config', 'lifecycle', '--format', 'lisp']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /\(cluster/);
    // History, snapshots and the stack list say it: destroyed, nothing current, no resources.
    const history = await e.run(['history', 'lifecycle']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /^deploy-1-\S+ \(destroyed\) /m);
    assert.doesNotMatch(history.stdout, / \* /);
    assert.match(history.stdout, /Stack 'lifecycle' was destroyed: it holds no resources/);
    const entries = JSON.parse((await e.run(['history', 'lifecycle', '--json'])).stdout) as { status: string; current: boolean }[];
    assert.deepEqual(entries.map((x) => [x.status, x.current]), [['destroyed', false]]);
    assert.match((await e.run(['snapshots', 'list', 'lifecycle'])).stdout, / destroyed /);
    const list = await e.run(['stacks', 'list']);
    assert.match(list.stdout, /^lifecycle +\S.* +none \(destroyed\)$/m);
    assert.deepEqual((JSON.parse((await e.run(['stacks', 'list', '--json'])).stdout) as { destroyed?: boolean }[]).map((x) => x.destroyed), [true]);
    assert.match((await e.run(['stacks', 'info', 'lifecycle'])).stdout, /^Status: destroyed /m);
    const twice = await e.run(['destroy', 'lifecycle', '--yes']);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stdout, /No changes\./);
    assert.equal((await e.records('lifecycle')).stack.deployment.resources.length, 1);
  }));

test('--verbose shows the remote steps\' log lines as they happen; without it they are not printed', () =>
  withEnv(async (e) => {
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
    const quiet = await e.run(['deploy', '--config', initial, '--yes']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stdout, /^info: /m);
    const loud = await e.run(['deploy', '--config', scaleUp, '--yes', '--verbose']);
    assert.equal(loud.code, 0, loud.stderr);
    assert.match(loud.stdout, /^info: workers-3: kubernetes-workers-3 done \(simulated run 1\) \(urn:pulumi:lifecycle::sloth-kubernetes::.*kubernetes-workers-3\)$/m);
    // The global flag works before the command too.
    const first = await e.run(['--verbose', 'deploy', '--config', initial, '--yes']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^info: /m);
  }));

/** What has a cloud object (the sloth records and steps live only in the stack). */
const inCloud = (d: { resources: { urn: string; id?: string; type: string }[] }) =>
  d.resources.filter((r) => r.id && !r.type.startsWith('pulumi:') && !r.type.startsWith('sloth:')).map((r) => `${r.urn} ${r.id}`).sort();

test('refresh --config: a lost stack is rebuilt from the tagged objects in the cloud; the next deploy makes nothing in the cloud', () =>
  withEnv(async (e) => {
    const cloud = new FileCloud(e.env.SLOTH_SIM_CLOUD!);
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', initial, '--yes', '--no-bootstrap'])).code, 0);
    const objects = cloud.list().map((o) => o.id).sort();
    const deployed = inCloud((await e.records('lifecycle')).stack.deployment);

    // The stack is lost; the cloud keeps everything.
    const lost = await e.run(['stacks', 'delete', 'lifecycle', '--force', '--yes']);
    assert.equal(lost.code, 0, lost.stderr);
    assert.match(lost.stdout, /refresh lifecycle --config <file>/);
    assert.match(lost.stdout, /keys and tokens the stack generated .* were deleted with it/);
    const missing = await e.run(['refresh', '--config', initial, '--no-bootstrap']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No stack found/);
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);

    const r = await e.run(['refresh', '--config', initial, '--no-bootstrap']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^Refreshing stack lifecycle: \d+ steps/m);
    assert.match(r.stdout, /^= {2}digitalocean:index\/droplet:Droplet masters-1: found digitalocean-[0-9a-f]+ \(\d+\.\ds\)$/m);
    assert.match(r.stdout, /^= {2}sloth:cluster:Machine masters-1: recovered masters-1 /m);
    assert.doesNotMatch(r.stdout + r.stderr, /not found in the cloud/);
    assert.match(r.stderr, /cluster 'lifecycle' was rebuilt from the cloud by refresh --config/);
    assert.match(r.stdout, /Resources: \d+ imported, /);
    const rec = await e.records('lifecycle');
    assert.deepEqual(inCloud(rec.stack.deployment), deployed, 'every cloud object tracked again, under its URN, with its id');
    assert.ok(reveal(rec.outputs.configJson), 'the config is stored, as a deploy stores it');
    assert.deepEqual(cloud.list().map((o) => o.id).sort(), objects, 'nothing made or removed in the cloud');

    // The next deploy has nothing to do: no twin, no replacement.
    const next = await e.run(['deploy', '--config', initial, '--yes', '--no-bootstrap']);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, /No changes\./);
    assert.deepEqual(cloud.list().map((o) => o.id).sort(), objects, 'the deploy made no new cloud object');

    // Bad combinations are refused up front.
    const bad = await e.run(['refresh', '--config', initial, '--expect-no-changes']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--config cannot be combined with --expect-no-changes/);
  }));

test('refresh --config of a bootstrapped cluster: steps on the machines found are taken as run; a deploy that would connect to them is refused, nothing changed', () =>
  withEnv(async (e) => {
    const cloud = new FileCloud(e.env.SLOTH_SIM_CLOUD!);
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', initial, '--yes'])).code, 0);
    const objects = cloud.list().map((o) => o.id).sort();
    const deployed = inCloud((await e.records('lifecycle')).stack.deployment);
    assert.equal((await e.run(['stacks', 'delete', 'lifecycle', '--force', '--yes'])).code, 0);
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);

    const r = await e.run(['refresh', '--config', initial]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^= {2}sloth:remote:HostKey hostkey-masters-1: recovered hostkey-masters-1 /m);
    assert.doesNotMatch(r.stdout + r.stderr, /not found in the cloud/);
    const rec = await e.records('lifecycle');
    assert.deepEqual(inCloud(rec.stack.deployment), deployed);
    // The host keys the machines serve are not known: the nodes output does not pretend.
    const nodes = await e.run(['stacks', 'output', 'lifecycle', '--show-secrets', '--json']);
    assert.deepEqual(Object.values((JSON.parse(nodes.stdout) as { nodes: Record<string, { hostKey: unknown }> }).nodes).map((n) => n.hostKey), [null, null, null]);

    // The same config: nothing to do, nothing connected to.
    const same = await e.run(['deploy', '--config', initial, '--yes']);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /No changes\./);
    assert.match(same.stderr, /was rebuilt from the cloud by refresh --config/);
    // Growing the cluster would run steps on machines whose keys the stack does not hold.
    const grow = await e.run(['deploy', '--config', scaleUp, '--yes']);
    assert.equal(grow.code, 1);
    assert.match(grow.stderr, /stack 'lifecycle' was rebuilt by refresh --config \(.*\), and this deploy would run \d+ remote steps on its machines \(.*\); nothing was changed/);
    assert.match(grow.stderr, /stacks import <stack> <file>/);
    assert.match(grow.stderr, /--no-bootstrap/);
    assert.deepEqual(cloud.list().map((o) => o.id).sort(), objects, 'nothing made in the cloud');
  }));

test('a missing stack fails at once, before the operator\'s public address is looked up', () =>
  withEnv(async (e) => {
    // No --operator-cidr and no SLOTH_OPERATOR_CIDRS: deploy needs the look-up, but the
    // missing stack is found first, and the address service is never asked.
    const lookups: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string | URL | Request) => {
      lookups.push(String(url));
      throw new Error('offline');
    }) as typeof fetch;
    try {
      const r = await e.run(['deploy', '--config', initial, '--yes'], { env: { SLOTH_OPERATOR_CIDRS: undefined } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /No stack found/);
      assert.deepEqual(lookups, []);
      // With the stack there, the look-up happens (and, failing, says what to do).
      assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
      const again = await e.run(['deploy', '--config', initial, '--yes'], { env: { SLOTH_OPERATOR_CIDRS: undefined } });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /could not find this machine's public address/);
      assert.deepEqual(lookups, ['https://checkip.amazonaws.com']);
    } finally {
      globalThis.fetch = realFetch;
    }
  }));

test('preview and deploy plan the same thing from the same inputs: both look the operator\'s address up, and both fail without it', () =>
  withEnv(async (e) => {
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
    const realFetch = globalThis.fetch;
    const noCidr = { env: { SLOTH_OPERATOR_CIDRS: undefined } };
    try {
      // The address service is down: neither plans SSH and the API closed in silence.
      globalThis.fetch = (async () => {
        throw new Error('offline');
      }) as typeof fetch;
      for (const argv of [['preview', '--config', initial], ['deploy', '--config', initial, '--yes'], ['refresh', '--config', initial]]) {
        const r = await e.run(argv, noCidr);
        assert.equal(r.code, 1, argv.join(' '));
        assert.match(r.stderr, /could not find this machine's public address/, argv.join(' '));
        assert.match(r.stderr, /--operator-cidr/);
      }
      // It answers: the preview is the plan deploy shows, SSH open to that address in both.
      globalThis.fetch = (async () => new Response('203.0.113.9\n')) as typeof fetch;
      const preview = await e.run(['preview', '--config', initial, '--json'], noCidr);
      assert.equal(preview.code, 0, preview.stderr);
      const deploy = await e.run(['deploy', '--config', initial, '--json'], noCidr);
      assert.equal(deploy.code, 1, 'no --yes in CI: the plan is shown, then refused');
      // The same steps (generated keys differ from run to run), SSH open to that address in both.
      type JsonPlan = { type?: string; steps: { urn: string; op: string }[] };
      const shown = JSON.parse(deploy.stdout.split('\n')[0]!) as JsonPlan;
      assert.equal(shown.type, 'plan');
      const steps = (p: JsonPlan) => p.steps.map((x) => `${x.op} ${x.urn}`);
      assert.deepEqual(steps(shown), steps(JSON.parse(preview.stdout) as JsonPlan));
      assert.ok(steps(shown).length > 0);
      for (const text of [preview.stdout, deploy.stdout]) assert.match(text, /"203\.0\.113\.9\/32"/);
    } finally {
      globalThis.fetch = realFetch;
    }
  }));

test('a checkpoint file lost while the history holds copies: "No stack found" names the newest, and stacks import of it restores the stack', () =>
  withEnv(async (e) => {
    assert.equal((await e.run(['stacks', 'create', 'lifecycle'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', initial, '--yes', '--no-bootstrap'])).code, 0);
    const before = await e.records('lifecycle');
    const resources = before.stack.deployment.resources.length;
    rmSync(join(e.dir, 'state/.pulumi/stacks/sloth-kubernetes/lifecycle.json'));

    for (const argv of [['history'], ['deploy', '--config', initial, '--yes', '--no-bootstrap'], ['nodes', 'list', 'lifecycle']]) {
      const r = await e.run(argv);
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.stderr, /^Error: No stack found\.\n\nThe checkpoint of stack 'lifecycle' is missing, but its history holds copies of it\.\nThe latest good checkpoint in the history is \S+lifecycle-\d+\.checkpoint\.json \(update, /, argv.join(' '));
      assert.match(r.stderr, /Restore it with: sloth-kubernetes stacks import lifecycle <that file>/);
    }
    const file = /The latest good checkpoint in the history is (\S+)/.exec((await e.run(['history'])).stderr)![1]!;
    const restored = await e.run(['stacks', 'import', 'lifecycle', file]);
    assert.equal(restored.code, 0, restored.stderr);
    const after = await e.records('lifecycle');
    assert.equal(after.stack.deployment.resources.length, resources);
    assert.ok(after.verify.ok, after.verify.problems.join('; '));
    const again = await e.run(['deploy', '--config', initial, '--yes', '--no-bootstrap']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No changes\./);
  }));
