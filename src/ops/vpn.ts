// The operator's machine in the mesh: `vpn join` makes a key pair here, records the client in
// the stack (root output `vpnPeers`, keys secret), writes its wg-quick file (0600) and gives
// every mesh member its new peer list over SSH — the same files and script its mesh step
// delivers, through the connection that step recorded (pinned host key, bastion hop, deploy
// key), so the next deploy writes the very same thing. `vpn leave` retires a client (its
// address is never handed out again); `vpn status` reads each member's WireGuard state;
// `vpn client-config` writes a client's file again.
import { readFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ClusterModel } from '../cluster/model.ts';
import type { PreviousCluster } from '../cluster/plan.ts';
import type { MeshPlan } from '../cluster/wireguard/mesh.ts';
import type { VpnClient, VpnRecord } from '../cluster/wireguard/clients.ts';
import type { NodeAccess } from '../cluster/remote/access.ts';
import type { ClusterConfig } from '../config/index.ts';
import { storedConfig } from '../history/index.ts';
import { reveal, Secret, setStackOutputs, stackOutputs, type OpenedStack } from '../state/index.ts';
import type { AuditSession } from '../audit/index.ts';
import { OpsError } from './errors.ts';
import { writePrivate } from './files.ts';
import type { OpsContext } from './host.ts';
import { nodeRows } from './nodes.ts';
import { bounded } from './parallel.ts';
import { auditSession, withAuditedStack, withStack } from './stack.ts';

/** How many machines are updated at once. */
const PARALLEL = 8;
const NODE_TIMEOUT_MS = 120_000;

export interface VpnJoinInput {
  stack?: string;
  /** The client's name (also its interface name on this machine). */
  name: string;
  /** Route the pod and service networks through the gateway node. */
  routes?: boolean;
  /** Where the wg-quick file goes; default ~/.sloth-kubernetes/vpn/<stack>/<name>.conf. */
  output?: string;
}

export interface MachineOutcome {
  machine: string;
  ok: boolean;
  error?: string;
}

export interface VpnJoinResult {
  stack: string;
  name: string;
  address: string;
  routes: boolean;
  /** The gateway node carrying the pod and service networks, when routed. */
  gateway?: string;
  /** The wg-quick file written (0600). */
  path: string;
  /** Its text: holds the private key (for a QR code; never printed unless asked). */
  config: Secret;
  /** True when the name was already this machine's (same key): nothing new was generated. */
  rejoined: boolean;
  machines: MachineOutcome[];
}

/** The default place of a client's file. */
export function clientConfigPath(ctx: Pick<OpsContext, 'homedir' | 'env'>, stack: string, name: string): string {
  return resolve(ctx.env.HOME ?? ctx.homedir, '.sloth-kubernetes', 'vpn', stack, `${name}.conf`);
}

/** What a deployed stack says about its mesh: the model, what was generated, where machines are. */
interface MeshView {
  model: ClusterModel;
  previous: PreviousCluster;
  vpn: VpnRecord;
  /** Members deployed (recorded), in mesh order. */
  members: string[];
  addresses: Map<string, { public: string | null; private: string | null }>;
}

async function meshView(stack: OpenedStack): Promise<MeshView> {
  const [{ modelFromConfig, previousFromDeployment }, { meshMembersOf }] = await Promise.all([import('../cluster/index.ts'), import('../cluster/wireguard/members.ts')]);
  const stored = storedConfig(stack);
  if (!stored.ours || !stored.configJson) {
    throw new OpsError('invalid', `stack '${stack.name}' holds no cluster configuration of this version of sloth-kubernetes, so its mesh is not known`, `Deploy it first: sloth-kubernetes deploy ${stack.name} --config FILE`);
  }
  const config = JSON.parse(stored.configJson) as ClusterConfig;
  const model = modelFromConfig(config, { stack: stack.name });
  const previous = previousFromDeployment(stack.deployment, config.metadata.name);
  const members = meshMembersOf(model).map((m) => m.name).filter((n) => previous.mesh[n]);
  if (members.length === 0) throw new OpsError('invalid', `stack '${stack.name}' has no deployed mesh member`, `Deploy it first: sloth-kubernetes deploy ${stack.name} --config FILE`);
  const nodes = reveal(stackOutputs(stack.deployment, stack.name)['nodes'] ?? {});
  const addresses = new Map(nodeRows(nodes).map((r) => [r.name, { public: r.publicAddress, private: r.privateAddress }]));
  return { model, previous, vpn: previous.vpn!, members, addresses };
}

