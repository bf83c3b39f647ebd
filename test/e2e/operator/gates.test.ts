// What decides when a Stack updates, against moto: prerequisites (a Stack waits until the
// Stacks it names have succeeded), the approval gate (a plan waits until the Stack is
// annotated with its digest), drift detection (a machine terminated behind our back is found
// on schedule, reported, and — with remediate — made again), and a graceful stop (SIGTERM in
// the middle of an update: the stack lock is released, the next operator continues).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { cleanEnv, runProcess } from '../../helpers/cli.ts';
import { kubeApiMissing } from '../../helpers/kube.ts';
import { missing } from '../../helpers/parts.ts';
import { MOTO_MISSING, motoAvailable } from '../aws/moto-aws.ts';
import { awsClients } from '../aws/inventory.ts';
import { condition, credentials, PASSPHRASE, seedConfig, stackObject, startBench } from './harness.ts';
import type { Bench, Operator } from './harness.ts';

const skip = kubeApiMissing() ?? missing('git') ?? (motoAvailable() ? undefined : MOTO_MISSING);

/** The seed's example, small: one master, `workers` workers, named `name`. */
const small = (name: string, workers = 1) => seedConfig(workers).replace('(name "aws-production")', `(name "${name}")`).replace('(count 3)', '(count 1)');

async function instances(bench: Bench, stack: string): Promise<{ id: string; name: string }[]> {
  const { ec2 } = awsClients(bench.aws.endpoint);
  const r = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:sloth-kubernetes/stack', Values: [stack] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
  return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []).map((i) => ({ id: i.InstanceId!, name: i.Tags?.find((t) => t.Key === 'Name')?.Value ?? '?' }));
}

