// The cluster's admin kubeconfig, as the stack keeps it (fetched by the deploy's `kubeconfig`
// step from the API node, its server the address users reach the API on: the API load
// balancer or `api.<domain>`, else the first master's address): given out under the name the
// user wants (default: the stack's), printed, written to a file of its own (0600) or merged
// into the user's kubeconfig; `refresh` fetches it again over SSH from the API node, the way
// the step did, and keeps it in the stack. Each use of the credential is on record.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { apiNodeAccess } from '../cluster/remote/access.ts';
import { RemoteStepError, runScript } from '../cluster/remote/run-script.ts';
import { SshError } from '../cluster/remote/ssh.ts';
import { commandRun } from '../cluster/remote/step-access.ts';
import { defaultKubeconfigPath, KubeconfigError, mergeKubeconfig, namedKubeconfig } from '../kube/kubeconfig.ts';
import type { Merged, NamedKubeconfig } from '../kube/kubeconfig.ts';
import { reveal, Secret, setStackOutputs, stackOutputs } from '../state/index.ts';
import type { OpenedStack } from '../state/index.ts';
import type { AuditSession } from '../audit/index.ts';
import { OpsError } from './errors.ts';
import { replacePrivate, writePrivate } from './files.ts';
import type { OpsContext } from './host.ts';
import { sshFailure } from './node-access.ts';
import { noCluster, storedKubeconfig } from './stack-kubeconfig.ts';
import { auditSession, withAuditedStack } from './stack.ts';

/** The stack's admin kubeconfig under the name `context` (default: the stack's name). */
export function stackKubeconfig(stack: OpenedStack, context?: string): NamedKubeconfig {
  try {
    return namedKubeconfig(storedKubeconfig(stack), context ?? stack.name);
  } catch (err) {
    if (err instanceof KubeconfigError) throw new OpsError('invalid', `the kubeconfig stack '${stack.name}' holds cannot be used: ${err.message}`, `Fetch it again from the API node: sloth-kubernetes kubeconfig ${stack.name} --refresh`);
    throw err;
  }
}

export type KubeconfigTarget =
  /** Returned as text (the CLI prints it). */
  | { kind: 'print' }
  /** A file of its own, 0600 (replaced whole). */
  | { kind: 'file'; path: string }
  /** Merged into a kubeconfig: `path`, else $KUBECONFIG's first path, else ~/.kube/config. */
  | { kind: 'merge'; path?: string; use?: boolean };

export interface KubeconfigInput {
  stack?: string;
  /** The name of the cluster, user and context (default: the stack's name). */
  context?: string;
  /** Fetch it again from the API node over SSH (and keep it in the stack when it changed). */
  refresh?: boolean;
  target: KubeconfigTarget;
}

export interface KubeconfigResult {
  stack: string;
  context: string;
  server: string;
  /** Where it came from: the stack, or the node it was fetched from (`refresh`). */
  from: { kind: 'stack' } | { kind: 'node'; node: string; via?: string; changed: boolean; stored: boolean };
  /** The document (`print` only). */
  text?: string;
  /** The file written (`file`, `merge`). */
  path?: string;
  merge?: Merged;
}

const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@:-]*$/;

