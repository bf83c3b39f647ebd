// The seed's AWS example created, updated from git and destroyed through a Stack resource:
// the operator runs as its own process under the ServiceAccount and RBAC that `operator
// manifests` generates, against a real kube-apiserver; the config comes from a local git
// repository (branch tracked); deploys go to moto (infrastructure only, bootstrap false).
// A bad commit stalls the Stack with the error; the fix makes it Ready again. Secrets named
// by envRefs never show in the status, Events or logs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { kubeApiMissing } from '../../helpers/kube.ts';
import { missing } from '../../helpers/parts.ts';
import { MOTO_MISSING, motoAvailable } from '../aws/moto-aws.ts';
import { awsClients, counts, inventory } from '../aws/inventory.ts';
import { condition, credentials, PASSPHRASE, SECRET_KEY, seedConfig, stackObject, startBench } from './harness.ts';
import type { Bench, Operator } from './harness.ts';

const skip = kubeApiMissing() ?? missing('git') ?? (motoAvailable() ? undefined : MOTO_MISSING);

async function runningInstances(bench: Bench, stack: string): Promise<number> {
  const { ec2 } = awsClients(bench.aws.endpoint);
  const r = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:sloth-kubernetes/stack', Values: [stack] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
  return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []).length;
}

describe('a Stack resource through its life, against moto', { skip, timeout: 600_000 }, () => {
  let bench: Bench;
  let operator: Operator;
  let first: string;

  before(async () => {
    bench = await startBench();
    const { secret, envRefs } = credentials(bench);
    bench.apply(secret);
    first = bench.commit({ 'cluster.lisp': seedConfig(10) }, 'the seed example');
    operator = bench.startOperator('op-a');
    bench.apply(
      stackObject('prod', {
        stack: 'prod',
        backend: bench.backend,
        projectRepo: bench.repoUrl,
        branch: 'main',
        resyncFrequencySeconds: 5,
        bootstrap: false,
        operatorCidrs: ['203.0.113.7/32'],
        envRefs,
        destroyOnFinalize: true,
      }),
    );
  });
  after(async () => {
    await bench?.stop();
  });

  it('create: the stack is created and deployed, the Stack is Ready with the commit and an outputs summary', async () => {
    const s = await bench.waitFor('prod Ready', () => {
      const s = bench.stack('prod');
      return condition(s, 'Ready')?.status === 'True' && s;
    });
    assert.equal(s.status?.lastUpdate?.result, 'succeeded');
    assert.equal(s.status?.lastUpdate?.commit, first);
    assert.equal(s.status?.lastSuccessfulCommit, first);
    assert.equal(s.status?.lastUpdate?.changes?.['create'], 55);
    assert.equal(s.status?.outputs?.['clusterName'], '"aws-production"');
    assert.equal(s.status?.outputs?.['nodes'], '[secret]');
    assert.deepEqual(s.metadata.finalizers, ['sloth-kubernetes.io/finalizer']);
    assert.equal(condition(s, 'Stalled')?.status, 'False');
    assert.equal(condition(s, 'Reconciling')?.status, 'False');
    assert.equal(await runningInstances(bench, 'prod'), 14);
    const inv = counts(await inventory(bench.aws.endpoint));
    assert.equal(inv['aws:ec2/vpc:Vpc'], 1);
    assert.equal(inv['aws:lb/loadBalancer:LoadBalancer'], 1);
    const reasons = bench.events('prod').map((e) => e.reason);
    assert.deepEqual(reasons.filter((r) => r !== 'StackCreated'), ['UpdateStarted', 'UpdateSucceeded']);
    assert.ok(reasons.includes('StackCreated'));
    // kubectl's printer columns.
    const table = bench.kubectl(['get', 'stacks', '-n', 'team']);
    assert.match(table, /^NAME\s+STACK\s+READY\s+REASON\s+LAST UPDATE\s+UPDATED\s+AGE$/m);
    assert.match(table, /^prod\s+prod\s+True\s+UpdateSucceeded\s+succeeded\s/m);
  });

  it('a commit pushed to the tracked branch is deployed: a new update at the new commit', async () => {
    const before = bench.stack('prod')!.status!.lastUpdate!.id;
    const second = bench.commit({ 'cluster.lisp': seedConfig(11) }, 'one more worker');
    const s = await bench.waitFor('the update at the second commit', () => {
      const s = bench.stack('prod');
      return s?.status?.lastUpdate?.commit === second && s.status.lastUpdate.result === 'succeeded' && s;
    });
    assert.notEqual(s.status!.lastUpdate!.id, before);
    assert.ok((s.status!.lastUpdate!.changes?.['create'] ?? 0) >= 1);
    assert.equal(await runningInstances(bench, 'prod'), 15);
  });

  it('a bad commit stalls the Stack with the error (file, line); the fix makes it Ready again', async () => {
    const bad = bench.commit({ 'cluster.lisp': seedConfig(11).replace('(count 3)', '(count "three")') }, 'a typo');
    const stalled = await bench.waitFor('Stalled', () => {
      const s = bench.stack('prod');
      return condition(s, 'Stalled')?.status === 'True' && s;
    });
    const c = condition(stalled, 'Stalled')!;
    assert.equal(c.reason, 'ConfigInvalid');
    assert.match(c.message!, /cluster\.lisp: 1 error in the configuration: \d+:\d+: /);
    assert.equal(condition(stalled, 'Ready')?.status, 'False');
    assert.equal(stalled.status?.lastUpdate?.commit, bad);
    assert.ok(bench.events('prod').some((e) => e.type === 'Warning' && e.reason === 'UpdateFailed'));
    assert.equal(await runningInstances(bench, 'prod'), 15, 'nothing changed');

    const fixed = bench.commit({ 'cluster.lisp': seedConfig(11) }, 'fix the typo');
    await bench.waitFor('Ready at the fix', () => {
      const s = bench.stack('prod');
      return condition(s, 'Ready')?.status === 'True' && s?.status?.lastUpdate?.commit === fixed && s;
    });
  });

  it('a referenced Secret that changes (watched as metadata) brings a new update at the same commit', async () => {
    const before = bench.stack('prod')!.status!.lastUpdate!;
    bench.kubectl(['patch', 'secret', 'aws', '-n', 'team', '--type', 'merge', '-p', JSON.stringify({ stringData: { keyId: 'AKIAROTATEDKEY' } })]);
    const s = await bench.waitFor('an update after the rotation', () => {
      const s = bench.stack('prod');
      return s?.status?.lastUpdate?.id !== before.id && s?.status?.lastUpdate?.result === 'succeeded' && s;
    });
    assert.equal(s.status!.lastUpdate!.commit, before.commit);
    assert.equal(s.status!.lastUpdate!.reason, undefined, 'nothing of an earlier failed update is left in lastUpdate');
    const changes = s.status!.lastUpdate!.changes ?? {};
    // The new key reaches the provider configuration; no cloud resource is replaced or removed, no machine made.
    assert.equal((changes['delete'] ?? 0) + (changes['replace'] ?? 0), 0, JSON.stringify(changes));
    assert.equal(await runningInstances(bench, 'prod'), 15);
    assert.doesNotMatch(operator.log(), /watch of (secrets|configmaps) failed/);
  });

  it('the Lisp config cannot read the operator\'s environment or files (restricted mode)', async () => {
    const { envRefs } = credentials(bench);
    bench.apply(stackObject('snoop', { stack: 'snoop', backend: bench.backend, config: '(cluster (metadata (name (env "HOME"))))', envRefs, bootstrap: false, operatorCidrs: ['203.0.113.7/32'] }));
    const s = await bench.waitFor('snoop Stalled', () => {
      const s = bench.stack('snoop');
      return condition(s, 'Stalled')?.status === 'True' && s;
    });
    assert.equal(condition(s, 'Stalled')!.reason, 'ConfigInvalid');
    assert.match(condition(s, 'Stalled')!.message!, /env: reading environment variable 'HOME' is not allowed in restricted mode/);
    bench.kubectl(['delete', 'stack', 'snoop', '-n', 'team', '--wait=true', '--timeout=60s']);

    // Nor a key file named by security.ssh.
    const keyed = seedConfig(1).replace('(security', '(security\n    (ssh (key-path "/etc/hostname"))');
    bench.apply(stackObject('snoop-key', { stack: 'snoop-key', backend: bench.backend, config: keyed, envRefs, bootstrap: false, operatorCidrs: ['203.0.113.7/32'] }));
    const k = await bench.waitFor('snoop-key Stalled', () => {
      const s = bench.stack('snoop-key');
      return condition(s, 'Stalled')?.status === 'True' && s;
    });
    assert.equal(condition(k, 'Stalled')!.reason, 'ConfigInvalid');
    assert.match(condition(k, 'Stalled')!.message!, /security\.ssh key-path at src\/cluster\.lisp:\d+:\d+ names a file, which restricted mode does not read/);
    bench.kubectl(['delete', 'stack', 'snoop-key', '-n', 'team', '--wait=true', '--timeout=60s']);
  });

  it('no secret in the status, the Events or the operator\'s log', () => {
    const everything = [bench.kubectl(['get', 'stacks', '-n', 'team', '-o', 'json']), bench.kubectl(['get', 'events', '-n', 'team', '-o', 'json']), operator.log()].join('\n');
    assert.ok(!everything.includes(SECRET_KEY));
    assert.ok(!everything.includes(PASSPHRASE));
  });

  it('delete with destroyOnFinalize: the cluster is destroyed, then the finalizer goes and the Stack with it', async () => {
    bench.kubectl(['delete', 'stack', 'prod', '-n', 'team', '--wait=false']);
    await bench.waitFor('the Stack gone', () => bench.stack('prod') === undefined);
    assert.equal(await runningInstances(bench, 'prod'), 0);
    const left = counts(await inventory(bench.aws.endpoint));
    for (const [type, n] of Object.entries(left)) assert.equal(n, 0, type);
    const reasons = operator.log();
    assert.match(reasons, /released after its stack was destroyed/);
  });
});
