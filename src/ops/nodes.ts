// The nodes of a deployed cluster, from the root stack output `nodes` (written by every deploy
// from the machines and their records). The state layer stores that output encrypted (it maps
// the cluster's machines), so the stack is opened with its passphrase; the rows hold no
// credential (names, roles, addresses, whether joined).
import { reveal, stackOutputs } from '../state/index.ts';
import { loadClusterConfig } from './cluster-desired.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { withStack } from './stack.ts';

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

/**
 * The nodes of the stack (none before the first deploy): the one named, else the config's
 * `metadata.name` when a config is given (as deploy), else the backend's only stack.
 */
export async function listNodes(ctx: OpsContext, input: { stack?: string; config?: string }): Promise<{ stack: string; nodes: NodeRow[] }> {
  const name = input.stack ?? (input.config ? (await loadClusterConfig(ctx, input.config)).config.metadata.name : undefined);
  return withStack(ctx, name, async ({ stack }) => {
    const stored = stackOutputs(stack.deployment, stack.name)['nodes'];
    const value = stored === undefined ? undefined : reveal(stored);
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new OpsError('invalid', `the 'nodes' output of stack '${stack.name}' is not a node map`, 'Run deploy again to rewrite it.');
    }
    return { stack: stack.name, nodes: nodeRows(value) };
  });
}
