// The recipe a real-cloud test prints when its destroy fails: the passphrase is in a 0600 file,
// the notice names the file and not the passphrase, and the printed command, run as printed by
// a shell, opens and destroys the stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cleanEnv, launcher, runProcess } from '../helpers/cli.ts';
import { keptStackNotice, stackPassphrase } from './kept-stack.ts';

test('a kept stack: passphrase in a 0600 file, named by the notice, never printed; the printed command destroys the stack', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-kept-stack-'));
  try {
    const { passphrase, file } = stackPassphrase(dir);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), passphrase);
    assert.throws(() => stackPassphrase(dir), /EEXIST/, 'an existing passphrase file is never overwritten');
    const backendUrl = `file://${join(dir, 'backend')}`;
    const notice = keptStackNotice({ stack: 'e2e-1', dir, backendUrl, passphraseFile: file, alsoSet: ['DIGITALOCEAN_TOKEN'] });
    assert.ok(!notice.includes(passphrase), 'the passphrase is not printed');
    assert.ok(notice.includes(`PULUMI_CONFIG_PASSPHRASE_FILE=${file} sloth-kubernetes destroy e2e-1 --yes`), notice);
    assert.match(notice, /with DIGITALOCEAN_TOKEN set/);

    // The stack is made the way the real tests make it: the passphrase read from the file.
    const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: backendUrl, PULUMI_CONFIG_PASSPHRASE_FILE: file, CI: 'true' });
    const created = await runProcess(['stacks', 'create', 'e2e-1'], { env, cwd: dir });
    assert.equal(created.code, 0, created.stderr);
    assert.ok(!(created.stdout + created.stderr).includes(passphrase));

    // A passphrase the caller's shell may hold does not get in the way of the printed command.
    const wrongEnv = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: backendUrl, PULUMI_CONFIG_PASSPHRASE: 'not it', CI: 'true' });
    const wrong = await runProcess(['destroy', 'e2e-1', '--yes'], { env: wrongEnv, cwd: dir });
    assert.notEqual(wrong.code, 0, 'another passphrase does not open it');
    assert.match(wrong.stderr, /passphrase/i);

    // The command line of the notice, as printed, in a shell with `sloth-kubernetes` on PATH.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(launcher, join(bin, 'sloth-kubernetes'));
    const command = notice.split('\n').find((l) => l.includes(' sloth-kubernetes destroy '))!.trim();
    const shell = spawnSync('sh', ['-c', command], {
      cwd: dir,
      encoding: 'utf8',
      env: { HOME: dir, PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`, PULUMI_CONFIG_PASSPHRASE: 'not it', CI: 'true' },
    });
    assert.equal(shell.status, 0, `${command}\n${shell.stdout}\n${shell.stderr}`);
    assert.match(shell.stdout + shell.stderr, /e2e-1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the printed command quotes what the shell would split or expand', () => {
  const notice = keptStackNotice({ stack: 'e2e-1', dir: "/tmp/a b", backendUrl: "file:///tmp/a b/it's", passphraseFile: '/tmp/a b/passphrase' });
  assert.ok(notice.includes(`PULUMI_BACKEND_URL='file:///tmp/a b/it'\\''s' PULUMI_CONFIG_PASSPHRASE_FILE='/tmp/a b/passphrase' sloth-kubernetes destroy e2e-1 --yes`), notice);
  assert.ok(!notice.includes('(with'), 'nothing else to set when alsoSet is empty');
});
