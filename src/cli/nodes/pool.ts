// nodes add|remove <stack> --pool P: the plan and the engine's events as deploy shows them.
import { changePool, type PoolChangeInput } from '../../ops/node-pool.ts';
import { withCli, type HostFlags } from '../host.ts';
import type { CliIO } from '../io.ts';

export async function poolCommand(
  io: CliIO,
  stack: string,
  delta: number,
  node: string | undefined,
  opts: HostFlags & { pool: string; operatorCidr?: string[]; dryRun?: boolean; parallel?: number; message?: string; drainWith?: PoolChangeInput['drain'] },
): Promise<void> {
  await withCli(io, opts, (ctx) =>
    changePool(ctx, { stack, pool: opts.pool, delta, node, dryRun: opts.dryRun, drain: opts.drainWith, operatorCidrs: opts.operatorCidr, parallel: opts.parallel, message: opts.message }),
  );
}
