// The health of a stack's cluster: what the Kubernetes API says (src/kube/health.ts: /readyz,
// certificates, every node Ready with its kubelet version and no pressure, DNS and CNI pods,
// etcd members) and what every machine's WireGuard interface says (`wg show <iface> dump` over
// SSH, the recorded connection: each peer's latest handshake), checked in parallel. The verdict:
// healthy, degraded (a check failed), or unreachable (the API could not be asked at all).
// Nothing is written: a health check is not on record.
import { recordedMachines } from '../cluster/remote/access.ts';
import { runOnNode } from '../cluster/remote/node-command.ts';
import { connectSsh, SshError, type SshConnection } from '../cluster/remote/ssh.ts';
import { configPeers, judgeHandshakes, parsePeerLines, peerDumpArgv } from '../cluster/wireguard/handshakes.ts';
import { readVpnRecord, VPN_OUTPUT } from '../cluster/wireguard/clients.ts';
import type { ClusterConfig } from '../config/index.ts';
import { storedConfig, type StoredConfig } from '../history/stored.ts';
import { apiHealth, type CheckRow, type ExpectedCluster } from '../kube/health.ts';
import { reveal, stackOutputs } from '../state/index.ts';
import type { OpenedStack, PropertyMap } from '../state/index.ts';
import { OpsError } from './errors.ts';
import { bounded } from './parallel.ts';
import type { OpsContext } from './host.ts';
import { stackClient } from './kube-access.ts';
import { nodeAccess, sshFailure } from './node-access.ts';
import { withStack } from './stack.ts';

export type { CheckRow };

export type HealthStatus = 'healthy' | 'degraded' | 'unreachable';

export interface HealthReport {
  stack: string;
  /** The deployment the stack records last, when it has metadata. */
  deployment?: { id: string; deployedAt: string; nodeCount: number };
  status: HealthStatus;
  checkedAt: string;
  durationMs: number;
  rows: CheckRow[];
}

export interface HealthInput {
  stack?: string;
  /** Also check every machine's WireGuard handshakes over SSH (default true). */
  wireguard?: boolean;
}

/** Per API request, and per machine for the WireGuard check (connection included). */
const API_TIMEOUT_MS = 5000;
const SSH_TIMEOUT_MS = 15_000;
/** Machines asked at once. */
const SSH_PARALLEL = 16;

function expectedCluster(stack: OpenedStack, stored: StoredConfig): ExpectedCluster {
  const k = stored.ours && stored.configJson ? (JSON.parse(stored.configJson) as ClusterConfig).kubernetes : undefined;
  const distribution = k?.distribution === 'k3s' ? 'k3s' : 'rke2';
  return {
    distribution,
    cni: k?.networkPlugin ?? (distribution === 'k3s' ? 'flannel' : 'canal'),
    nodes: recordedMachines(stack.deployment).filter((m) => m.kind === 'node'),
  };
}

/** The recorded WireGuard config of each member (its mesh step's payload) and the interface it names. */
function meshConfigs(stack: OpenedStack): Map<string, { iface: string; config: string }> {
  const out = new Map<string, { iface: string; config: string }>();
  for (const r of stack.deployment.resources.filter((x) => !x.delete && x.type === 'sloth:remote:Command' && x.inputs && /::mesh-[^:]+$/.test(x.urn))) {
    const file = (reveal(r.inputs!['files'] ?? []) as PropertyMap[]).map((f) => reveal(f) as PropertyMap).find((f) => /^\/etc\/wireguard\/[^/]+\.conf$/.test(String(reveal(f['path']!))));
    if (!file) continue;
    out.set(String(reveal(r.inputs!['machine']!)), { iface: String(reveal(file['path']!)).slice('/etc/wireguard/'.length, -'.conf'.length), config: String(reveal(file['content']!)) });
  }
  return out;
}

