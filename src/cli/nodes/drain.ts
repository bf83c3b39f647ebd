// nodes cordon|uncordon|drain <stack> <node>: the result, after the progress lines the host
// prints from the use case's `node` events (render/node-events.ts).
import { cordon, drain } from '../../ops/node-ops.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';

export async function cordonCommand(io: CliIO, stack: string, node: string, uncordon: boolean, opts: { json?: boolean; passwordStdin?: boolean }): Promise<void> {
  const r = await withCli(io, opts, (ctx) => cordon(ctx, { stack, node, uncordon }));
  if (opts.json) io.stdout.write(`${JSON.stringify({ stack: r.stack, node: r.node, unschedulable: !uncordon, changed: !r.already })}\n`);
}

export async function drainCommand(io: CliIO, stack: string, node: string, opts: { force?: boolean; deleteEmptydirData?: boolean; gracePeriod?: number; timeout: number; json?: boolean; passwordStdin?: boolean }): Promise<void> {
  const r = await withCli(io, opts, (ctx) => drain(ctx, { stack, node, force: opts.force, deleteEmptyDirData: opts.deleteEmptydirData, gracePeriodSeconds: opts.gracePeriod, timeoutMs: opts.timeout }));
  if (opts.json) io.stdout.write(`${JSON.stringify({ stack: r.stack, node: r.node, evicted: r.evicted, skipped: r.skipped }, null, 2)}\n`);
  else io.stdout.write(`${node} drained: ${r.evicted.length} pod${r.evicted.length === 1 ? '' : 's'} evicted, ${r.skipped.length} left in place; it stays cordoned (sloth-kubernetes nodes uncordon ${r.stack} ${node}).\n`);
}
