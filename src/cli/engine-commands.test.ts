import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { runInProcess } from '../../test/helpers/cli.ts';
import { CliStackEnv, captureIO } from '../../test/provider/cli-env.ts';
import { testProvider } from '../../test/provider/test-provider.ts';
import { DesiredGraph } from '../engine/index.ts';
import type { DesiredState } from '../engine/index.ts';
import { deployGraph, previewGraph, registerProviderPackage } from '../ops/index.ts';
import { reportError } from './errors.ts';
import { withCli } from './host.ts';
import type { HostFlags, InterruptSource } from './host.ts';
import type { CliIO } from './io.ts';

type Build = () => DesiredState;
type RunFlags = HostFlags & { target?: string[]; parallel?: number };

/** The deploy command's flow (ops deployGraph with the CLI as its host) for a test graph. */
async function runDeploy(io: CliIO, stack: string, flags: RunFlags, build: Build, deps: { interrupts?: InterruptSource } = {}): Promise<void> {
  await withCli(io, flags, (ctx) => deployGraph(ctx, { stack, build, targets: flags.target, parallel: flags.parallel }), deps.interrupts);
}

/** The preview command's flow for a test graph. */
async function runPreview(io: CliIO, stack: string, flags: HostFlags, build: Build): Promise<void> {
  await withCli(io, flags, (ctx) => previewGraph(ctx, { stack, build }));
}

function graph(size = 1, extra = false): DesiredGraph {
  const g = new DesiredGraph('dev');
  const a = g.resource('test:index:Thing', 'a', { size });
  g.resource('test:index:Thing', 'b', { parentArn: a.output('arn') });
  g.resource('test:index:Thing', 'secretive', { token: 'tok-abc-123' }, { secretInputs: ['token'] });
  if (extra) g.resource('test:index:Thing', 'guard', { size: 1 }, { protect: true });
  return g;
}

async function withEnv(fn: (e: CliStackEnv) => Promise<void>): Promise<void> {
  const e = new CliStackEnv();
  const unregister = registerProviderPackage('test', () => testProvider({ dir: e.cloudDir }));
  try {
    await e.create();
    await fn(e);
  } finally {
    unregister();
    e.cleanup();
  }
}

/** Runs a command function and returns the exit code the CLI would use. */
async function call(fn: () => Promise<void>): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (e) {
    return reportError(e, () => undefined);
  }
}

test('destroy without a terminal and without --yes refuses after showing the plan; nothing is deleted', () =>
  withEnv(async (e) => {
    await e.deploy(graph());
    const r = await runInProcess(['destroy', 'dev'], { env: e.env });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Previewing destroy \(dev\):/);
    assert.match(r.stdout, /Resources: 0 to create, 0 to update, 0 to replace, 4 to delete, 0 unchanged/);
    assert.match(r.stderr, /refusing to destroy without confirmation/);
    assert.match(r.stderr, /--yes/);
    assert.equal(e.cloud.list().length, 3);
  }));

test('destroy --yes deletes everything, leaves the stack empty, and prints a summary', () =>
  withEnv(async (e) => {
    await e.deploy(graph());
    const r = await runInProcess(['destroy', 'dev', '--yes'], { env: e.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Destroying stack dev: 4 steps, up to 16 at a time/);
    assert.match(r.stdout, /^- {2}test:index:Thing: 3 deleted \(longest \d+\.\ds\)$/m, 'not on a terminal: a line per phase');
    assert.match(r.stdout, /Resources: 0 created, 0 updated, 0 replaced, 4 deleted, 0 unchanged/);
    assert.equal(e.cloud.list().length, 0);
    const { store, stack } = await e.open();
    assert.deepEqual(stack.deployment.resources, []);
    store.close();
    const again = await runInProcess(['destroy', 'dev', '--yes'], { env: e.env });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /No changes\./);
  }));

