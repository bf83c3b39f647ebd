// Shell completion in real shells with nothing else loaded: bash without the bash-completion
// package (the script `completion bash` prints is sourced, COMP_WORDS set as bash sets them),
// fish (`complete -C`) and zsh (its line editor in a pseudo-terminal). Each is asked for config
// files after --config and stack names where a stack goes, and the candidates are read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, launcher, runProcess } from '../../test/helpers/cli.ts';
import { missing } from '../../test/helpers/parts.ts';

/** A directory with config files, the program on PATH as a user has it, and two stacks. */
async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-completion-'));
  const bin = join(dir, 'bin');
  const work = join(dir, 'work');
  mkdirSync(bin);
  mkdirSync(join(work, 'clusters'), { recursive: true });
  for (const f of ['cluster.lisp', 'prod.lisp', 'notes.txt', 'clusters/edge.lisp']) writeFileSync(join(work, f), '');
  writeFileSync(join(bin, 'sloth-kubernetes'), `#!/bin/sh\nexec '${process.execPath}' '${launcher}' "$@"\n`);
  chmodSync(join(bin, 'sloth-kubernetes'), 0o755);
  const env = cleanEnv({ HOME: dir, PATH: `${bin}:${process.env.PATH}`, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'completion' });
  for (const name of ['alpha', 'beta']) assert.equal((await runProcess(['stacks', 'create', name], { env })).code, 0);
  return { dir, work, env };
}

test('bash completes config files after --config and stack names, with bash alone', { skip: missing('bash'), timeout: 120_000 }, async () => {
  const { dir, work, env } = await setUp();
  try {
    const script = await runProcess(['completion', 'bash'], { env });
    assert.equal(script.code, 0, script.stderr);
    assert.doesNotMatch(script.stdout, /_get_comp_words_by_ref|_init_completion/, 'nothing from the bash-completion package');
    writeFileSync(join(dir, 'script.bash'), script.stdout);

    /** What bash offers for the line (the last word is the one being completed). */
    const offered = (...words: string[]): string[] => {
      const quoted = words.map((w) => `'${w}'`).join(' ');
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `source '${join(dir, 'script.bash')}'; COMP_WORDS=(sloth-kubernetes ${quoted}); COMP_CWORD=${words.length}; _sloth_kubernetes_complete; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: work, env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(offered('deploy', '--config', ''), ['cluster.lisp', 'clusters/', 'prod.lisp']);
    assert.deepEqual(offered('preview', '-c', 'p'), ['prod.lisp']);
    assert.deepEqual(offered('validate', '--config', 'clusters/'), ['clusters/edge.lisp']);
    assert.deepEqual(offered('history', ''), ['alpha', 'beta']);
    assert.deepEqual(offered('destroy', 'b'), ['beta']);
    assert.deepEqual(offered('stacks', 'info', 'a'), ['alpha']);
    assert.deepEqual(offered('stacks', 'create', ''), [], 'a new stack has no name yet');
    assert.ok(offered('sta').includes('stacks'));
    assert.deepEqual(offered('deploy', '--js'), ['--json']);
    // bash makes the '=' of --config=file a word of its own.
    assert.deepEqual(offered('deploy', '--config', '=', 'p'), ['prod.lisp']);
    assert.deepEqual(offered('deploy', '--config', '='), ['cluster.lisp', 'clusters/', 'prod.lisp']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fish completes config files after --config and stack names', { skip: missing('fish'), timeout: 120_000 }, async () => {
  const { dir, work, env } = await setUp();
  try {
    const script = await runProcess(['completion', 'fish'], { env });
    assert.equal(script.code, 0, script.stderr);
    writeFileSync(join(dir, 'script.fish'), script.stdout);
    /** What fish offers for the command line (candidates without their descriptions). */
    const offered = (line: string): string[] => {
      const r = spawnSync('fish', ['--no-config', '-c', `source '${join(dir, 'script.fish')}'; complete -C '${line}'`], { cwd: work, env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);
    };
    assert.deepEqual(offered('sloth-kubernetes deploy --config '), ['cluster.lisp', 'clusters/', 'prod.lisp']);
    assert.deepEqual(offered('sloth-kubernetes deploy --config=p'), ['--config=prod.lisp']);
    assert.deepEqual(offered('sloth-kubernetes validate -c clusters/'), ['clusters/edge.lisp']);
    assert.deepEqual(offered('sloth-kubernetes history '), ['alpha', 'beta']);
    assert.deepEqual(offered('sloth-kubernetes stacks info a'), ['alpha']);
    assert.deepEqual(offered('sloth-kubernetes salt ping --stack b'), ['beta']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// zsh completes only in its line editor: an interactive zsh in a pseudo-terminal (zsh/zpty) is
// given the line and a TAB; a compadd wrapper writes each candidate zsh adds, and the script's
// function a marker once it has run.
const ZSH_DRIVER = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1=; RPROMPT=; autoload -Uz compinit; compinit -u -D"
zpty -w z "source '$1'; functions[_sloth_script]=\\$functions[_sloth-kubernetes]"
zpty -w z '_sloth-kubernetes() { _sloth_script "$@"; print -u2 "<done>"; }'
zpty -w z 'compadd() { local -a hits; builtin compadd -O hits "$@"; (( \${#hits} )) && print -u2 -r -l -- "<hit>"\${^hits}; builtin compadd "$@"; }'
zpty -w z "exec 2>'$2'"
zpty -w -n z "$3"$'\\t'
for i in {1..600}; do grep -q '<done>' "$2" 2>/dev/null && break; sleep 0.1; done
zpty -d z
`;

test('zsh completes config files after --config and stack names', { skip: missing('zsh'), timeout: 180_000 }, async () => {
  const { dir, work, env } = await setUp();
  try {
    const script = await runProcess(['completion', 'zsh'], { env });
    assert.equal(script.code, 0, script.stderr);
    writeFileSync(join(dir, 'script.zsh'), script.stdout);
    writeFileSync(join(dir, 'drive.zsh'), ZSH_DRIVER);
    const out = join(dir, 'out');
    /** The candidates zsh adds for the line, each once, sorted. */
    const offered = (line: string): string[] => {
      rmSync(out, { force: true });
      const r = spawnSync('zsh', ['-f', join(dir, 'drive.zsh'), join(dir, 'script.zsh'), out, line], { cwd: work, env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const lines = readFileSync(out, 'utf8').split('\n');
      assert.ok(lines.includes('<done>'), `the completion of '${line}' ran`);
      return [...new Set(lines.filter((l) => l.startsWith('<hit>')).map((l) => l.slice('<hit>'.length)))].sort();
    };
    assert.deepEqual(offered('sloth-kubernetes deploy --config '), ['cluster.lisp', 'clusters/', 'prod.lisp']);
    assert.deepEqual(offered('sloth-kubernetes deploy --config=p'), ['prod.lisp']);
    assert.deepEqual(offered('sloth-kubernetes validate -c clusters/'), ['clusters/edge.lisp']);
    assert.deepEqual(offered('sloth-kubernetes history '), ['alpha', 'beta']);
    assert.deepEqual(offered('sloth-kubernetes stacks info a'), ['alpha']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
