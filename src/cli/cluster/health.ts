// health|status [stack] [--json]: the report as a table (status: the last deployment first),
// and the exit status of its verdict.
import { health, type HealthReport } from '../../ops/health.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json, table } from '../stacks/render.ts';

const EXIT: Record<HealthReport['status'], number> = { healthy: 0, degraded: 1, unreachable: 2 };

function verdict(r: HealthReport): string {
  const failing = r.rows.filter((x) => x.status !== 'ok').length;
  const took = `${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.status === 'healthy') return `Stack '${r.stack}' is healthy: ${r.rows.length} checks passed (${took}).`;
  if (r.status === 'unreachable') return `Stack '${r.stack}': the cluster's API could not be asked (${took}).`;
  return `Stack '${r.stack}' is degraded: ${failing} of ${r.rows.length} checks failed (${took}).`;
}

export async function healthCommand(io: CliIO, command: 'health' | 'status', stack: string | undefined, opts: { wireguard: boolean; json?: boolean; passwordStdin?: boolean }): Promise<void> {
  const r = await withCli(io, opts, (ctx) => health(ctx, { stack, wireguard: opts.wireguard }));
  if (opts.json) io.stdout.write(json(r));
  else {
    if (command === 'status') {
      const d = r.deployment;
      io.stdout.write(`Stack: ${r.stack}\n${d ? `Deployment: ${d.id} (${d.deployedAt}), ${d.nodeCount} node${d.nodeCount === 1 ? '' : 's'}\n` : 'Deployment: none recorded\n'}\n`);
    }
    io.stdout.write(table([['CHECK', 'SUBJECT', 'STATUS', 'DETAIL'], ...r.rows.map((x) => [x.check, x.subject, x.status, x.detail])]));
    io.stdout.write(`\n${verdict(r)}\n`);
  }
  if (r.status !== 'healthy') throw new CliError(verdict(r), { display: '', exitCode: EXIT[r.status] });
}