test('destroy refuses protected resources with a clear message and exit 1', () =>
  withEnv(async (e) => {
    await e.deploy(graph(1, true));
    const r = await runInProcess(['destroy', 'dev', '--yes'], { env: e.env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refusing to change protected resources:\n {2}urn:pulumi:dev::sloth-kubernetes::test:index:Thing::guard \(would be deleted\)/);
    assert.match(r.stderr, /Nothing was changed/);
    assert.equal(e.cloud.list().length, 4);
  }));

test('destroy --target with --target-dependents, and --json streams the plan and events as JSON lines', () =>
  withEnv(async (e) => {
    await e.deploy(graph());
    const a = 'urn:pulumi:dev::sloth-kubernetes::test:index:Thing::a';
    const refused = await runInProcess(['destroy', 'dev', '--yes', '--target', a], { env: e.env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /::b depends on .*::a, which would be deleted/);
    const r = await runInProcess(['destroy', 'dev', '--yes', '--target', a, '--target-dependents', '--json'], { env: e.env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; summary?: unknown; changes?: unknown });
    assert.equal(lines[0]!.type, 'plan');
    assert.deepEqual(lines[0]!.summary, { create: 0, update: 0, replace: 0, delete: 2, same: 0 });
    assert.deepEqual(lines.at(-1)!.type, 'summary');
    assert.deepEqual(lines.at(-1)!.changes, { delete: 2 });
    assert.equal(e.cloud.list().length, 1);
  }));

test('refresh shows drift and drops vanished resources; --expect-no-changes exits 1 on drift; secrets never printed', () =>
  withEnv(async (e) => {
    await e.deploy(graph());
    const clean = await runInProcess(['refresh', 'dev', '--expect-no-changes'], { env: e.env });
    assert.equal(clean.code, 0, clean.stderr);
    // One read per cloud resource, counted up front.
    assert.match(clean.stdout, /^Refreshing stack dev: 3 steps, up to 16 at a time$/m);
    assert.match(clean.stdout, /Resources: 0 created, 0 updated, 0 replaced, 0 deleted, 3 unchanged/);
    const objs = e.cloud.list();
    const a = objs.find((o) => o.name === 'a')!;
    e.cloud.put({ ...a, props: { size: 42 } });
    const s = objs.find((o) => o.name === 'secretive')!;
    e.cloud.put({ ...s, props: { token: 'tok-changed-999' } });
    const drift = await runInProcess(['refresh', 'dev', '--expect-no-changes'], { env: e.env });
    assert.equal(drift.code, 1);
    assert.match(drift.stdout, /~ {2}test:index:Thing a: changed outside sloth-kubernetes\n {7}~ size: 1 => 42/);
    assert.match(drift.stdout, /~ token: \[secret\] => \[secret\]/);
    assert.match(drift.stdout, /error: 2 resource\(s\) drifted/);
    assert.doesNotMatch(drift.stdout + drift.stderr, /tok-/);
    e.cloud.remove(objs.find((o) => o.name === 'b')!.id);
    const r = await runInProcess(['refresh', 'dev'], { env: e.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /- {2}test:index:Thing b: gone from the cloud; dropped from the stack/);
    const { store, stack } = await e.open();
    assert.equal(stack.deployment.resources.some((x) => x.urn.endsWith('::b')), false);
    assert.equal(stack.deployment.resources.find((x) => x.urn.endsWith('::a'))!.outputs!.size, 42);
    store.close();
  }));

test('--verbose shows provider log lines, scrubbed of the resource\'s secrets; --target names the dependency to add', () =>
  withEnv(async (e) => {
    const chatty = () => {
      const g = graph();
      g.resource('test:index:Thing', 'chatty', { token: 'tok-chatty-0246', log: 'logging in with tok-chatty-0246', wait: 'waiting for tok-chatty-0246 to be free' }, { secretInputs: ['token'] });
      return g;
    };
    const quiet = captureIO(e.env);
    await runDeploy(quiet.io, 'dev', { yes: true }, () => chatty().build());
    assert.doesNotMatch(quiet.out(), /logging in/);
    // What a wait waits for is shown without --verbose (a warning), scrubbed like any log line.
    assert.match(quiet.out(), /^warning: create: waiting for \[secret\] to be free \(urn:pulumi:dev::sloth-kubernetes::test:index:Thing::chatty\)$/m);
    const loud = captureIO(e.env);
    await runDeploy(loud.io, 'dev', { yes: true, verbose: true }, () => {
      const g = chatty();
      g.resource('test:index:Thing', 'chatty2', { token: 'tok-chatty-1357', log: 'again with tok-chatty-1357' }, { secretInputs: ['token'] });
      return g.build();
    });
    assert.match(loud.out(), /^info: create: again with \[secret\] \(urn:pulumi:dev::sloth-kubernetes::test:index:Thing::chatty2\)$/m);
    assert.doesNotMatch(loud.out() + loud.err(), /tok-chatty/);

    const g = new DesiredGraph('dev');
    const first = g.resource('test:index:Thing', 'first', { size: 1 });
    g.resource('test:index:Thing', 'second', { parentArn: first.output('arn') });
    const failed = await runDeploy(captureIO(e.env).io, 'dev', { yes: true, target: ['urn:pulumi:dev::sloth-kubernetes::test:index:Thing::second'] }, () => g.build()).then(
      () => undefined,
      (err: unknown) => err,
    );
    let text = '';
    assert.equal(reportError(failed, (s) => (text += s)), 1);
    assert.match(text, /::second needs .*::first, which does not exist yet and is not targeted/);
    assert.match(text, /Target what they need as well: --target urn:pulumi:dev::sloth-kubernetes::test:index:Thing::first/);
    assert.doesNotMatch(text, /--target-dependents/);
  }));

test('refresh of a stack that does not exist says so', () =>
  withEnv(async (e) => {
    const r = await runInProcess(['refresh', 'nope'], { env: e.env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope/);
  }));

test('runPreview prints the plan tree with markers, property detail with --diff, and JSON with --json', () =>
  withEnv(async (e) => {
    await e.deploy(graph());
    const { io, out } = captureIO(e.env);
    await runPreview(io, 'dev', { diff: true }, () => {
      const g = graph(2);
      g.resource('test:index:Thing', 'new', { size: 1 });
      return g.build();
    });
    const text = out();
    assert.match(text, /Previewing update \(dev\):/);
    assert.match(text, /\n {4}Type {2,}Name {2,}Plan\n/);
    assert.match(text, /\n {4}pulumi:pulumi:Stack {2,}sloth-kubernetes-dev\n/);
    assert.match(text, / ~ {2}├─ test:index:Thing {2,}a {2,}update \[diff: ~size\]\n {8}~ size: 1 => 2/);
    // b refers to a's arn, which an update keeps: unchanged, so not listed.
    assert.doesNotMatch(text, /Thing {2,}b /);
    assert.match(text, / \+ {2}└─ test:index:Thing {2,}new {2,}create/);
    assert.match(text, /Resources: 1 to create, 1 to update, 0 to replace, 0 to delete, 3 unchanged/);
    // Creates list every input (unknowns and secrets marked) under --diff, as Pulumi does.
    const fresh = captureIO(e.env);
    await runPreview(fresh.io, 'dev', { diff: true }, () => {
      const g = graph();
      const n = g.resource('test:index:Thing', 'new', { size: 7 });
      g.resource('test:index:Thing', 'newer', { parentArn: n.output('arn'), token: 'tok-new-4321' }, { secretInputs: ['token'] });
      return g.build();
    });
    assert.match(fresh.out(), / \+ {2}├─ test:index:Thing {2,}new {2,}create\n {8}\+ size: 7\n/);
    assert.match(fresh.out(), / \+ {2}└─ test:index:Thing {2,}newer {2,}create\n {8}\+ parentArn: \(known after apply\)\n {8}\+ token: \[secret\]\n/);
    assert.doesNotMatch(fresh.out(), /tok-new-4321/);
    // Without --diff, a create is one row.
    const short = captureIO(e.env);
    await runPreview(short.io, 'dev', {}, () => {
      const g = graph();
      g.resource('test:index:Thing', 'new', { size: 7 });
      return g.build();
    });
    assert.match(short.out(), / \+ {2}└─ test:index:Thing {2,}new {2,}create\n\n/);
    // And a destroy preview lists what goes.
    const gone = await runInProcess(['destroy', 'dev', '--diff'], { env: e.env });
    assert.match(gone.stdout, / - {2}├─ test:index:Thing {2,}a {2,}delete\n {8}- size: 1\n/);
    assert.match(gone.stdout, / - {2}(├|└)─ test:index:Thing {2,}secretive {2,}delete\n {8}- token: \[secret\]\n/);
    const j = captureIO(e.env);
    await runPreview(j.io, 'dev', { json: true }, () => graph(1).build());
    const plan = JSON.parse(j.out()) as { steps: unknown[]; summary: Record<string, number> };
    assert.deepEqual(plan.steps, []);
    assert.deepEqual(plan.summary, { create: 0, update: 0, replace: 0, delete: 0, same: 4 });
  }));

test('runDeploy asks on a terminal and does nothing when the answer is no; --yes deploys; Ctrl-C stops gracefully', () =>
  withEnv(async (e) => {
    const no = captureIO(e.env, { tty: true, stdin: 'n\n' });
    const code = await call(() => runDeploy(no.io, 'dev', {}, () => graph().build()));
    assert.equal(code, 1);
    assert.match(no.err(), /Do you want to deploy these changes to stack 'dev'\? \[y\/N\]/);
    assert.equal(e.cloud.list().length, 0);

    const yes = captureIO(e.env);
    await runDeploy(yes.io, 'dev', { yes: true }, () => graph().build());
    assert.equal(e.cloud.list().length, 3);
    assert.match(yes.out(), /Resources: 4 created/);

    // Ctrl-C through the interrupt source: the running step finishes, nothing else starts.
    const interrupts = new EventEmitter();
    const c = captureIO(e.env);
    const wide = new DesiredGraph('dev');
    const p = wide.provider('test', 'slow', { latencyMs: 30 });
    for (let i = 0; i < 10; i++) wide.resource('test:index:Thing', `w${i}`, { i }, { provider: p });
    let sent = false;
    const run = runDeploy(c.io, 'dev', { yes: true, parallel: 2, verbose: true }, () => wide.build(), {
      interrupts: {
        on: (ev, fn) => interrupts.on(ev, fn),
        off: (ev, fn) => interrupts.off(ev, fn),
      },
    });
    const poll = setInterval(() => {
      if (!sent && /w\d: creating/.test(c.out())) {
        sent = true;
        interrupts.emit('SIGINT');
      }
    }, 2);
    const exit = await call(() => run);
    clearInterval(poll);
    assert.equal(exit, 130);
    assert.match(c.out(), /Stopping: no new steps start/);
    assert.match(c.out(), /Stopped before the end; run the command again to continue\./);
    assert.ok(e.cloud.list().length < 13);
    assert.equal(interrupts.listenerCount('SIGINT'), 0);
  }));

test('refresh and destroy of a stack whose provider package is unknown refuse up front, naming it', async () => {
  const e = new CliStackEnv();
  try {
    await e.create();
    await e.deploy(graph());
    for (const argv of [['refresh', 'dev'], ['destroy', 'dev', '--yes']]) {
      const r = await runInProcess(argv, { env: e.env });
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.stderr, /no provider for package 'test' \(needed by urn:pulumi:dev::sloth-kubernetes::test:index:Thing::a\)/);
    }
    assert.equal(e.cloud.list().length, 3);
  } finally {
    e.cleanup();
  }
});
