// The operator's test bench: a real control plane (etcd + kube-apiserver), the install
// manifests applied as the admin, the operator as its own process authenticated as the
// ServiceAccount those manifests create (a token from the TokenRequest API) — so it runs under
// exactly the generated RBAC — a local git repository as the config source, and moto as AWS.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { launcher } from '../../helpers/cli.ts';
import { startKubeApi } from '../../helpers/kube.ts';
import type { KubeApi } from '../../helpers/kube.ts';
import { startAwsEmulator } from '../aws/moto-aws.ts';
import type { AwsEmulator } from '../aws/moto-aws.ts';

export const OPERATOR_NS = 'sloth-system';
export const TEAM_NS = 'team';
/** Planted credentials: they must never show in a status, an Event or a log line. */
export const SECRET_KEY = 'planted-aws-secret-4b1f9c0e7d';
export const PASSPHRASE = 'planted passphrase for the operator 93aa';

export interface Operator {
  name: string;
  child: ChildProcess;
  /** Every log line so far. */
  log(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export interface StackView {
  metadata: { name: string; generation: number; finalizers?: string[]; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: Record<string, unknown>;
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason: string; message?: string }[];
    lastUpdate?: { id: string; operation: string; commit?: string; result?: string; reason?: string; message?: string; startTime?: string; endTime?: string; holder?: string; failures?: number; changes?: Record<string, number> };
    currentUpdate?: { id: string; holder?: string; startTime?: string; generation?: number };
    outputs?: Record<string, string>;
    pendingApproval?: { digest: string; summary: string };
    drift?: { drifted?: number; gone?: number; resources?: string[] };
    lastSuccessfulCommit?: string;
  };
}

export interface Bench {
  kube: KubeApi;
  aws: AwsEmulator;
  dir: string;
  /** The git repository (a work tree) the Stacks track, and its file:// URL. */
  repo: string;
  repoUrl: string;
  backend: string;
  kubectl(args: string[], stdin?: string): string;
  apply(obj: Record<string, unknown>): void;
  stack(name: string): StackView | undefined;
  waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
  events(name: string): { reason: string; type: string; message: string }[];
  commit(files: Record<string, string>, message: string): string;
  startOperator(name: string): Operator;
  operators: Operator[];
  stop(): Promise<void>;
}

export const condition = (s: StackView | undefined, type: string) => s?.status?.conditions?.find((c) => c.type === type);

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: cwd, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

export async function startBench(): Promise<Bench> {
  const [kube, aws] = await Promise.all([startKubeApi(), startAwsEmulator().then((a) => a!)]);
  const dir = mkdtempSync(join(tmpdir(), 'sloth-operator-'));
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  git(repo, ['init', '--quiet', '--initial-branch', 'main']);
  const backendDir = join(dir, 'state');
  mkdirSync(backendDir);
  const operators: Operator[] = [];

  const kubectl = (args: string[], stdin?: string): string => {
    const r = kube.kubectl(args, { stdin });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  // Install exactly what `operator manifests` prints.
  const manifests = spawnSync(process.execPath, [launcher, 'operator', 'manifests', '--image', 'sloth-kubernetes:test', '--namespace', OPERATOR_NS], { encoding: 'utf8' });
  if (manifests.status !== 0) throw new Error(manifests.stderr);
  kubectl(['apply', '-f', '-'], manifests.stdout);
  kubectl(['wait', '--for', 'condition=established', '--timeout', '60s', 'crd/stacks.sloth-kubernetes.io']);
  kubectl(['create', 'namespace', TEAM_NS]);
  const token = kubectl(['create', 'token', 'sloth-kubernetes-operator', '-n', OPERATOR_NS, '--duration', '2h']).trim();
  const kubeconfig = join(dir, 'operator.kubeconfig');
  writeFileSync(kubeconfig, kube.kubeconfigYaml({ token }, 'operator'), { mode: 0o600 });

  return {
    kube,
    aws,
    dir,
    repo,
    repoUrl: `file://${repo}`,
    backend: `file://${backendDir}`,
    operators,
    kubectl,
    apply: (obj) => void kubectl(['apply', '-f', '-'], stringify(obj)),
    stack(name) {
      const r = kube.kubectl(['get', 'stacks.sloth-kubernetes.io', name, '-n', TEAM_NS, '-o', 'json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as StackView) : undefined;
    },
    async waitFor(what, probe, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await probe();
        if (v !== undefined && v !== false) return v as NonNullable<typeof v>;
        if (Date.now() > deadline) {
          const logs = operators.map((o) => `--- ${o.name}:\n${o.log().split('\n').slice(-30).join('\n')}`).join('\n');
          throw new Error(`timed out waiting for ${what}\n${logs}`);
        }
        await sleep(250);
      }
    },
    events(name) {
      const list = JSON.parse(kubectl(['get', 'events', '-n', TEAM_NS, '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])) as {
        items: { reason: string; type: string; message: string; firstTimestamp: string }[];
      };
      return list.items.sort((a, b) => a.firstTimestamp.localeCompare(b.firstTimestamp)).map(({ reason, type, message }) => ({ reason, type, message }));
    },
    commit(files, message) {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(repo, name), text);
      git(repo, ['add', '-A']);
      git(repo, ['commit', '--quiet', '-m', message]);
      return git(repo, ['rev-parse', 'HEAD']);
    },
    startOperator(name) {
      // The operator's own environment holds no cloud credential: those come from envRefs.
      const child = spawn(
        process.execPath,
        [launcher, 'operator', 'run', '--identity', name, '--lease-namespace', OPERATOR_NS, '--lease-duration', '10', '--renew-deadline', '7', '--retry-period', '1', '--backoff', '1', '--grace', '20', '--work-dir', join(dir, `work-${name}`)],
        { env: { PATH: process.env.PATH, HOME: join(dir, `home-${name}`), KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const op: Operator = { name, child, log: () => out, exited };
      operators.push(op);
      return op;
    },
    async stop() {
      for (const o of operators) if (o.child.exitCode === null && o.child.signalCode === null) o.child.kill('SIGKILL');
      await Promise.all(operators.map((o) => o.exited));
      await Promise.all([kube.stop(), aws.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The seed's AWS example with `workers` workers. */
export function seedConfig(workers = 10): string {
  const seed = readFileSync(new URL('../../fixtures/config/seeds/aws-production.lisp', import.meta.url), 'utf8');
  return seed.replace('(count 10)', `(count ${workers})`);
}

/** The credentials Secret and the Stack's environment: moto's endpoint as literals, the keys and passphrase from the Secret. */
export function credentials(bench: Bench): { secret: Record<string, unknown>; envRefs: Record<string, unknown> } {
  return {
    secret: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws', namespace: TEAM_NS }, stringData: { keyId: 'AKIAOPERATORTEST', secret: SECRET_KEY, passphrase: PASSPHRASE } },
    envRefs: {
      AWS_ACCESS_KEY_ID: { type: 'Secret', secret: { name: 'aws', key: 'keyId' } },
      AWS_SECRET_ACCESS_KEY: { type: 'Secret', secret: { name: 'aws', key: 'secret' } },
      PULUMI_CONFIG_PASSPHRASE: { type: 'Secret', secret: { name: 'aws', key: 'passphrase' } },
      AWS_ENDPOINT_URL: { type: 'Literal', literal: { value: bench.aws.endpoint } },
      AWS_REGION: { type: 'Literal', literal: { value: 'us-east-1' } },
    },
  };
}

export function stackObject(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'sloth-kubernetes.io/v1alpha1', kind: 'Stack', metadata: { name, namespace: TEAM_NS }, spec };
}