async function planFor(view: MeshView, record: VpnRecord): Promise<MeshPlan> {
  const [{ planMesh }, { meshMembersOf }, { reservedClientAddresses }] = await Promise.all([
    import('../cluster/wireguard/mesh.ts'),
    import('../cluster/wireguard/members.ts'),
    import('../cluster/wireguard/clients.ts'),
  ]);
  const members = meshMembersOf(view.model).filter((m) => view.members.includes(m.name));
  return planMesh({ settings: view.model.wireguard, members, previous: view.previous.mesh, clients: record.clients, reserved: reservedClientAddresses(record) });
}

const endpointOf = (view: MeshView) => (ref: { member: string; via: 'public' | 'private' }) => view.addresses.get(ref.member)?.[ref.via] ?? undefined;

const clusterCidrs = (model: ClusterModel): string[] => [model.network.podCidr, model.network.serviceCidr];

async function renderClient(view: MeshView, plan: MeshPlan, client: VpnClient): Promise<string> {
  const { renderClientConfig } = await import('../cluster/wireguard/render.ts');
  return renderClientConfig(plan, client.name, client.privateKey, endpointOf(view), clusterCidrs(view.model));
}

/** The PrivateKey of a wg-quick file, if the file exists and has one. */
async function localKey(path: string): Promise<string | undefined> {
  try {
    return /^PrivateKey\s*=\s*(\S+)\s*$/m.exec(await readFile(path, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** How to reach each of `machines` over SSH (ops/node-access.ts: the recorded connection or one clear error). */
async function accessAll(stack: OpenedStack, machines: readonly string[]): Promise<NodeAccess[]> {
  const { nodeAccess } = await import('./node-access.ts');
  return machines.map((m) => nodeAccess(stack, m));
}

/**
 * Gives every deployed member its mesh files for `plan` (the mesh step's script: the file is
 * replaced, `wg syncconf` adds and removes peers in place, routes follow, the nft file is loaded).
 */
async function pushToMembers(ctx: OpsContext, stack: OpenedStack, view: MeshView, plan: MeshPlan, secrets: string[]): Promise<MachineOutcome[]> {
  const [{ meshFiles }, { renderMeshScript }, { encodePayload }, { runScript }, { scrubText }] = await Promise.all([
    import('../cluster/plan.ts'),
    import('../cluster/bootstrap/machine-scripts.ts'),
    import('../cluster/bootstrap/shell.ts'),
    import('../cluster/remote/run-script.ts'),
    import('../redact/index.ts'),
  ]);
  const accesses = await accessAll(stack, view.members);
  return bounded(accesses, PARALLEL, async (a): Promise<MachineOutcome> => {
    const files = meshFiles(view.model, plan, a.machine, endpointOf(view));
    const all = [...secrets, a.ssh.privateKey, ...files.flatMap((f) => f.content.split('\n').filter((l) => l.length >= 16))];
    try {
      await runScript({
        step: `vpn-mesh-${a.machine}`,
        ssh: a.ssh,
        script: renderMeshScript(a.machine, view.model.wireguard.interfaceName),
        stdin: encodePayload(files),
        timeoutMs: NODE_TIMEOUT_MS,
        signal: ctx.abortSignal,
        secrets: all,
      });
      ctx.host.notify({ type: 'notice', message: `${a.machine}: peers updated` });
      return { machine: a.machine, ok: true };
    } catch (err) {
      const error = scrubText((err as Error).message, all);
      ctx.host.notify({ type: 'warning', message: `${a.machine}: ${error}` });
      return { machine: a.machine, ok: false, error };
    }
  });
}

async function recordClients(stack: OpenedStack, record: VpnRecord, message: string): Promise<void> {
  const { vpnRecordValue, VPN_OUTPUT } = await import('../cluster/wireguard/clients.ts');
  const update = await stack.beginUpdate('update', message);
  try {
    await update.record([setStackOutputs(update.deployment, stack.name, { [VPN_OUTPUT]: new Secret(vpnRecordValue(record) as never) })]);
    await update.finish({ result: 'succeeded', resourceChanges: {} });
  } catch (err) {
    await update.abandon();
    throw err;
  }
}

function unreached(stack: string, command: string, machines: MachineOutcome[]): OpsError | undefined {
  const failed = machines.filter((m) => !m.ok);
  if (failed.length === 0) return undefined;
  return new OpsError(
    'unavailable',
    `${failed.length} of ${machines.length} machines could not be updated: ${failed.map((m) => m.machine).join(', ')} (see the warnings above); the stack records the change`,
    `Run it again when they are reachable (it converges): sloth-kubernetes ${command.replace('<stack>', stack)}`,
  );
}

function audited(ctx: OpsContext, command: string, action: 'create' | 'delete' | 'read', name: string): AuditSession {
  return auditSession(ctx, command, { type: 'configuration', action, severity: 'info', resourceId: name, resourceType: 'vpn-client', description: `${command} ${name}` });
}

export async function vpnJoin(ctx: OpsContext, input: VpnJoinInput): Promise<VpnJoinResult> {
  const { CLIENT_NAME, allocateClientAddress } = await import('../cluster/wireguard/clients.ts');
  const { generateWireGuardKeyPair } = await import('../cluster/wireguard/keys.ts');
  const name = input.name;
  if (!CLIENT_NAME.test(name)) {
    throw new OpsError('invalid', `'${name}' cannot name a VPN client: use 1 to 15 lowercase letters, digits or '-' (it is also the WireGuard interface name on this machine)`, 'Choose another --name, e.g. --name alice-laptop.');
  }
  const audit = audited(ctx, 'vpn join', 'create', name);
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const view = await meshView(stack);
    const path = input.output ? resolve(ctx.cwd, input.output) : clientConfigPath(ctx, stack.name, name);
    const record: VpnRecord = structuredClone(view.vpn);
    const existing = record.clients.find((c) => c.name === name);
    let client: VpnClient;
    if (existing) {
      if ((await localKey(path)) !== existing.privateKey) {
        throw new OpsError(
          'refused',
          `the VPN client name '${name}' is already taken in stack '${stack.name}' (${existing.address}, joined ${existing.joinedAt} by ${existing.joinedBy}), and ${path} is not its configuration`,
          `Choose another --name; or, if it is yours, write its file first (sloth-kubernetes vpn client-config ${stack.name} ${name}) or remove it (sloth-kubernetes vpn leave ${stack.name} ${name}).`,
        );
      }
      client = { ...existing, routes: input.routes ?? existing.routes };
      record.clients = record.clients.map((c) => (c.name === name ? client : c));
    } else {
      const machineAddresses = Object.values(view.previous.mesh).map((m) => m.address);
      let address: string;
      try {
        address = allocateClientAddress(view.model.wireguard.subnetCidr, machineAddresses, record);
      } catch (err) {
        throw new OpsError('refused', (err as Error).message, (err as { hint?: string }).hint);
      }
      const keys = generateWireGuardKeyPair();
      client = { name, address, ...keys, routes: input.routes ?? false, joinedAt: new Date().toISOString(), joinedBy: ctx.actor };
      record.clients.push(client);
    }
    audit.secret(client.privateKey);
    const plan = await planFor(view, record);
    const { vpnGateway } = await import('../cluster/wireguard/render.ts');
    const gateway = client.routes ? vpnGateway(plan) : undefined;
    if (client.routes && !gateway) throw new OpsError('refused', `stack '${stack.name}' has no node with a public address to carry the pod and service networks`, 'Join without --routes: the mesh addresses are reachable.');
    const config = await renderClient(view, plan, client);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writePrivate(path, config);
    if (!existing || existing.routes !== client.routes) await recordClients(stack, record, `vpn join ${name}`);
    const machines = await pushToMembers(ctx, stack, view, plan, [client.privateKey]);
    const summary = { name, address: client.address, publicKey: client.publicKey, routes: client.routes };
    audit.event({
      type: 'configuration',
      action: existing ? 'update' : 'create',
      severity: 'info',
      resourceId: name,
      resourceType: 'vpn-client',
      description: `VPN client ${name} (${client.address}) ${existing ? 'joined again' : 'joined'} the mesh of stack '${stack.name}'; ${machines.filter((m) => m.ok).length} of ${machines.length} machines updated`,
      ...(existing ? { oldValue: { name, address: existing.address, publicKey: existing.publicKey, routes: existing.routes } } : {}),
      newValue: summary,
    });
    audit.summary.description = `vpn join ${name}: ${client.address}`;
    const failure = unreached(stack.name, `vpn join <stack> --name ${name}${client.routes ? ' --routes' : ''}`, machines);
    if (failure) throw failure;
    return { stack: stack.name, name, address: client.address, routes: client.routes, gateway, path, config: new Secret(config), rejoined: Boolean(existing), machines };
  });
}

export interface VpnLeaveResult {
  stack: string;
  name: string;
  address: string;
  machines: MachineOutcome[];
}

export async function vpnLeave(ctx: OpsContext, input: { stack?: string; name: string }): Promise<VpnLeaveResult> {
  const audit = audited(ctx, 'vpn leave', 'delete', input.name);
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const view = await meshView(stack);
    const record: VpnRecord = structuredClone(view.vpn);
    const client = record.clients.find((c) => c.name === input.name);
    const retired = record.retired.find((r) => r.name === input.name);
    if (!client && !retired) {
      const names = record.clients.map((c) => c.name);
      throw new OpsError('invalid', `stack '${stack.name}' has no VPN client '${input.name}'`, names.length > 0 ? `Its clients: ${names.join(', ')}.` : 'It has no VPN clients.');
    }
    if (client) {
      record.clients = record.clients.filter((c) => c !== client);
      record.retired.push({ name: client.name, address: client.address, leftAt: new Date().toISOString(), leftBy: ctx.actor });
      await recordClients(stack, record, `vpn leave ${input.name}`);
    }
    // Pushed again even when the client had already left: a run that could not reach every machine converges.
    const machines = await pushToMembers(ctx, stack, view, await planFor(view, record), []);
    const address = client?.address ?? retired!.address;
    audit.event({
      type: 'configuration',
      action: 'delete',
      severity: 'info',
      resourceId: input.name,
      resourceType: 'vpn-client',
      description: `VPN client ${input.name} (${address}) left the mesh of stack '${stack.name}'; ${machines.filter((m) => m.ok).length} of ${machines.length} machines updated`,
      oldValue: { name: input.name, address },
    });
    audit.summary.description = `vpn leave ${input.name}`;
    const failure = unreached(stack.name, `vpn leave <stack> ${input.name}`, machines);
    if (failure) throw failure;
    return { stack: stack.name, name: input.name, address, machines };
  });
}