describe('prerequisites, approval, drift detection and a graceful stop', { skip, timeout: 600_000 }, () => {
  let bench: Bench;
  let operator: Operator;
  const spec = (stack: string, extra: Record<string, unknown> = {}) => ({
    stack,
    backend: bench.backend,
    config: small(stack),
    bootstrap: false,
    operatorCidrs: ['203.0.113.7/32'],
    envRefs: credentials(bench).envRefs,
    ...extra,
  });
  const ready = (name: string) => {
    const s = bench.stack(name);
    return condition(s, 'Ready')?.status === 'True' && s;
  };

  before(async () => {
    bench = await startBench();
    bench.apply(credentials(bench).secret);
    operator = bench.startOperator('op-a');
  });
  after(async () => {
    await bench?.stop();
  });

  it('prerequisites: a Stack waits for the Stack it names; its update starts after that one succeeded', async () => {
    bench.apply(stackObject('app', spec('app', { prerequisites: [{ name: 'net' }] })));
    const waiting = await bench.waitFor('app waiting', () => {
      const s = bench.stack('app');
      return condition(s, 'Reconciling')?.reason === 'PrerequisiteNotSatisfied' && s;
    });
    assert.match(condition(waiting, 'Reconciling')!.message!, /prerequisite Stack net does not exist/);
    assert.equal(waiting.status?.lastUpdate, undefined, 'nothing ran');
    bench.apply(stackObject('net', spec('net')));
    const [net, app] = [await bench.waitFor('net Ready', () => ready('net')), await bench.waitFor('app Ready', () => ready('app'))];
    assert.ok(Date.parse(app.status!.lastUpdate!.startTime!) >= Date.parse(net.status!.lastUpdate!.endTime!), 'app started after net succeeded');
    assert.equal((await instances(bench, 'app')).length, 3);
  });

  it('approval: the plan waits with its digest; the annotation with that digest applies it', async () => {
    bench.apply(stackObject('gated', spec('gated', { approval: { required: true } })));
    const waiting = await bench.waitFor('the plan waiting', () => {
      const s = bench.stack('gated');
      return s?.status?.pendingApproval && s;
    });
    const pending = waiting.status!.pendingApproval!;
    assert.match(pending.digest, /^[0-9a-f]{16}$/);
    assert.match(pending.summary, /^\d+ to create$/);
    assert.equal(condition(waiting, 'Ready')?.reason, 'AwaitingApproval');
    assert.equal(condition(waiting, 'Stalled')?.status, 'False');
    assert.ok(bench.events('gated').some((e) => e.reason === 'ApprovalRequired' && e.message.includes(pending.digest)));
    assert.equal((await instances(bench, 'gated')).length, 0, 'nothing made before approval');
    // A wrong digest approves nothing.
    bench.kubectl(['annotate', 'stack', 'gated', '-n', 'team', 'sloth-kubernetes.io/approve=0000000000000000']);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await instances(bench, 'gated')).length, 0);
    bench.kubectl(['annotate', 'stack', 'gated', '-n', 'team', '--overwrite', `sloth-kubernetes.io/approve=${pending.digest}`]);
    const s = await bench.waitFor('gated Ready', () => ready('gated'));
    assert.equal(s.status?.pendingApproval, undefined);
    assert.equal((await instances(bench, 'gated')).length, 3);
  });

  it('drift detection: a terminated machine is reported as drift on schedule, and remediate makes it again', async () => {
    bench.kubectl(['patch', 'stack', 'net', '-n', 'team', '--type', 'merge', '-p', JSON.stringify({ spec: { driftDetection: { intervalSeconds: 5, remediate: true } } })]);
    await bench.waitFor('no drift at first', () => condition(bench.stack('net'), 'Drifted')?.reason === 'NoDrift');
    const worker = (await instances(bench, 'net')).find((i) => i.name === 'workers-1')!;
    await awsClients(bench.aws.endpoint).ec2.send(new TerminateInstancesCommand({ InstanceIds: [worker.id] }));
    const corrected = await bench.waitFor('drift corrected', () => {
      const s = bench.stack('net');
      return condition(s, 'Drifted')?.reason === 'DriftCorrected' && s;
    });
    assert.ok(corrected.status?.drift?.resources?.some((u) => u.endsWith('::workers-1')), JSON.stringify(corrected.status?.drift));
    assert.ok(bench.events('net').some((e) => e.type === 'Warning' && e.reason === 'DriftDetected' && e.message.includes('workers-1')));
    const now = await instances(bench, 'net');
    assert.equal(now.length, 3);
    assert.notEqual(now.find((i) => i.name === 'workers-1')!.id, worker.id, 'a new machine');
    bench.kubectl(['patch', 'stack', 'net', '-n', 'team', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/driftDetection"}]']);
  });

  it('SIGTERM during an update: it stops before its next step, the lock is released, the next operator finishes it', async () => {
    const generation = Number(bench.kubectl(['patch', 'stack', 'net', '-n', 'team', '--type', 'merge', '-p', JSON.stringify({ spec: { config: small('net', 12) } }), '-o', 'jsonpath={.metadata.generation}']));
    await bench.waitFor('the update under way', () => bench.stack('net')?.status?.currentUpdate?.generation === generation);
    operator.child.kill('SIGTERM');
    assert.equal(await operator.exited, 0);
    assert.match(operator.log(), /stopped; the lease is released/);
    const s = bench.stack('net')!;
    assert.equal(s.status?.currentUpdate, undefined);
    assert.equal(s.status?.lastUpdate?.reason, 'Interrupted');
    const env = cleanEnv({ PULUMI_BACKEND_URL: bench.backend, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, CI: 'true' });
    const info = await runProcess(['stacks', 'info', 'net', '--json'], { env, cwd: bench.dir });
    assert.equal(info.code, 0, info.stderr);
    assert.deepEqual((JSON.parse(info.stdout) as { locks: unknown[] }).locks, [], 'the stack lock was released');

    operator = bench.startOperator('op-b');
    const done = await bench.waitFor('net Ready with 12 workers', () => ready('net') && bench.stack('net')!.status?.lastUpdate?.result === 'succeeded' && bench.stack('net'));
    assert.ok(!bench.events('net').some((e) => e.reason === 'StaleLockReleased'), 'no lock was left behind');
    assert.equal((await instances(bench, 'net')).length, 14);
    assert.equal(done.status?.lastUpdate?.holder, 'op-b');
  });
});
