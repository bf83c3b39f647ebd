// kubectl [stack] [--] ARGS…: kubectl gets this process's own terminal and streams when it has
// them (file descriptors handed over: `kubectl exec -it`, `edit`, colours work), the CLI's
// streams otherwise; the signals this process receives are passed on while it runs.
import { Writable, type Readable } from 'node:stream';
import { findKubectl, runKubectl, type SignalSource } from '../../ops/kubectl.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO, OutStream } from '../io.ts';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** This process's signals, while kubectl runs (a handler also keeps this process alive to clean up). */
const processSignals: SignalSource = {
  on(listener) {
    for (const s of FORWARDED) process.on(s, listener);
    return () => {
      for (const s of FORWARDED) process.off(s, listener);
    };
  },
};

const fdOf = (s: unknown): number | undefined => (typeof (s as { fd?: unknown }).fd === 'number' ? (s as { fd: number }).fd : undefined);

/** A stream kubectl's output can be piped into, for an output that is not a file descriptor. */
function sink(out: OutStream): number | Writable {
  const fd = fdOf(out);
  if (fd !== undefined) return fd;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.write(chunk.toString());
      done();
    },
  });
}

export async function kubectlCommand(io: CliIO, words: string[]): Promise<void> {
  const program = findKubectl(io.env);
  if (!program) {
    throw new CliError(io.env.SLOTH_KUBECTL ? `kubectl not found: SLOTH_KUBECTL names ${io.env.SLOTH_KUBECTL}, which is not an executable file` : 'kubectl not found: it is not on PATH', {
      exitCode: 127,
      hint: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/) or point SLOTH_KUBECTL at it. Without kubectl, `sloth-kubernetes kubeconfig <stack> --merge` lets any Kubernetes client use the cluster.',
    });
  }
  const stdin = fdOf(io.stdin) ?? (io.stdin as Readable);
  const { exitCode } = await withCli(io, {}, (ctx) => runKubectl(ctx, { words, program, stdio: [stdin, sink(io.stdout), sink(io.stderr)], signals: processSignals }));
  if (exitCode !== 0) throw new CliError(`kubectl exited with status ${exitCode}`, { display: '', exitCode });
}
