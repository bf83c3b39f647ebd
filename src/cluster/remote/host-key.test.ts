// The machine's own host key, installed by sloth:remote:HostKey under the real engine against
// a real sshd: the first connection is pinned to the user-data key, the step installs the own
// key and sshd serves it, after which the user-data key opens nothing; an update never
// connects; a create interrupted after the install finishes; a machine serving neither key is
// refused; a replaced machine gets its key again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DesiredGraph, ProviderRegistry, deploy, preview } from '../../engine/index.ts';
import { MemoryStack } from '../../../test/provider/memory-stack.ts';
import { hostKeyPayload, renderHostKeyScript } from '../bootstrap/host-key.ts';
import { generateEd25519KeyPair, sshFingerprint, type SshKeyPair } from '../bootstrap/ssh-keys.ts';
import { startSshd, sshdSkipReason, type TestSshd } from '../testing/sshd.ts';
import { HOST_KEY_TYPE, slothPackage } from './package.ts';
import { connectSsh, SshError } from './ssh.ts';

const skip = sshdSkipReason() ?? (process.getuid?.() !== 0 ? 'the step installs a host key as root (run as root)' : undefined);
const deployKey = generateEd25519KeyPair('deploy');
const registry = new ProviderRegistry().register(slothPackage);

/** The graph of one machine's host-key step, aimed at a test sshd (its key file and its pid for the reload). */
function desired(sshd: TestSshd, userData: SshKeyPair, own: SshKeyPair, extra: { machineId?: string; timeoutSeconds?: number } = {}) {
  const g = new DesiredGraph('dev');
  const keyFile = join(sshd.dir, 'host_key');
  g.resource(
    HOST_KEY_TYPE,
    'hostkey-masters-1',
    {
      machine: 'masters-1',
      machineId: extra.machineId ?? 'i-0001',
      connection: { host: sshd.host, port: sshd.port, user: sshd.user, hostKey: own.publicKey, formerHostKey: userData.publicKey },
      privateKey: deployKey.privateKey,
      script: renderHostKeyScript('masters-1', { path: keyFile, reload: `kill -HUP "$(cat '${join(sshd.dir, 'sshd.pid')}')"` }),
      files: hostKeyPayload(own, keyFile).map((f) => ({ path: f.path, mode: f.mode, content: f.content })),
      timeoutSeconds: extra.timeoutSeconds ?? 60,
    },
    { secretInputs: ['privateKey', 'files'] },
  );
  return g.build();
}

/** Whether a connection pinned to `hostKey` alone is accepted. */
async function pinned(sshd: TestSshd, hostKey: string): Promise<true | SshError> {
  try {
    const c = await connectSsh({ target: { name: 'masters-1', host: sshd.host, port: sshd.port, user: sshd.user, hostKey }, privateKey: deployKey.privateKey, connectTimeoutMs: 10_000 });
    c.close();
    return true;
  } catch (err) {
    if (err instanceof SshError) return err;
    throw err;
  }
}

test('the first connection installs the machine\'s own host key; from then on the user-data key opens nothing', { skip, timeout: 120_000 }, async () => {
  const userData = generateEd25519KeyPair('masters-1');
  const own = generateEd25519KeyPair('masters-1');
  const sshd = await startSshd(deployKey.publicKey, { hostKey: userData });
  const stack = new MemoryStack('dev');
  try {
    assert.equal(await pinned(sshd, userData.publicKey), true, 'before: the machine serves its user-data key');
    const first = await deploy(stack, desired(sshd, userData, own), { registry });
    assert.equal(first.result, 'succeeded', JSON.stringify(first.failures));
    assert.equal(readFileSync(join(sshd.dir, 'host_key'), 'utf8'), `${own.privateKey.trimEnd()}\n`);
    assert.equal(await pinned(sshd, own.publicKey), true, 'the own key is served');
    const refused = await pinned(sshd, userData.publicKey);
    assert.ok(refused instanceof SshError && refused.kind === 'host-key-mismatch', 'whoever holds the user-data key can no longer pass for the machine');
    const stored = stack.deployment.resources.find((r) => r.type === HOST_KEY_TYPE)!;
    assert.equal(stored.outputs!['hostKey'], own.publicKey);

    // An update (here a new time limit; in a cluster a new address or bastion) does nothing on
    // the machine: with sshd stopped it still succeeds.
    sshd.stop();
    const plan = preview(stack, desired(sshd, userData, own, { timeoutSeconds: 90 }), { registry });
    assert.equal(plan.steps.find((s) => s.name === 'hostkey-masters-1')!.op, 'update');
    const update = await deploy(stack, desired(sshd, userData, own, { timeoutSeconds: 90 }), { registry });
    assert.equal(update.result, 'succeeded', JSON.stringify(update.failures));
    // A replaced machine (a new id) gets its own key again.
    assert.equal(preview(stack, desired(sshd, userData, own, { machineId: 'i-0002' }), { registry }).steps.find((s) => s.name === 'hostkey-masters-1')!.op, 'replace');
  } finally {
    sshd.stop();
  }
});

test('a create interrupted after the install finishes; a machine serving neither key is refused', { skip, timeout: 120_000 }, async () => {
  const userData = generateEd25519KeyPair('masters-1');
  const own = generateEd25519KeyPair('masters-1');
  // The machine already serves its own key (the install ran, but its result was never recorded).
  const done = await startSshd(deployKey.publicKey, { hostKey: own });
  try {
    const r = await deploy(new MemoryStack('dev'), desired(done, userData, own), { registry });
    assert.equal(r.result, 'succeeded', JSON.stringify(r.failures));
  } finally {
    done.stop();
  }
  // Another key altogether: refused before anything is sent, naming all three keys.
  const stranger = generateEd25519KeyPair('stranger');
  const other = await startSshd(deployKey.publicKey, { hostKey: stranger });
  try {
    const r = await deploy(new MemoryStack('dev'), desired(other, userData, own), { registry });
    assert.equal(r.result, 'failed');
    const error = r.failures[0]!.error;
    for (const k of [stranger, own, userData]) assert.ok(error.includes(sshFingerprint(k.publicKey)), error);
    assert.match(error, /refusing to connect/);
    assert.equal(readFileSync(join(other.dir, 'host_key'), 'utf8'), stranger.privateKey, 'nothing was installed');
  } finally {
    other.stop();
  }
});