export interface PeerState {
  client: string;
  address: string;
  routes: boolean;
  machine: string;
  /** Seconds since the last handshake; null: never. */
  handshakeAgeSeconds: number | null;
  endpoint: string | null;
  receivedBytes: number;
  sentBytes: number;
}

export interface VpnStatus {
  stack: string;
  clients: { name: string; address: string; routes: boolean; joinedAt: string; joinedBy: string }[];
  peers: PeerState[];
  /** Machines whose state could not be read, with why. */
  unreachable: MachineOutcome[];
}

/** Every client, and for each its handshake and transfer as each member sees it. */
export async function vpnStatus(ctx: OpsContext, input: { stack?: string; now?: Date }): Promise<VpnStatus> {
  const [{ runOnNode }, { parsePeerLines, peerDumpArgv }] = await Promise.all([import('../cluster/remote/node-command.ts'), import('../cluster/wireguard/handshakes.ts')]);
  const { scrubText } = await import('../redact/index.ts');
  return withStack(ctx, input.stack, async ({ stack }) => {
    const view = await meshView(stack);
    const clients = view.vpn.clients;
    const byKey = new Map(clients.map((c) => [c.publicKey, c]));
    const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
    const peers: PeerState[] = [];
    const unreachable: MachineOutcome[] = [];
    if (clients.length > 0) {
      const accesses = await accessAll(stack, view.members);
      const dumps = await bounded(accesses, PARALLEL, async (a) => {
        try {
          // The interface line holds the member's private key: it never leaves the machine.
          const r = await runOnNode({ ssh: a.ssh, argv: peerDumpArgv(view.model.wireguard.interfaceName), timeoutMs: 30_000, signal: ctx.abortSignal });
          if (r.code !== 0) return { a, error: `wg show failed (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-2).join(' ')}` };
          return { a, peers: parsePeerLines(r.stdout) };
        } catch (err) {
          return { a, error: scrubText((err as Error).message, [a.ssh.privateKey]) };
        }
      });
      for (const d of dumps) {
        if ('error' in d) {
          unreachable.push({ machine: d.a.machine, ok: false, error: d.error });
          continue;
        }
        for (const p of d.peers!) {
          const c = byKey.get(p.publicKey);
          if (!c) continue;
          peers.push({ client: c.name, address: c.address, routes: c.routes, machine: d.a.machine, handshakeAgeSeconds: p.latestHandshake > 0 ? Math.max(0, now - p.latestHandshake) : null, endpoint: p.endpoint ?? null, receivedBytes: p.rx, sentBytes: p.tx });
        }
      }
    }
    return { stack: stack.name, clients: clients.map((c) => ({ name: c.name, address: c.address, routes: c.routes, joinedAt: c.joinedAt, joinedBy: c.joinedBy })), peers, unreachable };
  });
}

