// kubeconfig [stack] [-o FILE] [--merge [--use]] [--context NAME] [--refresh] [--json].
import { kubeconfig, type KubeconfigResult, type KubeconfigTarget } from '../../ops/kubeconfig.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';

export async function kubeconfigCommand(io: CliIO, stack: string | undefined, opts: { output?: string; merge?: boolean; use?: boolean; context?: string; refresh?: boolean; json?: boolean; passwordStdin?: boolean }): Promise<void> {
  if (opts.use && !opts.merge) throw new CliError('--use makes the merged context current: it needs --merge');
  const target: KubeconfigTarget = opts.merge ? { kind: 'merge', path: opts.output, use: opts.use } : opts.output ? { kind: 'file', path: opts.output } : { kind: 'print' };
  const r = await withCli(io, opts, (ctx) => kubeconfig(ctx, { stack, context: opts.context, refresh: opts.refresh, target }));
  if (opts.json) {
    io.stdout.write(`${JSON.stringify({ stack: r.stack, context: r.context, server: r.server, from: r.from, ...(r.path ? { path: r.path } : {}), ...(r.merge ? { replaced: r.merge.replaced, currentContext: r.merge.currentAfter } : {}), ...(r.text ? { kubeconfig: r.text } : {}) }, null, 2)}\n`);
    return;
  }
  if (r.from.kind === 'node') io.stderr.write(fetched(r));
  if (r.text !== undefined) {
    io.stdout.write(r.text);
    return;
  }
  if (!r.merge) {
    io.stdout.write(`Wrote the kubeconfig of stack '${r.stack}' to ${r.path} (mode 0600): context '${r.context}', server ${r.server}.\n`);
    return;
  }
  const m = r.merge;
  io.stdout.write(`${m.replaced.length > 0 ? 'Replaced' : 'Added'} context '${r.context}' (server ${r.server}) in ${r.path}.\n`);
  io.stdout.write(m.currentAfter === r.context && m.currentBefore !== r.context ? `Current context: ${r.context}${m.currentBefore ? ` (was ${m.currentBefore})` : ''}.\n` : `Current context: ${m.currentAfter} (unchanged); use this one with: kubectl --context ${r.context} get nodes\n`);
}

function fetched(r: KubeconfigResult): string {
  if (r.from.kind !== 'node') return '';
  const where = `${r.from.node}${r.from.via ? ` (through ${r.from.via})` : ''}`;
  if (!r.from.changed) return `Fetched the kubeconfig from ${where}: the same as the stack holds.\n`;
  return r.from.stored ? `Fetched the kubeconfig from ${where}: it had changed, and the stack now holds the new one.\n` : `Fetched the kubeconfig from ${where}: it had changed; the stack was locked and keeps its copy.\n`;
}
