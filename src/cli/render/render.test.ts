import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent, StepRef } from '../../engine/index.ts';
import { LiveRenderer, PlainRenderer, JsonRenderer } from './events.ts';
import { renderMode } from './index.ts';
import { duration } from './format.ts';
import { captureIO } from '../../../test/provider/cli-env.ts';

const step = (name: string, op: StepRef['op'] = 'create'): StepRef => ({ urn: `urn:pulumi:dev::sloth-kubernetes::test:index:Thing::${name}`, type: 'test:index:Thing', name, op });

const events: EngineEvent[] = [
  { type: 'start', kind: 'update', stack: 'dev', total: 2, parallel: 16 },
  { type: 'step-start', step: step('a'), at: 0 },
  { type: 'step-start', step: step('b', 'update'), at: 0 },
  { type: 'retry', step: step('b', 'update'), attempt: 1, delayMs: 500, error: 'Rate exceeded' },
  { type: 'step-done', step: step('a'), elapsedMs: 1234 },
  { type: 'progress', done: 1, total: 2, running: 1, failed: 0 },
  { type: 'step-failed', step: step('b', 'update'), elapsedMs: 40, error: 'AccessDenied' },
  { type: 'progress', done: 2, total: 2, running: 0, failed: 1 },
  { type: 'outputs', outputs: { name: 'prod', kubeConfig: '[secret]' } },
  { type: 'summary', kind: 'update', result: 'failed', changes: { create: 1, same: 3 }, failures: [{ urn: step('b').urn, op: 'update', error: 'AccessDenied' }], errors: [], elapsedMs: 65_000 },
];

const info: EngineEvent = { type: 'diagnostic', severity: 'info', message: 'masters-1: waiting for cloud-init', urn: step('a').urn };
const warning: EngineEvent = { type: 'diagnostic', severity: 'warning', message: 'quota is nearly used up' };

function plain(evs: EngineEvent[], verbose?: boolean): string {
  let out = '';
  const r = new PlainRenderer({ write: (s: string) => (out += s) }, { verbose });
  for (const e of evs) r.onEvent(e);
  r.close();
  return out;
}

test('plain lines with --verbose: one per step start and end, outputs, failures and the summary', () => {
  assert.equal(
    plain(events, true),
    [
      'Updating stack dev: 2 steps, up to 16 at a time',
      '',
      '+  test:index:Thing a: creating',
      '~  test:index:Thing b: updating',
      '~  test:index:Thing b: retrying in 0.5s (attempt 1: Rate exceeded)',
      '+  test:index:Thing a: created (1.2s)',
      '~  test:index:Thing b: update failed (0.0s): AccessDenied',
      '',
      'Outputs:',
      '  name: "prod"',
      '  kubeConfig: [secret]',
      '',
      'Resources: 1 created, 0 updated, 0 replaced, 0 deleted, 3 unchanged, 1 failed',
      '',
      'Failed:',
      '  urn:pulumi:dev::sloth-kubernetes::test:index:Thing::b (update): AccessDenied',
      'Duration: 1m05s',
      '',
    ].join('\n'),
  );
});

test('plain lines without --verbose: failures as they happen, a line per phase before the outputs, no escape code; retries counted, not listed', () => {
  assert.equal(
    plain(events),
    [
      'Updating stack dev: 2 steps, up to 16 at a time',
      '',
      '~  test:index:Thing b: update failed (0.0s): AccessDenied',
      '+  test:index:Thing a: created (1.2s)',
      '',
      'Outputs:',
      '  name: "prod"',
      '  kubeConfig: [secret]',
      '',
      'Resources: 1 created, 0 updated, 0 replaced, 0 deleted, 3 unchanged, 1 failed',
      '1 provider call was retried (--verbose shows each retry)',
      '',
      'Failed:',
      '  urn:pulumi:dev::sloth-kubernetes::test:index:Thing::b (update): AccessDenied',
      'Duration: 1m05s',
      '',
    ].join('\n'),
  );
});

