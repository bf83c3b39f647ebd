// kubectl against a stack's cluster: the real kubectl, run with the admin kubeconfig the stack
// holds (as it holds it: its own context) in a private temporary file (0600 in a 0700 folder) named by KUBECONFIG, removed when kubectl
// ends however it ends (exit, signal, failure to start). The caller's signals are passed on
// while it runs; its exit status is returned as it is (128 + the signal's number when a signal
// ended it). The read of the credential is on record before kubectl starts.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { constants as os, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { OpsError } from './errors.ts';
import { writePrivate } from './files.ts';
import type { OpsContext } from './host.ts';
import { storedKubeconfig } from './stack-kubeconfig.ts';
import { auditSession, openStore, resolveStackName, withAuditedStack } from './stack.ts';

/** kubectl: $SLOTH_KUBECTL, else the first `kubectl` on PATH; undefined when there is none. */
export function findKubectl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const candidates = env.SLOTH_KUBECTL ? [env.SLOTH_KUBECTL] : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'kubectl'));
  return candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Where a signal the caller receives comes from (the CLI: its process). */
export interface SignalSource {
  /** Calls `listener` for each signal until the returned function is called. */
  on(listener: (signal: NodeJS.Signals) => void): () => void;
}

export interface KubectlInput {
  /** The words after `kubectl`: `[stack] [--] ARGS…`; without a stack of that name, the backend's only stack and every word is kubectl's. */
  words: readonly string[];
  /** The kubectl program (findKubectl). */
  program: string;
  /** kubectl's standard streams: a file descriptor to hand over (a terminal), or a stream to pipe. */
  stdio: [number | Readable, number | Writable, number | Writable];
  signals?: SignalSource;
}

/** Which words name the stack: the first, when the backend has a stack of that name. */
async function target(ctx: OpsContext, words: readonly string[]): Promise<{ stack: string; args: string[] }> {
  const store = await openStore(ctx);
  try {
    const first = words[0];
    if (first !== undefined && !first.startsWith('-') && (await store.stackExists(first).catch(() => false))) return { stack: first, args: words.slice(1) };
    const stacks = await store.listStacks();
    if (stacks.length === 1) return { stack: stacks[0]!.name, args: [...words] };
    // Let the usual errors speak: no stack at all, or an unknown one.
    if (stacks.length === 0 || first === undefined) return { stack: await resolveStackName(store, first), args: words.slice(1) };
    throw new OpsError('invalid', `'${first}' is not a stack of this backend, which has ${stacks.length}: name the one to use first`, `Stacks: ${stacks.map((s) => s.name).join(', ')}. For example: sloth-kubernetes kubectl ${stacks[0]!.name} -- get nodes`);
  } finally {
    store.close();
  }
}

/** Runs kubectl against the stack's cluster; resolves with its exit status. */
export async function runKubectl(ctx: OpsContext, input: KubectlInput): Promise<{ stack: string; exitCode: number }> {
  const { stack: name, args } = await target(ctx, input.words);
  const verb = args.find((a) => !a.startsWith('-')) ?? '(none)';
  const audit = auditSession(ctx, 'kubectl', { type: 'state', action: 'read', resourceId: name, resourceType: 'kubeconfig', description: `kubeconfig of stack '${name}' used by kubectl ${verb}` });
  // The arguments may hold secrets (`create secret … --from-literal`): only the verb is recorded.
  const kubeconfig = await withAuditedStack(ctx, audit, name, async ({ stack }) => storedKubeconfig(stack));

  const dir = await mkdtemp(join(ctx.env.TMPDIR || tmpdir(), 'sloth-kubectl-'));
  try {
    const file = join(dir, 'kubeconfig');
    await writePrivate(file, kubeconfig);
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(input.program, args, { env: { ...ctx.env, KUBECONFIG: file }, cwd: ctx.cwd, stdio: input.stdio.map((s) => (typeof s === 'number' ? s : 'pipe')) });
      const [stdin, stdout, stderr] = input.stdio;
      if (typeof stdin !== 'number') stdin.pipe(child.stdin!);
      if (typeof stdout !== 'number') child.stdout!.pipe(stdout, { end: false });
      if (typeof stderr !== 'number') child.stderr!.pipe(stderr, { end: false });
      const off = input.signals?.on((signal) => child.kill(signal));
      child.on('error', (err) => {
        off?.();
        reject(new OpsError('unavailable', `cannot run ${input.program}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, 'Point SLOTH_KUBECTL at a working kubectl.'));
      });
      child.on('close', (code, signal) => {
        off?.();
        if (typeof stdin !== 'number') stdin.unpipe(child.stdin!);
        resolve(code ?? (signal ? 128 + (os.signals[signal] ?? 0) : 1));
      });
    });
    return { stack: name, exitCode };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
