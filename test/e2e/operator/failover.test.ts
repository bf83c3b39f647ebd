// Two operator replicas and one Lease: only the leader acts. The leader is killed (SIGKILL)
// in the middle of an update of the seed's AWS example; the other replica takes the Lease once
// it expires, releases the stack lock the dead update left, and carries the update through:
// moto then holds every machine exactly once, and the stack tracks exactly what moto holds.
// Then two Stack resources name the same stack: their updates run one after the other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { cleanEnv, runProcess } from '../../helpers/cli.ts';
import { kubeApiMissing } from '../../helpers/kube.ts';
import { missing } from '../../helpers/parts.ts';
import { MOTO_MISSING, motoAvailable } from '../aws/moto-aws.ts';
import { awsClients, inventory, stackIds } from '../aws/inventory.ts';
import { condition, credentials, PASSPHRASE, seedConfig, stackObject, startBench } from './harness.ts';
import type { Bench, Operator, StackView } from './harness.ts';

const skip = kubeApiMissing() ?? missing('git') ?? (motoAvailable() ? undefined : MOTO_MISSING);

async function instanceNames(bench: Bench, stack: string): Promise<string[]> {
  const { ec2 } = awsClients(bench.aws.endpoint);
  const r = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:sloth-kubernetes/stack', Values: [stack] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
  return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []).map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value ?? '?').sort();
}

const leads = (o: Operator) => /"msg":"leading as /.test(o.log());

describe('operator replicas: failover in the middle of an update, and one update at a time per stack', { skip, timeout: 600_000 }, () => {
  let bench: Bench;
  let a: Operator;
  let b: Operator;

  before(async () => {
    bench = await startBench();
    bench.apply(credentials(bench).secret);
    bench.commit({ 'cluster.lisp': seedConfig(20) }, 'twenty workers');
    a = bench.startOperator('op-a');
    await bench.waitFor('op-a leading', () => leads(a));
    b = bench.startOperator('op-b');
    await bench.waitFor('op-b waiting', () => /waiting to lead/.test(b.log()));
  });
  after(async () => {
    await bench?.stop();
  });

  const spec = () => ({
    stack: 'ha',
    backend: bench.backend,
    projectRepo: bench.repoUrl,
    branch: 'main',
    resyncFrequencySeconds: 5,
    bootstrap: false,
    operatorCidrs: ['203.0.113.7/32'],
    envRefs: credentials(bench).envRefs,
  });

  it('the leader is killed mid-update; the next leader resumes it: every machine once, the stack tracks what moto holds', async () => {
    bench.apply(stackObject('ha', spec()));
    // Mid-update: the update is recorded and instances are being made.
    const running = await bench.waitFor('the update under way', () => bench.stack('ha')?.status?.currentUpdate);
    assert.equal(running.holder, 'op-a');
    await bench.waitFor('instances being created', async () => (await instanceNames(bench, 'ha')).length >= 2);
    a.child.kill('SIGKILL');
    await a.exited;
    assert.ok(!leads(b), `the follower did not act while the leader held the Lease\n${a.log()}\n---\n${b.log()}`);

    const s = await bench.waitFor(
      'Ready after failover',
      () => {
        const s = bench.stack('ha');
        return condition(s, 'Ready')?.status === 'True' && s;
      },
      180_000,
    );
    assert.ok(leads(b));
    assert.equal(s.status?.lastUpdate?.holder, 'op-b');
    const reasons = bench.events('ha').map((e) => e.reason);
    assert.ok(reasons.includes('UpdateInterrupted'), reasons.join(', '));
    assert.ok(reasons.includes('StaleLockReleased'), reasons.join(', '));

    const names = await instanceNames(bench, 'ha');
    assert.deepEqual(names, ['bastion', 'masters-1', 'masters-2', 'masters-3', ...Array.from({ length: 20 }, (_, i) => `workers-${i + 1}`)].sort(), 'every machine exactly once');
    const env = cleanEnv({ PULUMI_BACKEND_URL: bench.backend, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, CI: 'true' });
    const exported = await runProcess(['stacks', 'export', 'ha'], { env, cwd: bench.dir });
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(stackIds(exported.stdout), await inventory(bench.aws.endpoint), 'the stack tracks exactly what moto holds');
  });

  it('two Stack resources for one stack: their updates never overlap, neither meets a locked stack', async () => {
    bench.apply(stackObject('ha', spec()));
    bench.apply(stackObject('ha-twin', spec()));
    for (const n of ['ha', 'ha-twin']) await bench.waitFor(`${n} Ready`, () => condition(bench.stack(n), 'Ready')?.status === 'True', 180_000);
    const queued = () => [...bench.events('ha'), ...bench.events('ha-twin')].filter((e) => e.reason === 'UpdateQueued').length;
    const queuedBefore = queued();
    const head = bench.commit({ 'cluster.lisp': seedConfig(22) }, 'two more workers');
    // Both look at once (besides polling the branch), so both want to update the stack now.
    bench.kubectl(['annotate', 'stacks', 'ha', 'ha-twin', '-n', 'team', `sloth-kubernetes.io/reconcile-request=${head}`]);
    const done = (n: string) => {
      const s = bench.stack(n);
      return s?.status?.lastUpdate?.commit === head && s.status.lastUpdate.result === 'succeeded' && s;
    };
    const [one, two] = [await bench.waitFor('ha at head', () => done('ha')), await bench.waitFor('ha-twin at head', () => done('ha-twin'))] as StackView[];
    const span = (s: StackView) => [Date.parse(s.status!.lastUpdate!.startTime!), Date.parse(s.status!.lastUpdate!.endTime!)] as const;
    const [x, y] = [span(one!), span(two!)].sort((p, q) => p[0] - q[0]);
    assert.ok(x![1] <= y![0], `the updates overlap: ${JSON.stringify([x, y])}`);
    for (const s of [one!, two!]) assert.equal(s.status?.lastUpdate?.failures, 0, `${s.metadata.name} failed on the way`);
    const waited = [...bench.events('ha'), ...bench.events('ha-twin')];
    assert.equal(queued() - queuedBefore, 1, 'one waited for the other');
    assert.ok(!waited.some((e) => /locked/.test(e.message)), 'no update met a locked stack');
    assert.equal((await instanceNames(bench, 'ha')).length, 26);
  });
});