test('a large run not on a terminal: a progress line every 10 s naming the step waited on longest and why, and a line per phase, not one per step; --verbose keeps every line', () => {
  // 60 machines, 60 disks and 3 networks created over 2 minutes of a fake clock; one disk read.
  const types = [...Array.from({ length: 60 }, (_, i) => ['aws:ec2/instance:Instance', `node-${i}`]), ...Array.from({ length: 60 }, (_, i) => ['aws:ebs/volume:Volume', `disk-${i}`]), ...Array.from({ length: 3 }, (_, i) => ['aws:ec2/vpc:Vpc', `net-${i}`])];
  const ref = ([type, name]: string[], op: StepRef['op'] = 'create'): StepRef => ({ urn: `urn:pulumi:dev::sloth-kubernetes::${type}::${name}`, type: type!, name: name!, op });
  // Every step starts at once, the last network first (it retries the whole time); they end one a second.
  const evs: EngineEvent[] = [{ type: 'start', kind: 'update', stack: 'dev', total: types.length + 1, parallel: 16 }];
  for (const t of [types.at(-1)!, ...types.slice(0, -1)]) evs.push({ type: 'step-start', step: ref(t), at: 0 });
  evs.push({ type: 'retry', step: ref(types.at(-1)!), attempt: 2, delayMs: 4000, error: 'VpcLimitExceeded: the maximum number of VPCs has been reached' });
  types.forEach((t, i) => {
    evs.push({ type: 'step-done', step: ref(t), elapsedMs: 1000 + i * 10 }, { type: 'progress', done: i + 1, total: types.length + 1, running: types.length - i - 1, failed: 0 });
  });
  evs.push({ type: 'step-done', step: ref(['aws:ebs/volume:Volume', 'old'], 'read'), elapsedMs: 300 });
  evs.push({ type: 'summary', kind: 'update', result: 'succeeded', changes: { create: types.length, read: 1 }, failures: [], errors: [], elapsedMs: 120_000 });
  const run = (verbose: boolean) => {
    let out = '';
    let clock = 0;
    const r = new PlainRenderer({ write: (x: string) => (out += x) }, { verbose, now: () => clock });
    for (const e of evs) {
      r.onEvent(e);
      if (e.type === 'progress') clock += 1000;
    }
    r.close();
    return out;
  };
  const quiet = run(false);
  assert.ok(!quiet.includes('\x1b'), 'no escape code');
  const lines = quiet.split('\n');
  assert.doesNotMatch(lines.filter((l) => !l.startsWith('   ')).join('\n'), /node-\d|disk-\d|net-\d/, 'no step of a phase of several is a line of its own');
  assert.ok(lines.length < 30, `${lines.length} lines`);
  const progress = lines.filter((l) => /^ {3}\d+\/124 done, \d+ running \((\d+\.\ds|\dm\d\ds)\)/.test(l));
  assert.equal(progress.length, 12, 'one progress line per 10 s of the 123 s');
  assert.equal(progress[0], '   11/124 done, 112 running (10.0s); longest: +  aws:ec2/vpc:Vpc net-2: creating for 10.0s, retrying (attempt 2: VpcLimitExceeded: the maximum number of VPCs has been reached)');
  assert.deepEqual(
    lines.filter((l) => /^[+>] /.test(l)),
    ['+  aws:ec2/instance:Instance: 60 created (longest 1.6s)', '+  aws:ebs/volume:Volume: 60 created (longest 2.2s)', '+  aws:ec2/vpc:Vpc: 3 created (longest 2.2s)', '>  aws:ebs/volume:Volume old: read (0.3s)'],
  );
  const loud = run(true);
  assert.equal(loud.match(/: created \(/g)?.length, 123, '--verbose: every step');
  assert.equal(loud.match(/: creating$/gm)?.length, 123);
});

test('a step that hangs with nothing else happening: the plain view still says every heartbeat what it waits on', async () => {
  let out = '';
  const r = new PlainRenderer({ write: (x: string) => (out += x) }, { heartbeatMs: 40 });
  r.onEvent({ type: 'start', kind: 'destroy', stack: 'dev', total: 1, parallel: 16 });
  r.onEvent({ type: 'step-start', step: step('vpc', 'delete'), at: 0 });
  r.onEvent({ type: 'retry', step: step('vpc', 'delete'), attempt: 1, delayMs: 500, error: 'DependencyViolation: the vpc has dependencies' });
  await new Promise((done) => setTimeout(done, 400));
  r.onEvent({ type: 'step-done', step: step('vpc', 'delete'), elapsedMs: 400 });
  r.onEvent({ type: 'summary', kind: 'destroy', result: 'succeeded', changes: { delete: 1 }, failures: [], errors: [], elapsedMs: 400 });
  const waits = out.split('\n').filter((l) => l.startsWith('   0/1 done, 1 running'));
  assert.ok(waits.length >= 2, out);
  assert.match(waits.at(-1)!, /; longest: - {2}test:index:Thing vpc: deleting for \d+\.\ds, retrying \(attempt 1: DependencyViolation: the vpc has dependencies\)$/);
  const lines = out.split('\n').length;
  await new Promise((done) => setTimeout(done, 150));
  assert.equal(out.split('\n').length, lines, 'no line after the summary');
});

test('--verbose: info diagnostics (provider and remote-step log lines) and every retry, as they happen', () => {
  const evs = [...events.slice(0, 3), info, warning, ...events.slice(3)];
  const quiet = plain(evs);
  assert.doesNotMatch(quiet, /waiting for cloud-init/);
  assert.doesNotMatch(quiet, /retrying in/);
  assert.match(quiet, /^warning: quota is nearly used up$/m, 'warnings are always shown');
  const loud = plain(evs, true);
  assert.match(loud, /^info: masters-1: waiting for cloud-init \(urn:pulumi:dev::sloth-kubernetes::test:index:Thing::a\)$/m);
  assert.match(loud, /^~ {2}test:index:Thing b: retrying in 0\.5s \(attempt 1: Rate exceeded\)$/m);
  assert.doesNotMatch(loud, /--verbose shows/);
  // The live view too: detail scrolls by above the running steps.
  let out = '';
  const live = new LiveRenderer({ write: (s: string) => (out += s), isTTY: true, columns: 100 }, { verbose: true });
  for (const e of evs) live.onEvent(e);
  live.close();
  assert.match(out, /info: masters-1: waiting for cloud-init/);
  assert.match(out, /retrying in 0\.5s/);
  out = '';
  const quietLive = new LiveRenderer({ write: (s: string) => (out += s), isTTY: true, columns: 120 });
  for (const e of evs.slice(0, 6)) quietLive.onEvent(e);
  assert.doesNotMatch(out, /waiting for cloud-init/);
  // Without --verbose a retrying step says so on its running row.
  assert.match(out, /test:index:Thing b: updating \d+\.\ds \(retrying, attempt 2\)/);
  quietLive.close();
});

test('the live view redraws running steps and a progress bar in place, and ends on a clean line', () => {
  let out = '';
  const r = new LiveRenderer({ write: (s: string) => (out += s), isTTY: true, columns: 80 });
  for (const e of events.slice(0, 6)) r.onEvent(e);
  assert.match(out, /⠋|⠙|⠹/);
  assert.match(out, /~ {2}test:index:Thing b: updating \d+\.\ds/);
  assert.match(out, /\[█{12}░{12}\] 1\/2 done, 1 running/);
  const ESC = String.fromCharCode(27);
  assert.ok(new RegExp(`${ESC}\\[\\d+A${ESC}\\[0J`).test(out), 'moves up and clears the live region');
  for (const e of events.slice(6)) r.onEvent(e);
  r.close();
  const tail = out.slice(out.lastIndexOf('\x1b[0J') + 4);
  assert.doesNotMatch(tail, /running/);
  assert.match(tail, /Duration: 1m05s\n$/);
});

test('JSON lines: every event as one JSON object per line', () => {
  let out = '';
  const r = new JsonRenderer({ write: (s: string) => (out += s) });
  for (const e of events) r.onEvent(e);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as EngineEvent);
  assert.deepEqual(lines, events);
});

test('the mode follows the terminal, CI and --json', () => {
  assert.equal(renderMode(captureIO({}, { tty: true }).io, false), 'live');
  assert.equal(renderMode(captureIO({ CI: 'true' }, { tty: true }).io, false), 'plain');
  assert.equal(renderMode(captureIO({}, { tty: false }).io, false), 'plain');
  assert.equal(renderMode(captureIO({}, { tty: true }).io, true), 'json');
  assert.equal(duration(400), '0.4s');
  assert.equal(duration(3_723_000), '1h02m');
});
