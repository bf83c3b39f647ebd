// The whole path on real AWS: the smallest cluster (one K3s node holding every role), full
// bootstrap over SSH and WireGuard, the API answering through the kubeconfig (the deploy's
// ApiReady step checks /readyz), a user manifest applied and found in sync with the cluster
// (manifests diff --live), then destroy — always, in a `finally`. Costs a few cents.
//
//   SLOTH_E2E=1 AWS_PROFILE=… (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) [AWS_REGION=…] \
//     node --test test/e2e/aws/real.test.ts
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../helpers/cli.ts';
import type { CliResult } from '../../helpers/cli.ts';
import { keptStackNotice, stackPassphrase } from '../kept-stack.ts';

const credentials = !!(process.env.AWS_PROFILE || (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY));
const skip = process.env.SLOTH_E2E !== '1' ? 'real-cloud test: set SLOTH_E2E=1 (and AWS credentials) to run it' : !credentials ? 'real-cloud test: no AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)' : false;
const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';

const config = (name: string) => `
(cluster
  (metadata (name "${name}") (environment "e2e"))
  (providers (aws (enabled true) (region "${region}")))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (node-pools
    (main (name "main") (provider "aws") (region "${region}") (count 1) (roles master etcd worker) (size "t3.medium")))
  (kubernetes (distribution "k3s")))
`;

const E2E_MANIFEST = join(import.meta.dirname, '../../fixtures/e2e/user-manifest.yaml');

describe('AWS for real: smallest cluster, full bootstrap, always destroyed', { skip, timeout: 60 * 60_000 }, () => {
  it('deploys, answers through its kubeconfig, and is destroyed', async () => {
    const id = randomBytes(3).toString('hex');
    const stack = `e2e-${id}`;
    const dir = mkdtempSync(join(tmpdir(), 'sloth-aws-real-'));
    const backendUrl = `file://${dir}`;
    const { file: passphraseFile } = stackPassphrase(dir);
    // The caller's environment (credentials, profile, proxy) plus a private backend, whose
    // passphrase the CLI reads from the file (a PULUMI_CONFIG_PASSPHRASE of the caller's would win).
    const env = { ...process.env, PULUMI_BACKEND_URL: backendUrl, PULUMI_CONFIG_PASSPHRASE: undefined, PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile, CI: 'true' };
    const cli = (args: string[]): Promise<CliResult> => runProcess(args, { env, cwd: dir });
    const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what} failed\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
    writeFileSync(join(dir, 'cluster.lisp'), config(`sloth-e2e-${id}`));
    ok(await cli(['stacks', 'create', stack]), 'stacks create');
    let destroyed: boolean;
    try {
      ok(await cli(['deploy', stack, '--config', 'cluster.lisp', '--manifest', E2E_MANIFEST, '--yes']), 'deploy');
      const outputs = await cli(['stacks', 'output', stack, '--json', '--show-secrets']);
      ok(outputs, 'stacks output');
      const kubeconfig = (JSON.parse(outputs.stdout) as { kubeConfig?: string }).kubeConfig ?? '';
      assert.match(kubeconfig, /server: https:\/\/\S+:6443/);
      assert.match(kubeconfig, /client-certificate-data|token:/);
      const nodes = await cli(['nodes', 'list', stack, '--json']);
      ok(nodes, 'nodes list');
      const rows = JSON.parse(nodes.stdout) as { name: string; joined: boolean; publicAddress: string | null }[];
      assert.deepEqual(
        rows.map((r) => [r.name, r.joined, !!r.publicAddress]),
        [['main-1', true, true]],
      );
      const live = await cli(['manifests', 'diff', stack, 'e2e-app', '--live']);
      ok(live, 'manifests diff --live');
      assert.match(live.stdout, /user-e2e-app: all 2 objects match the cluster\. Status: applied\./);
      assert.ok(!live.stdout.includes('e2e-planted-secret-value'));
      ok(await cli(['deploy', stack, '--config', 'cluster.lisp', '--manifest', E2E_MANIFEST, '--yes']), 'no-change deploy');
    } finally {
      const r = await cli(['destroy', stack, '--yes']);
      destroyed = r.code === 0;
      if (!destroyed) {
        // Keep the backend: it is what a retry needs to find and delete what is left. The
        // credentials are named, not shown: the AWS_* variables this run had.
        const alsoSet = Object.keys(process.env).filter((k) => k.startsWith('AWS_') && process.env[k]).sort();
        process.stderr.write(`${keptStackNotice({ stack, dir, backendUrl, passphraseFile, alsoSet })}${r.stderr.slice(-3000)}\n`);
      } else rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(destroyed, 'destroy succeeded');
  });
});
