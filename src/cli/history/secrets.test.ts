// Known secrets planted in a configuration (a token from the environment, a cluster token and
// a Salt password written in the file, a Kubernetes Secret in a user manifest) and the ones a
// deployment generates (join tokens, SSH and WireGuard keys, the kubeconfig's client key, the
// ArgoCD password) must never appear in plaintext — or base64 — in any byte written to the
// backend, nor in anything a command prints without --show-secrets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../../state/index.ts';
import type { PropertyValue } from '../../state/index.ts';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { HistoryEnv, PASSPHRASE } from './testing.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/history');
const CONFIG = join(fixtures, 'secrets.lisp');
const PLANTED = ['dop_v1_PLANTED_env_token_0a7c3f5e9b21', 'PLANTED-literal-cluster-token-9c1e77', 'PLANTED-literal-salt-password-51ab0d', 'PLANTED-k8s-secret-db-password-77e2'];

let unregister: () => void;
before(() => {
  unregister = registerSimulatedClouds();
});
after(() => unregister());

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Every secret string the deployment holds (generated ones included), from the decrypted state. */
function secretStrings(v: PropertyValue | undefined, inSecret: boolean, out: Set<string>): void {
  if (v instanceof Secret) return secretStrings(v.value, true, out);
  if (typeof v === 'string') {
    if (inSecret && v.length >= 16 && !/^(\/|#|0[0-7]{3}$)/.test(v) && !v.includes('\n')) out.add(v);
    if (inSecret && v.includes('\n')) for (const line of v.split('\n')) if (/^\s*(client-key-data|token|agent-token):\s*(\S{16,})/.test(line)) out.add(line.split(':').slice(1).join(':').trim());
    if (inSecret && v.includes('PRIVATE KEY')) out.add(v.split('\n').filter((l) => l && !l.startsWith('-----')).join('').slice(0, 40));
    return;
  }
  if (Array.isArray(v)) for (const x of v) secretStrings(x, inSecret, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) secretStrings(x, inSecret, out);
}

test('no planted or generated secret appears in the backend or in any output without --show-secrets', async () => {
  const e = new HistoryEnv(undefined, { DIGITALOCEAN_TOKEN: PLANTED[0]! });
  try {
    const manifest = join(e.dir, 'db-credentials.yaml');
    writeFileSync(manifest, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\nstringData:\n  password: ${PLANTED[3]}\n`);
    const printed: string[] = [];
    const run = async (argv: string[], code = 0) => {
      const r = await e.run(argv);
      assert.equal(r.code, code, `${argv.join(' ')}: ${r.stderr}`);
      printed.push(`$ ${argv.join(' ')}\n${r.stdout}${r.stderr}`);
      return r;
    };

    await run(['stacks', 'create', 'vault']);
    await run(['preview', '--config', CONFIG, '--manifest', manifest, '--json']);
    await run(['deploy', '--config', CONFIG, '--manifest', manifest, '--yes', '--json']);
    // A second deploy that changes the manifest, so diffs have two versions.
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('name: db', 'name: db\n  labels:\n    tier: data'));
    await run(['deploy', '--config', CONFIG, '--manifest', manifest, '--yes', '--diff']);
    await run(['refresh', 'vault', '--json']);
    for (const argv of [
      ['history', 'vault'],
      ['history', 'vault', '--json'],
      ['snapshots', 'list', 'vault', '--json'],
      ['snapshots', 'show', 'vault', 'deploy-1', '--json'],
      ['snapshots', 'show', 'vault', 'deploy-2'],
      ['snapshots', 'diff', 'vault', 'deploy-1', 'deploy-2', '--json'],
      ['manifests', 'list', 'vault', '--json'],
      ['manifests', 'show', 'vault', 'user-db-credentials'],
      ['manifests', 'show', 'vault', 'user-db-credentials', '--json'],
      ['manifests', 'show', 'vault', 'k3s-config-masters-1'],
      ['manifests', 'show', 'vault', 'k3s-config-workers-1', '--json'],
      ['manifests', 'history', 'vault', 'user-db-credentials', '--json'],
      ['manifests', 'diff', 'vault', 'user-db-credentials'],
      ['audit', 'vault', '--json'],
      ['audit', 'summary', 'vault', '--json'],
      ['audit', 'export', 'vault', '--output', 'audit.json'],
      ['audit', 'verify', 'vault', '--json'],
      ['export-config', 'vault', '--format', 'json'],
      ['export-config', 'vault', '--format', 'meta'],
      ['stacks', 'output', 'vault'],
      ['stacks', 'output', 'vault', '--json'],
      ['stacks', 'export', 'vault', '--file', 'export.json'],
      ['stacks', 'info', 'vault', '--json'],
    ]) {
      await run(argv);
    }
    // The Lisp text itself holds two of the secrets: it is only printed with --show-secrets.
    const lisp = await run(['export-config', 'vault', '--format', 'lisp'], 1);
    assert.match(lisp.stderr, /holds 2 secret values[\s\S]*--show-secrets/);
    assert.equal((await run(['export-config', 'vault', '--format', 'lisp', '--regenerate'], 1)).code, 1);
    // Everything the deployment generated, from the decrypted state.
    const rec = await e.records('vault');
    const generated = new Set<string>();
    for (const r of rec.stack.deployment.resources) {
      if (r.type === 'pulumi:pulumi:Stack') {
        // The state layer encrypts every root output that may hold a credential; of these only
        // the kubeconfig and the passwords are secrets (nodes, metadata and the like are not).
        const o = r.outputs ?? {};
        secretStrings(o.kubeConfig, false, generated);
        for (const k of ['salt_master', 'argocd']) {
          const v = o[k] instanceof Secret ? (o[k] as Secret).value : o[k];
          const password = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, PropertyValue>).password : undefined;
          if (typeof password === 'string') generated.add(password);
        }
        continue;
      }
      secretStrings(r.inputs, false, generated);
      secretStrings(r.outputs, false, generated);
    }
    for (const s of [...generated]) if (/^ssh-(ed25519|rsa) /.test(s)) generated.delete(s);
    const snapshotConfig = JSON.parse(rec.snapshots[0]!.inputs.configJson) as { kubernetes: { k3s: { clusterToken: string } } };
    assert.equal(snapshotConfig.kubernetes.k3s.clusterToken, PLANTED[1], 'the sealed snapshot does hold the secret');
    await run(['destroy', 'vault', '--yes', '--json']);
    await run(['audit', 'vault']);

    const secrets = [...PLANTED, PASSPHRASE, ...generated].filter((s) => s.length >= 12);
    assert.ok(secrets.length > 15, `found ${secrets.length} secrets to look for`);
    const needles = secrets.flatMap((s) => [s, Buffer.from(s).toString('base64')]);

    const backend = files(join(e.dir, 'state'));
    assert.ok(backend.some((f) => f.includes('/.pulumi/sloth/sloth-kubernetes/vault/audit/batches/')));
    assert.ok(backend.some((f) => f.includes('/snapshots/')));
    for (const f of [...backend, join(e.dir, 'audit.json'), join(e.dir, 'export.json')]) {
      const bytes = readFileSync(f, 'latin1');
      for (const n of needles) assert.ok(!bytes.includes(n), `${f} holds a secret (${n.slice(0, 6)}…)`);
    }
    const out = printed.join('\n');
    for (const n of needles) assert.ok(!out.includes(n), `command output holds a secret (${n.slice(0, 6)}…):\n${out.slice(Math.max(0, out.indexOf(n) - 300), out.indexOf(n) + 50)}`);

    // The same commands do show them when asked, so the search above can find what it looks for.
    const shown = await e.run(['export-config', 'vault', '--format', 'json', '--show-secrets']);
    assert.ok(shown.stdout.includes(PLANTED[0]!) && shown.stdout.includes(PLANTED[1]!));
    const k8s = await e.run(['manifests', 'show', 'vault', 'user-db-credentials', '--show-secrets']);
    assert.ok(k8s.stdout.includes(PLANTED[3]!));
    const redacted = printed.find((p) => p.startsWith('$ manifests show vault user-db-credentials\n'))!;
    assert.match(redacted, /password: "\[secret\]"/);
    const lispShown = await e.run(['export-config', 'vault', '--format', 'lisp', '--show-secrets']);
    assert.equal(lispShown.stdout, readFileSync(CONFIG, 'utf8'));
    // Reading secrets is on record.
    const events = (await e.records('vault')).events;
    assert.deepEqual(events.slice(-3).map((x) => [x.metadata.command, x.action, x.severity]), [
      ['export-config', 'export', 'warning'],
      ['manifests show', 'read', 'warning'],
      ['export-config', 'export', 'warning'],
    ]);
  } finally {
    e.cleanup();
  }
});
