// nodes list [stack] [--config FILE] [--json]: the nodes of a deployed cluster as a table or JSON.
import type { CliIO } from '../io.ts';
import { withCli } from '../host.ts';
import { json, table } from '../stacks/render.ts';

export async function listNodes(io: CliIO, name: string | undefined, opts: { config?: string; json?: boolean; passwordStdin?: boolean }): Promise<void> {
  const { listNodes: list } = await import('../../ops/nodes.ts');
  const { stack, nodes } = await withCli(io, opts, (ctx) => list(ctx, { stack: name, config: opts.config }));
  if (opts.json) {
    io.stdout.write(json(nodes));
    return;
  }
  if (nodes.length === 0) {
    io.stdout.write(`Stack '${stack}' has no nodes yet. Deploy it first: sloth-kubernetes deploy ${stack} --config <file>\n`);
    return;
  }
  const dash = (s: string | null) => s ?? '-';
  io.stdout.write(
    table([
      ['NAME', 'ROLES', 'PROVIDER', 'REGION', 'PUBLIC', 'PRIVATE', 'MESH', 'JOINED'],
      ...nodes.map((r) => [r.name, r.kind === 'bastion' ? 'bastion' : r.roles.join(',') || '-', r.provider, r.region, dash(r.publicAddress), dash(r.privateAddress), dash(r.meshAddress), r.joined ? 'yes' : 'no']),
    ]),
  );
}