/** The kubeconfig of a stack's cluster, printed, written or merged. */
export async function kubeconfig(ctx: OpsContext, input: KubeconfigInput): Promise<KubeconfigResult> {
  if (input.context !== undefined && !CONTEXT_NAME.test(input.context)) {
    throw new OpsError('invalid', `'${input.context}' cannot name a kubeconfig context`, 'Use letters, digits and . _ @ : - (starting with a letter or digit).');
  }
  const target = input.target;
  const path = target.kind === 'file' ? resolve(ctx.cwd, target.path) : target.kind === 'merge' ? resolve(ctx.cwd, target.path ?? defaultKubeconfigPath(ctx.env, ctx.homedir)) : undefined;
  const audit = auditSession(ctx, 'kubeconfig', { type: 'state', action: input.refresh ? 'refresh' : 'read', severity: 'warning', resourceId: input.stack ?? '', resourceType: 'kubeconfig', description: 'kubeconfig given out' });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const context = input.context ?? stack.name;
    let from: KubeconfigResult['from'] = { kind: 'stack' };
    let named: NamedKubeconfig;
    if (input.refresh) {
      const fetched = await fetchFromNode(ctx, stack, audit);
      try {
        named = namedKubeconfig(fetched.text, context);
      } catch (err) {
        if (err instanceof KubeconfigError) throw new OpsError('failed', `the kubeconfig fetched from ${fetched.node} cannot be used: ${err.message}`);
        throw err;
      }
      from = { kind: 'node', node: fetched.node, ...(fetched.via ? { via: fetched.via } : {}), changed: fetched.changed, stored: fetched.stored };
    } else named = stackKubeconfig(stack, context);
    audit.secret(named.text, ...named.text.split('\n').filter((l) => l.length >= 24).map((l) => l.replace(/^\s*[\w-]+:\s*/, '')));

    const result: KubeconfigResult = { stack: stack.name, context, server: named.server, from };
    let where: string;
    if (target.kind === 'print') {
      result.text = named.text;
      where = 'printed';
    } else if (target.kind === 'file') {
      await writeFile(path!, () => writePrivate(path!, named.text));
      result.path = path;
      where = `written to ${path}`;
    } else {
      let existing: string | undefined;
      try {
        existing = await readFile(path!, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OpsError('invalid', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      let merged: Merged;
      try {
        merged = mergeKubeconfig(existing, named, { use: target.use, file: path! });
      } catch (err) {
        if (err instanceof KubeconfigError) throw new OpsError('invalid', err.message, 'Fix the file, or merge into another one with --merge -o FILE.');
        throw err;
      }
      await writeFile(path!, () => replacePrivate(path!, merged.text));
      result.path = path;
      result.merge = merged;
      where = `merged into ${path} as context '${context}'${merged.currentAfter === context && merged.currentBefore !== context ? ' (now the current context)' : ''}`;
    }
    audit.summary.resourceId = stack.name;
    audit.summary.description = `kubeconfig of stack '${stack.name}'${from.kind === 'node' ? ` fetched from ${from.node}` : ''} ${where}`;
    return result;
  });
}

async function writeFile(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!code) throw err;
    throw new OpsError('invalid', `cannot write ${path}: ${code}`, code === 'EACCES' ? 'Choose a file you may write, with -o FILE.' : undefined);
  }
}

/**
 * Runs the stack's `kubeconfig` step again on the API node (its recorded connection: pinned
 * host keys, the bastion hop) and keeps the result in the stack when it changed — the
 * certificates may have been rotated on the node — unless the stack is locked meanwhile.
 */
async function fetchFromNode(ctx: OpsContext, stack: OpenedStack, audit: AuditSession): Promise<{ text: string; node: string; via?: string; changed: boolean; stored: boolean }> {
  const access = apiNodeAccess(stack.deployment);
  const step = stack.deployment.resources.find((r) => !r.delete && r.type === 'sloth:remote:Command' && r.urn.endsWith('::kubeconfig'));
  if (!access || !step?.inputs) throw noCluster(stack.name);
  audit.secret(access.ssh.privateKey, ...access.ssh.privateKey.split('\n').filter((l) => l.length >= 16));
  let text: string;
  try {
    text = await runScript({ ...commandRun(step.inputs, { name: 'kubeconfig', signal: ctx.signal ?? new AbortController().signal, log: () => undefined }), timeoutMs: 60_000 });
  } catch (err) {
    if (err instanceof SshError) throw sshFailure(err, access, stack.name, 'fetch the kubeconfig');
    if (err instanceof RemoteStepError) throw new OpsError('unavailable', `fetching the kubeconfig from ${access.machine} failed: ${err.message}`, `Check the API server on ${access.machine} (RKE2: systemctl status rke2-server; K3s: systemctl status k3s).`);
    throw err;
  }
  const before = reveal(stackOutputs(stack.deployment, stack.name)['kubeConfig'] ?? '');
  const changed = before !== text;
  const stored = changed ? await keep(stack, text) : false;
  if (changed && !stored) ctx.host.notify({ type: 'warning', message: `the kubeconfig on ${access.machine} differs from the one stack '${stack.name}' holds, and the stack is locked (a deploy?): it keeps its copy` });
  return { text, node: access.machine, ...(access.ssh.via ? { via: access.ssh.via.name } : {}), changed, stored };
}

/** Records the fetched kubeconfig as the step's output and the stack's `kubeConfig`; false when the stack is locked. */
async function keep(stack: OpenedStack, text: string): Promise<boolean> {
  let update;
  try {
    update = await stack.beginUpdate('refresh', 'kubeconfig --refresh');
  } catch (err) {
    if (typeof (err as { exitCode?: unknown }).exitCode === 'number') return false;
    throw err;
  }
  try {
    const step = update.deployment.resources.find((r) => !r.delete && r.type === 'sloth:remote:Command' && r.urn.endsWith('::kubeconfig'));
    if (!step) {
      await update.abandon();
      return false;
    }
    await update.record([
      { op: 'put', resource: { ...step, outputs: { ...step.outputs, stdout: new Secret(text) } } },
      setStackOutputs(update.deployment, stack.name, { kubeConfig: new Secret(text) }),
    ]);
    await update.finish({ result: 'succeeded', resourceChanges: { update: 1 } });
    return true;
  } catch (err) {
    await update.abandon();
    throw err;
  }
}
