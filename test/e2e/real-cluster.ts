// The real-cloud run the Azure and GCP suites share (test/e2e/<cloud>/real.test.ts): the
// smallest cluster (one K3s node) fully bootstrapped, its kubeconfig fetched from the stack
// and the API asked whether it is ready, a user manifest applied and compared with the
// cluster (manifests diff --live); destroyed in any case, the stack kept when destroy fails.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cleanEnv, runProcess } from '../helpers/cli.ts';
import { keptStackNotice, stackPassphrase } from './kept-stack.ts';

interface KubeConfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

function readyz(kubeconfig: KubeConfig): Promise<{ status: number; body: string }> {
  const c = kubeconfig.clusters[0]!.cluster;
  const u = kubeconfig.users[0]!.user;
  const b64 = (s: string) => Buffer.from(s, 'base64');
  return new Promise((resolve, reject) => {
    const req = request(new URL('/readyz', c.server), { ca: b64(c['certificate-authority-data']), cert: b64(u['client-certificate-data']), key: b64(u['client-key-data']), timeout: 20_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const E2E_MANIFEST = join(import.meta.dirname, '../fixtures/e2e/user-manifest.yaml');

export interface RealCluster {
  /** Stack name prefix, e.g. `e2e-az`. */
  prefix: string;
  /** The `(providers …)` form and the pool's provider and size. */
  providers: string;
  provider: string;
  size: string;
  /** The user's variables the CLI needs (credentials, project, config folders). */
  env: Record<string, string | undefined>;
  /** Values that must never show in the output. */
  secrets: string[];
}

export async function deployRealCluster(spec: RealCluster): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `sloth-${spec.prefix}-`));
  const stack = `${spec.prefix}-${Date.now().toString(36)}`;
  const backendUrl = `file://${join(dir, 'backend')}`;
  const { file: passphraseFile } = stackPassphrase(dir);
  const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: backendUrl, PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile, SLOTH_OPERATOR_CIDRS: process.env.SLOTH_OPERATOR_CIDRS, CI: 'true', ...spec.env });
  const config = join(dir, 'cluster.lisp');
  writeFileSync(
    config,
    `(cluster
  (metadata (name "${stack}") (environment "e2e"))
  ${spec.providers}
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (node-pools (single (provider "${spec.provider}") (count 1) (roles master etcd worker) (size "${spec.size}")))
  (kubernetes (distribution "k3s")))
`,
  );
  const run = async (args: string[]) => {
    const r = await runProcess(args, { env });
    assert.equal(r.code, 0, `sloth ${args.join(' ')}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
    for (const s of spec.secrets) assert.ok(!(r.stdout + r.stderr).includes(s), 'a credential never shows');
    return r;
  };
  try {
    await run(['stacks', 'create', stack]);
    await run(['deploy', stack, '-c', config, '--manifest', E2E_MANIFEST, '--yes']);
    const out = JSON.parse((await run(['stacks', 'output', stack, '--show-secrets', '--json'])).stdout) as { kubeConfig?: string };
    assert.ok(out.kubeConfig, 'the stack holds a kubeconfig');
    const ready = await readyz(parse(out.kubeConfig) as KubeConfig);
    assert.equal(ready.status, 200, ready.body);
    const live = await run(['manifests', 'diff', stack, 'e2e-app', '--live', '--json']);
    const result = JSON.parse(live.stdout) as { inSync: boolean; counts: unknown; status: { after: string } };
    assert.deepEqual([result.inSync, result.counts, result.status.after], [true, { objects: 2, inSync: 2, differs: 0, missing: 0 }, 'applied']);
  } finally {
    const destroyed = await runProcess(['destroy', stack, '--yes'], { env });
    if (destroyed.code === 0) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(keptStackNotice({ stack, dir, backendUrl, passphraseFile, alsoSet: Object.keys(spec.env) }));
    assert.equal(destroyed.code, 0, `destroy failed — check the ${spec.provider} account for resources of stack ${stack}:\n${destroyed.stderr.slice(-3000)}`);
  }
}