export interface ClientConfigResult {
  stack: string;
  name: string;
  path: string;
  config: Secret;
}

/** Writes a recorded client's wg-quick file again (0600): for another machine, or a lost file. Audited: it lets a key out of the stack. */
export async function vpnClientConfig(ctx: OpsContext, input: { stack?: string; name: string; output?: string }): Promise<ClientConfigResult> {
  const audit = audited(ctx, 'vpn client-config', 'read', input.name);
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const view = await meshView(stack);
    const client = view.vpn.clients.find((c) => c.name === input.name);
    if (!client) {
      const names = view.vpn.clients.map((c) => c.name);
      throw new OpsError('invalid', `stack '${stack.name}' has no VPN client '${input.name}'`, names.length > 0 ? `Its clients: ${names.join(', ')}.` : `Join first: sloth-kubernetes vpn join ${stack.name} --name ${input.name}`);
    }
    audit.secret(client.privateKey);
    const config = await renderClient(view, await planFor(view, view.vpn), client);
    const path = input.output ? resolve(ctx.cwd, input.output) : clientConfigPath(ctx, stack.name, client.name);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writePrivate(path, config);
    audit.summary.description = `vpn client-config ${client.name}: written to ${path}`;
    return { stack: stack.name, name: client.name, path, config: new Secret(config) };
  });
}
