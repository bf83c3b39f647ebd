// The operator against a real kube-apiserver and moto (the test bench of test/e2e/operator):
//   1. reconcile latency — from a commit pushed to a tracked branch (polled every 5 s) to the
//      update starting (status.currentUpdate.startTime), and from a reconcile-request
//      annotation to the update starting;
//   2. the operator's memory (RSS, and its peak) with N Stacks (default 100), each a small AWS
//      cluster on moto, once all are Ready and again after a minute of steady state (watches,
//      branch polls).
//
//   node bench/operator.ts [stacks] [rounds]
import { readFileSync } from 'node:fs';
import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeApiMissing } from '../test/helpers/kube.ts';
import { missing } from '../test/helpers/parts.ts';
import { motoAvailable } from '../test/e2e/aws/moto-aws.ts';
import { awsClients } from '../test/e2e/aws/inventory.ts';
import { condition, credentials, seedConfig, stackObject, startBench } from '../test/e2e/operator/harness.ts';

const stacks = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 5);
const why = kubeApiMissing() ?? missing('git') ?? (motoAvailable() ? undefined : 'moto is missing');
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(0);
}

/** One master, no bastion, no workers: the smallest cluster of the seed's shape; in `vpc` if given (moto allows 5 VPCs). */
const tiny = (name: string, vpc?: string) =>
  seedConfig(0)
    .replace('(vpc\n        (create true)\n        (cidr "10.0.0.0/16"))', vpc ? `(vpc (id "${vpc}") (cidr "10.20.0.0/16"))` : '(vpc (create true) (cidr "10.0.0.0/16"))')
    .replace('(name "aws-production")', `(name "${name}")`)
    .replace('(count 3)', '(count 1)')
    .replace(/\(bastion[\s\S]*?\(size "t3.micro"\)\)\)/, '(bastion (enabled false)))');

const rss = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const bench = await startBench();
try {
  const { secret, envRefs } = credentials(bench);
  bench.apply(secret);
  bench.commit({ 'cluster.lisp': tiny('tracked') }, 'first');
  const operator = bench.startOperator('bench');
  const common = { backend: bench.backend, bootstrap: false, operatorCidrs: ['203.0.113.7/32'], envRefs };
  bench.apply(stackObject('tracked', { ...common, stack: 'tracked', projectRepo: bench.repoUrl, branch: 'main', resyncFrequencySeconds: 5 }));
  await bench.waitFor('tracked Ready', () => condition(bench.stack('tracked'), 'Ready')?.status === 'True', 300_000);

  const started = async (after: string) => {
    const s = await bench.waitFor('the update', () => {
      const s = bench.stack('tracked');
      const u = s?.status?.currentUpdate ?? s?.status?.lastUpdate;
      return u && u.id !== after && u.startTime ? s : undefined;
    });
    const u = s.status!.currentUpdate ?? s.status!.lastUpdate!;
    await bench.waitFor('Ready again', () => condition(bench.stack('tracked'), 'Ready')?.status === 'True' && !bench.stack('tracked')!.status?.currentUpdate, 300_000);
    return Date.parse(u.startTime!);
  };
  const byCommit: number[] = [];
  const byAnnotation: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const last = bench.stack('tracked')!.status!.lastUpdate!.id;
    const t0 = Date.now();
    bench.commit({ 'cluster.lisp': `${tiny('tracked')}\n; round ${i}\n` }, `round ${i}`);
    byCommit.push((await started(last)) - t0);
    const last2 = bench.stack('tracked')!.status!.lastUpdate!.id;
    const t1 = Date.now();
    bench.kubectl(['annotate', 'stack', 'tracked', '-n', 'team', '--overwrite', `sloth-kubernetes.io/reconcile-request=round-${i}`]);
    byAnnotation.push((await started(last2)) - t1);
  }
  console.log(`reconcile latency, ${rounds} rounds (load ${load()}):`);
  console.log(`  commit pushed → update started (branch polled every 5 s): median ${(median(byCommit) / 1000).toFixed(2)} s (${byCommit.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
  console.log(`  reconcile-request annotation → update started: median ${(median(byAnnotation) / 1000).toFixed(2)} s (${byAnnotation.map((x) => (x / 1000).toFixed(2)).join(', ')})`);

  // The many Stacks share one existing VPC.
  const { ec2 } = awsClients(bench.aws.endpoint);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  await ec2.send(new CreateSubnetCommand({ VpcId: vpc, AvailabilityZone: 'us-east-1a', CidrBlock: '10.20.1.0/24' }));
  const before = rss(operator.child.pid!);
  const t0 = Date.now();
  for (let i = 0; i < stacks; i++) bench.apply(stackObject(`s${i}`, { ...common, stack: `s${i}`, config: tiny(`s${i}`, vpc) }));
  // Settled: Ready, or its first update over (a failure is reported, not waited out).
  let readyCount = 0;
  await bench.waitFor(
    `${stacks} Stacks settled`,
    () => {
      const list = JSON.parse(bench.kubectl(['get', 'stacks', '-n', 'team', '-o', 'json'])) as { items: NonNullable<ReturnType<typeof bench.stack>>[] };
      readyCount = list.items.filter((s) => condition(s, 'Ready')?.status === 'True').length - 1;
      return list.items.filter((s) => condition(s, 'Ready')?.status === 'True' || s.status?.lastUpdate?.result === 'failed').length >= stacks + 1;
    },
    1_800_000,
  );
  const ready = rss(operator.child.pid!);
  const took = (Date.now() - t0) / 1000;
  await sleep(60_000);
  const steady = rss(operator.child.pid!);
  console.log(`operator memory with ${stacks} Stacks (+1 tracking a branch), each a small AWS cluster on moto (load ${load()}):`);
  console.log(`  before: RSS ${before.rss.toFixed(0)} MiB; all settled after ${took.toFixed(0)} s (${readyCount} Ready): RSS ${ready.rss.toFixed(0)} MiB (peak ${ready.peak.toFixed(0)} MiB); a minute later: RSS ${steady.rss.toFixed(0)} MiB`);
} finally {
  await bench.stop();
}
