// nodes list: reads the root stack output `nodes` (written by every deploy from the machines
// and their records) and prints it as a table or JSON. The state layer stores that output
// encrypted (it maps the cluster's machines), so the stack is opened with its passphrase;
// what is printed holds no credential (names, roles, addresses, whether joined).
import { reveal, stackOutputs } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { openStackForCommand } from '../stack-context.ts';
import { json, table } from '../stacks/render.ts';

export interface NodeRow {
  name: string;
  kind: string;
  roles: string[];
  provider: string;
  region: string;
  publicAddress: string | null;
  privateAddress: string | null;
  meshAddress: string | null;
  joined: boolean;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The rows of a `nodes` output value: bastion first, then nodes in name order (workers-2 before workers-10). */
export function nodeRows(value: unknown): NodeRow[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const rows = Object.entries(value as Record<string, Record<string, unknown>>).map(([name, n]) => ({
    name,
    kind: text(n?.['kind']) ?? 'node',
    roles: Array.isArray(n?.['roles']) ? (n['roles'] as unknown[]).map(String) : [],
    provider: text(n?.['provider']) ?? '',
    region: text(n?.['region']) ?? '',
    publicAddress: text(n?.['publicAddress']),
    privateAddress: text(n?.['privateAddress']),
    meshAddress: text(n?.['meshAddress']),
    joined: n?.['joined'] === true,
  }));
  const rank = (r: NodeRow) => (r.kind === 'bastion' ? 0 : 1);
  return rows.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'en', { numeric: true }));
}


async function nodesOutput(io: CliIO, name: string, passwordStdin?: boolean): Promise<[string, unknown]> {
  const { store, stack } = await openStackForCommand(io, name, { passwordStdin });
  try {
    const nodes = stackOutputs(stack.deployment, stack.name)['nodes'];
    return [stack.name, nodes === undefined ? undefined : reveal(nodes)];
  } finally {
    store.close();
  }
}

export async function listNodes(io: CliIO, name: string, opts: { json?: boolean; passwordStdin?: boolean }): Promise<void> {
  const [stack, value] = await nodesOutput(io, name, opts.passwordStdin);
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new CliError(`the 'nodes' output of stack '${stack}' is not a node map`, { hint: 'Run deploy again to rewrite it.' });
  }
  const rows = nodeRows(value);
  if (opts.json) {
    io.stdout.write(json(rows));
    return;
  }
  if (rows.length === 0) {
    io.stdout.write(`Stack '${stack}' has no nodes yet. Deploy it first: sloth-kubernetes deploy ${stack} --config <file>\n`);
    return;
  }
  const dash = (s: string | null) => s ?? '-';
  io.stdout.write(
    table([
      ['NAME', 'ROLES', 'PROVIDER', 'REGION', 'PUBLIC', 'PRIVATE', 'MESH', 'JOINED'],
      ...rows.map((r) => [r.name, r.kind === 'bastion' ? 'bastion' : r.roles.join(',') || '-', r.provider, r.region, dash(r.publicAddress), dash(r.privateAddress), dash(r.meshAddress), r.joined ? 'yes' : 'no']),
    ]),
  );
}
