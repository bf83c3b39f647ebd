// The remote-command resource type under the real engine, against a real sshd: it runs on
// create, keeps its stdout (as a secret when asked), is not run again when nothing changed,
// runs again when an input (here a resolved address) changes, and refuses unsafe values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DesiredGraph, ProviderRegistry, collectEvents, deploy, preview } from '../../engine/index.ts';
import { Secret } from '../../state/types.ts';
import { MemoryStack } from '../../../test/provider/memory-stack.ts';
import { generateEd25519KeyPair } from '../bootstrap/ssh-keys.ts';
import { startSshd, sshdSkipReason } from '../testing/sshd.ts';
import { COMMAND_TYPE, commandRun, slothPackage } from './package.ts';
import { TemplateError } from '../bootstrap/template.ts';

const skip = sshdSkipReason() ?? (process.getuid?.() !== 0 ? 'the step writes its payload as root (run as root)' : undefined);
const deployKey = generateEd25519KeyPair('deploy');

test('a remote command runs once, re-runs only when its inputs change, and keeps a secret stdout secret', { skip, timeout: 60_000 }, async () => {
  const sshd = await startSshd(deployKey.publicKey);
  const stack = new MemoryStack('dev');
  const registry = new ProviderRegistry().register(slothPackage);
  const counter = join(sshd.dir, 'runs');
  const payloadPath = join(sshd.dir, 'etc', 'demo.conf');
  try {
    const desired = (address: string) => {
      const g = new DesiredGraph('dev');
      g.resource(
        COMMAND_TYPE,
        'demo-step',
        {
          machine: 'masters-1',
          connection: { host: sshd.host, port: sshd.port, user: sshd.user, hostKey: sshd.hostKey.publicKey },
          privateKey: deployKey.privateKey,
          // The script installs its payload like the generated ones do, then reports.
          script: `#!/usr/bin/env bash\nset -euo pipefail\nwhile read -r p m d; do path="$(printf '%s' "$p" | base64 -d)"; mkdir -p "$(dirname "$path")"; printf '%s' "$d" | base64 -d > "$path"; chmod "$m" "$path"; done\necho run >> ${counter}\nprintf 'kubeconfig for https://{{sloth:api-host}}:6443'\n`,
          files: [{ path: payloadPath, mode: '0600', content: 'token: s3cr3t-token-value\nendpoint: {{sloth:api-host}}\n' }],
          vars: { 'api-host': address },
          output: 'secret',
          timeoutSeconds: 30,
        },
        { secretInputs: ['privateKey', 'files'], additionalSecretOutputs: ['stdout'] },
      );
      return g.build();
    };
    const { sink, events } = collectEvents();
    const first = await deploy(stack, desired('203.0.113.10'), { registry, onEvent: sink });
    assert.equal(first.result, 'succeeded', JSON.stringify(first.failures));
    assert.equal(readFileSync(counter, 'utf8'), 'run\n');
    assert.equal(readFileSync(payloadPath, 'utf8'), 'token: s3cr3t-token-value\nendpoint: 203.0.113.10\n');
    const stored = stack.deployment.resources.find((r) => r.type === COMMAND_TYPE)!;
    assert.ok(stored.outputs!['stdout'] instanceof Secret, 'stdout is stored as a secret');
    assert.equal((stored.outputs!['stdout'] as Secret).value, 'kubeconfig for https://203.0.113.10:6443');
    assert.ok(stored.inputs!['files'] instanceof Secret && stored.inputs!['privateKey'] instanceof Secret);
    assert.ok(!JSON.stringify(events).includes('s3cr3t-token-value'), 'no secret in events');

    // Same inputs: nothing runs.
    const again = preview(stack, desired('203.0.113.10'), { registry });
    assert.equal(again.steps.find((s) => s.name === 'demo-step')!.op, 'same');
    await deploy(stack, desired('203.0.113.10'), { registry });
    assert.equal(readFileSync(counter, 'utf8'), 'run\n');

    // A changed address: the step runs again (an update, not a replacement).
    const changed = preview(stack, desired('203.0.113.11'), { registry });
    assert.equal(changed.steps.find((s) => s.name === 'demo-step')!.op, 'update');
    const second = await deploy(stack, desired('203.0.113.11'), { registry });
    assert.equal(second.result, 'succeeded', JSON.stringify(second.failures));
    assert.equal(readFileSync(counter, 'utf8'), 'run\nrun\n');
    assert.match(readFileSync(payloadPath, 'utf8'), /endpoint: 203\.0\.113\.11/);
  } finally {
    sshd.stop();
  }
});

test('a placeholder value that is not an address is refused before anything runs', () => {
  const inputs = {
    machine: 'm',
    connection: { host: '127.0.0.1', port: 22, user: 'root', hostKey: deployKey.publicKey },
    privateKey: deployKey.privateKey,
    script: 'echo {{sloth:api-host}}\n',
    files: [],
    vars: { 'api-host': '1.2.3.4; rm -rf /' },
    output: 'none',
    timeoutSeconds: 10,
  };
  assert.throws(() => commandRun(inputs, { name: 'x', signal: new AbortController().signal, log: () => {} }), TemplateError);
  assert.throws(() => commandRun({ ...inputs, vars: {} }, { name: 'x', signal: new AbortController().signal, log: () => {} }), /no value for \{\{sloth:api-host\}\}/);
});