async function wireguardRows(ctx: OpsContext, stack: OpenedStack): Promise<CheckRow[]> {
  const configs = meshConfigs(stack);
  const machines = recordedMachines(stack.deployment).filter((m) => configs.has(m.name));
  const names = new Map(recordedMachines(stack.deployment).flatMap((m) => (m.wireguardPublicKey ? [[m.wireguardPublicKey, m.name] as const] : [])));
  // The VPN clients (vpn join) are peers of every member, recorded in the stack: optional peers.
  const clients = new Set(readVpnRecord(reveal(stackOutputs(stack.deployment, stack.name)[VPN_OUTPUT] ?? null)).clients.map((c) => c.publicKey));
  // One connection to each bastion, shared by every machine behind it.
  const jumps = new Map<string, Promise<SshConnection>>();
  try {
    return await bounded(machines, SSH_PARALLEL, (m) => wireguardRow(ctx, stack, m.name, configs.get(m.name)!, names, clients, jumps));
  } finally {
    for (const j of jumps.values()) void j.then((c) => c.close(), () => undefined);
  }
}

/** One machine's row: its interface read over SSH (through the shared bastion connection) and judged. */
async function wireguardRow(ctx: OpsContext, stack: OpenedStack, machine: string, mesh: { iface: string; config: string }, names: ReadonlyMap<string, string>, clients: ReadonlySet<string>, jumps: Map<string, Promise<SshConnection>>): Promise<CheckRow> {
  const row = (status: CheckRow['status'], detail: string): CheckRow => ({ check: 'wireguard', subject: machine, status, detail });
  const { iface, config } = mesh;
  let access;
  try {
    access = nodeAccess(stack, machine);
  } catch (err) {
    if (err instanceof OpsError) return row('degraded', err.message);
    throw err;
  }
  const via = access.ssh.via;
  if (via && !jumps.has(via.name)) jumps.set(via.name, connectSsh({ target: via, privateKey: access.ssh.privateKey, connectTimeoutMs: SSH_TIMEOUT_MS, signal: ctx.abortSignal }));
  let result;
  try {
    // The interface line of the dump holds the private key: it never leaves the machine.
    result = await runOnNode({ ssh: { ...access.ssh, ...(via ? { jump: jumps.get(via.name) } : {}) }, argv: peerDumpArgv(iface), timeoutMs: SSH_TIMEOUT_MS, signal: ctx.abortSignal });
  } catch (err) {
    if (err instanceof SshError) return row('degraded', sshFailure(err, access, stack.name, `read ${iface}`).message);
    throw err;
  }
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n').at(-1) ?? '';
    if (result.code === 127 || /not found/.test(why)) return row('degraded', `wg is not installed on ${machine}`);
    return row('degraded', `${iface} is not up (wg show: ${why || `exit ${result.code}`})`);
  }
  const expected = new Map(configPeers(config).map((key) => [key, names.get(key)] as const));
  const verdict = judgeHandshakes(parsePeerLines(result.stdout), expected, Math.floor(Date.now() / 1000), clients);
  return row(verdict.ok ? 'ok' : 'degraded', `${iface}: ${verdict.detail}`);
}

/** Checks the stack's cluster; throws only when the stack has no cluster to check. */
export async function health(ctx: OpsContext, input: HealthInput): Promise<HealthReport> {
  const started = Date.now();
  return withStack(ctx, input.stack, async ({ stack }) => {
    const { client, kubeconfig } = stackClient(ctx, stack, API_TIMEOUT_MS);
    const stored = storedConfig(stack);
    const [api, wireguard] = await Promise.all([apiHealth(client, kubeconfig, expectedCluster(stack, stored)), input.wireguard === false ? Promise.resolve([]) : wireguardRows(ctx, stack)]);
    const rows = [...api.rows, ...wireguard];
    const meta = stored.meta?.meta;
    return {
      stack: stack.name,
      ...(meta ? { deployment: { id: meta.deploymentId, deployedAt: meta.lastDeployedAt, nodeCount: meta.currentNodeCount } } : {}),
      status: api.unreachable ? 'unreachable' : rows.some((r) => r.status !== 'ok') ? 'degraded' : 'healthy',
      checkedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      rows,
    };
  });
}
