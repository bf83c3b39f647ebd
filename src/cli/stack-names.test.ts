// Stack names that are not one path segment ('.', '..', 'a/b') are refused by every command
// that takes a stack, before anything is read or written: '.' once reached every other stack
// of a file:// backend (`stacks create .` archived their records, `stacks delete . --yes`
// removed their history, `stacks cancel .` their locks). The commands are found by walking the
// command tree, so a new command that takes a stack is covered without editing this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { cleanEnv, runInProcess } from '../../test/helpers/cli.ts';
import { buildProgram } from './program.ts';
import type { CliIO } from './io.ts';

const BAD_NAMES = ['.', '..', 'a/b', '../victim', 'victim/..'];

/** Every command path whose first argument is a stack (`stack` or, under `stacks`, `name`). */
async function stackCommands(): Promise<{ path: string[]; command: Command }[]> {
  const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', programName: 'sloth-kubernetes' } as unknown as CliIO;
  const out: { path: string[]; command: Command }[] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const sub of cmd.commands) {
      const p = [...path, sub.name()];
      const first = sub.registeredArguments[0]?.name();
      if (first === 'stack' || (first === 'name' && p[0] === 'stacks')) out.push({ path: p, command: sub });
      walk(sub, p);
    }
  };
  walk(await buildProgram(io), []);
  return out;
}

/** The command with `name` as its stack, its other arguments and required options filled in. */
function argvFor(path: string[], command: Command, name: string, file: string): string[] {
  const rest = command.registeredArguments.slice(1).filter((a) => a.required).map((a) => (a.name() === 'file' ? file : 'x'));
  const value = (flag: string) => ({ '--before': '30d', '--config': 'cluster.lisp' })[flag] ?? 'x';
  const required = command.options.filter((o) => o.mandatory).flatMap((o) => [o.long!, value(o.long!)]);
  // No confirmation prompt; `stacks state unprotect` needs a URN or --all.
  const flags = ['--yes', '--all'].filter((f) => command.options.some((o) => o.long === f));
  return [...path, name, ...rest, ...required, ...flags];
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, `${statSync(p).mode} ${readFileSync(p, 'base64')}`);
    }
  };
  walk(dir);
  return out;
}

test('every command refuses a stack name that is not one path segment, and changes nothing', async () => {
  const home = mkdtempSync(join(tmpdir(), 'stack-names-'));
  try {
    const env = cleanEnv({ HOME: home, PULUMI_BACKEND_URL: `file://${home}/state`, PULUMI_CONFIG_PASSPHRASE: 'names-pass', SLOTH_ACTOR: 'tester' });
    const run = (argv: string[]) => runInProcess(argv, { env, cwd: home });
    copyFileSync(new URL('../../test/fixtures/config/seeds/quick-start.lisp', import.meta.url), join(home, 'cluster.lisp'));
    assert.equal((await run(['stacks', 'create', 'victim'])).code, 0);
    // Its audit log holds the create; the export is the file `audit import` is given.
    assert.equal((await run(['audit', 'export', 'victim', '--output', join(home, 'file.json')])).code, 0);
    const before = snapshot(join(home, 'state'));

    const commands = await stackCommands();
    for (const expected of ['stacks create', 'stacks delete', 'stacks cancel', 'deploy', 'destroy', 'audit verify', 'snapshots diff']) {
      assert.ok(commands.some((c) => c.path.join(' ') === expected), `${expected} takes a stack`);
    }
    for (const { path, command } of commands) {
      for (const name of BAD_NAMES) {
        const argv = argvFor(path, command, name, join(home, 'file.json'));
        const r = await run(argv);
        const shown = `${argv.join(' ')} → ${r.code}\n${r.stderr}${r.stdout}`;
        assert.equal(r.code, 1, shown);
        assert.match(r.stderr, new RegExp(`invalid stack name '${name.replace(/\./g, '\\.')}'.*one path segment`), shown);
        assert.doesNotMatch(r.stderr, /internal error/, shown);
      }
    }
    assert.deepEqual(snapshot(join(home, 'state')), before, 'the backend is unchanged');
    const verify = await run(['audit', 'verify', 'victim']);
    assert.equal(verify.code, 0, verify.stderr);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
