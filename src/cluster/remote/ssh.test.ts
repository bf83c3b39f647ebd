import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateEd25519KeyPair, sshFingerprint } from '../bootstrap/ssh-keys.ts';
import { startSshd, sshdSkipReason, type TestSshd } from '../testing/sshd.ts';
import { runScript, RemoteStepError } from './run-script.ts';
import { SshError, type SshTarget } from './ssh.ts';

const skip = sshdSkipReason();
const deploy = generateEd25519KeyPair('deploy');
const targetOf = (d: TestSshd, name: string, hostKey = d.hostKey.publicKey): SshTarget => ({ name, host: d.host, port: d.port, user: d.user, hostKey });

test('runs a script over SSH with the pinned host key: stdin in, stdout out, stderr as progress', { skip }, async () => {
  const sshd = await startSshd(deploy.publicKey);
  try {
    const progress: string[] = [];
    const out = await runScript({
      step: 'echo',
      ssh: { target: targetOf(sshd, 'node-1'), privateKey: deploy.privateKey },
      script: '#!/usr/bin/env bash\nset -euo pipefail\necho "working" >&2\nread -r secret\nprintf "got %s bytes" "${#secret}"\n',
      stdin: 'hunter2-token\n',
      timeoutMs: 20_000,
      onProgress: (l) => progress.push(l),
    });
    assert.equal(out, 'got 13 bytes');
    assert.deepEqual(progress, ['working']);
  } finally {
    sshd.stop();
  }
});

test('a wrong host key is refused before anything runs, naming both fingerprints', { skip }, async () => {
  const sshd = await startSshd(deploy.publicKey);
  const other = generateEd25519KeyPair('impostor');
  const marker = join(sshd.dir, 'ran');
  try {
    await assert.rejects(
      runScript({ step: 'touch', ssh: { target: targetOf(sshd, 'node-1', other.publicKey), privateKey: deploy.privateKey }, script: `touch ${marker}\n`, timeoutMs: 20_000 }),
      (err: SshError) =>
        err.kind === 'host-key-mismatch' && err.message.includes(sshFingerprint(sshd.hostKey.publicKey)) && err.message.includes(sshFingerprint(other.publicKey)) && /refusing to connect/.test(err.message),
    );
    assert.equal(existsSync(marker), false);
  } finally {
    sshd.stop();
  }
});

test('a key the server does not accept is an authentication error', { skip }, async () => {
  const sshd = await startSshd(deploy.publicKey);
  try {
    const stranger = generateEd25519KeyPair('stranger');
    await assert.rejects(runScript({ step: 'x', ssh: { target: targetOf(sshd, 'node-1'), privateKey: stranger.privateKey }, script: 'true\n', timeoutMs: 20_000 }), (err: SshError) => err.kind === 'auth');
  } finally {
    sshd.stop();
  }
});

test('a failing script reports machine, step, exit code and its log tail, with secrets scrubbed', { skip }, async () => {
  const sshd = await startSshd(deploy.publicKey);
  try {
    await assert.rejects(
      runScript({
        step: 'install',
        ssh: { target: targetOf(sshd, 'masters-2'), privateKey: deploy.privateKey },
        script: '#!/usr/bin/env bash\nread -r token\necho "line one" >&2\necho "using $token" >&2\nexit 3\n',
        stdin: 'tok-123456789\n',
        secrets: ['tok-123456789'],
        timeoutMs: 20_000,
      }),
      (err: RemoteStepError) => err.exitCode === 3 && err.machine === 'masters-2' && /step 'install' failed on masters-2 \(exit 3\)/.test(err.message) && /using \[secret\]/.test(err.message) && !err.message.includes('tok-123456789'),
    );
  } finally {
    sshd.stop();
  }
});

test('a script that hangs is stopped at its timeout, with what it logged so far', { skip }, async () => {
  const sshd = await startSshd(deploy.publicKey);
  try {
    await assert.rejects(
      runScript({ step: 'hang', ssh: { target: targetOf(sshd, 'workers-1'), privateKey: deploy.privateKey }, script: 'echo "waiting for the API" >&2\nsleep 30\n', timeoutMs: 2_000 }),
      (err: SshError) => err.kind === 'timeout' && /step 'hang' on workers-1 did not finish within 2s/.test(err.message) && /waiting for the API/.test(err.message),
    );
  } finally {
    sshd.stop();
  }
});

test('through a bastion: both host keys pinned; a wrong key behind the bastion is refused', { skip }, async () => {
  const bastion = await startSshd(deploy.publicKey, { forwarding: true });
  const node = await startSshd(deploy.publicKey);
  try {
    const out = await runScript({
      step: 'hostname',
      ssh: { target: targetOf(node, 'masters-1'), via: targetOf(bastion, 'bastion'), privateKey: deploy.privateKey },
      script: 'echo -n "$SSH_CONNECTION"\n',
      timeoutMs: 20_000,
    });
    // The node sees the connection come from the loopback end of the bastion's channel, to its own port.
    assert.match(out, new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${node.port}$`));
    const wrong = generateEd25519KeyPair('wrong');
    await assert.rejects(
      runScript({ step: 'x', ssh: { target: targetOf(node, 'masters-1', wrong.publicKey), via: targetOf(bastion, 'bastion'), privateKey: deploy.privateKey }, script: 'true\n', timeoutMs: 20_000 }),
      (err: SshError) => err.kind === 'host-key-mismatch' && err.machine === 'masters-1',
    );
    await assert.rejects(
      runScript({ step: 'x', ssh: { target: targetOf(node, 'masters-1'), via: targetOf(bastion, 'bastion', wrong.publicKey), privateKey: deploy.privateKey }, script: 'true\n', timeoutMs: 20_000 }),
      (err: SshError) => err.kind === 'host-key-mismatch' && err.machine === 'bastion',
    );
  } finally {
    bastion.stop();
    node.stop();
  }
});

test('a machine that does not answer is reported unreachable (retryable), not a hang', { skip }, async () => {
  const sshd = await startSshd(deploy.publicKey);
  const port = sshd.port;
  sshd.stop();
  await new Promise((r) => setTimeout(r, 200));
  await assert.rejects(
    runScript({ step: 'x', ssh: { target: { name: 'gone', host: '127.0.0.1', port, user: 'root', hostKey: deploy.publicKey }, privateKey: deploy.privateKey }, script: 'true\n', timeoutMs: 5_000 }),
    (err: SshError) => err.kind === 'unreachable' && /ECONNREFUSED/.test(err.message),
  );
});
