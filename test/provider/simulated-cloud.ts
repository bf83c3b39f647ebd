// A simulated cloud for the packages the cluster planner uses (`aws`, `digitalocean`,
// `linode`, `hcloud`) and for the `sloth` package's remote steps, which cannot run here (no
// cloud accounts, no machines). Like the test provider it keeps every object as a file in a
// FileCloud directory: any resource type of a package is accepted, stored with its inputs,
// and answers with a plausible id and addresses. Remote commands go through the real
// `commandRun` (placeholders filled, payload encoded — a bad input fails as it would against
// a machine) and then "succeed", recording what they would have run; the kubeconfig step
// answers with a kubeconfig naming the API host it was given. Faults (an error, or a slow
// answer with hangMs) are injected per resource name through the FileCloud's faults.json, as for the test provider.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallContext, ErrorClass, ProviderPackage, ResourceType } from '../../src/engine/index.ts';
import { registerProviderPackage } from '../../src/ops/index.ts';
import { API_READY_TYPE, COMMAND_TYPE, HOST_KEY_TYPE, apiReadyType as realApiReadyType, commandRun, commandType as realCommandType, recordType, CLUSTER_RECORD_TYPE, MACHINE_RECORD_TYPE } from '../../src/cluster/remote/package.ts';
import { hostKeyType } from '../../src/cluster/remote/host-key.ts';
import { Secret, type PropertyMap, type PropertyValue } from '../../src/state/types.ts';
import { FileCloud, type CloudObject } from './file-cloud.ts';
import { TestCloudError } from './test-provider.ts';

export const SIMULATED_PACKAGES = ['aws', 'digitalocean', 'linode', 'hcloud'] as const;

interface SimClient {
  cloud: FileCloud;
}
type Ctx = CallContext<SimClient>;

const reveal = (v: PropertyValue | undefined): PropertyValue | undefined => (v instanceof Secret ? reveal(v.value) : v);
const digest = (s: string) => createHash('sha256').update(s).digest();

function cloudOf(config: PropertyMap, env: Readonly<Record<string, string | undefined>>, dir?: string): SimClient {
  const where = (reveal(config.simDir) as string | undefined) ?? dir ?? env.SLOTH_SIM_CLOUD;
  if (!where) throw new Error('the simulated cloud needs a directory: SLOTH_SIM_CLOUD');
  return { cloud: new FileCloud(where) };
}

async function fault(ctx: Ctx, op: 'create' | 'update' | 'delete' | 'read'): Promise<void> {
  const f = ctx.client.cloud.faults()[ctx.name]?.[op];
  // A slow call (a runner killed mid-apply); honours the abort signal unless told not to.
  if (f?.hangMs) await sleep(f.hangMs, undefined, f.ignoreAbort ? { ref: false } : { signal: ctx.signal });
  if (f?.error) throw new TestCloudError(f.message ?? `simulated ${f.error} failure of ${op} ${ctx.name}`, f.error);
}

/** Addresses and names derived from the object id, so they are stable and look real. */
function computed(id: string, type: string, name: string, inputs: PropertyMap): PropertyMap {
  const h = digest(id);
  const pub = `198.18.${h[0]}.${(h[1]! % 253) + 1}`;
  const priv = `10.${h[2]! % 250}.${h[3]}.${(h[4]! % 253) + 1}`;
  return {
    ...inputs,
    id,
    arn: `arn:sim:${type.split(':')[0]}:${id}`,
    name: (reveal(inputs.name) as string | undefined) ?? name,
    keyName: (reveal(inputs.keyName) as string | undefined) ?? name,
    fingerprint: h.subarray(0, 16).toString('hex').replace(/(..)(?!$)/g, '$1:'),
    dnsName: `${name}-${h.subarray(5, 9).toString('hex')}.elb.sim.example`,
    imageId: `ami-${h.subarray(9, 17).toString('hex')}`,
    ip: pub,
    ipv4: pub,
    publicIp: pub,
    ipv4Address: pub,
    ipAddress: pub,
    privateIp: priv,
    ipv4AddressPrivate: priv,
    privateIpAddress: priv,
  };
}

function genericType(pkg: string): ResourceType<SimClient> {
  return {
    async create(inputs, ctx) {
      await fault(ctx, 'create');
      const id = `${pkg}-${randomBytes(6).toString('hex')}`;
      const outputs = computed(id, ctx.type, ctx.name, inputs);
      ctx.client.cloud.put({ id, type: ctx.type, name: ctx.name, tag: ctx.urnTag, props: outputs as Record<string, unknown>, revision: 1 });
      return { id, outputs };
    },
    async read(id, _state, ctx) {
      await fault(ctx, 'read');
      const obj = ctx.client.cloud.get(id);
      return obj ? { outputs: obj.props as PropertyMap } : undefined;
    },
    async update(id, _olds, news, ctx) {
      await fault(ctx, 'update');
      const obj = ctx.client.cloud.get(id);
      if (!obj) throw new TestCloudError(`${ctx.type} ${id} not found`, 'permanent');
      const outputs = computed(id, ctx.type, ctx.name, news);
      ctx.client.cloud.put({ ...obj, props: outputs as Record<string, unknown>, revision: obj.revision + 1 });
      return { outputs };
    },
    async delete(id, _state, ctx) {
      await fault(ctx, 'delete');
      ctx.client.cloud.remove(id);
    },
    async adopt(_inputs, ctx) {
      const obj = ctx.client.cloud.list().find((o: CloudObject) => o.tag === ctx.urnTag && !ctx.knownIds.includes(o.id));
      return obj ? { id: obj.id, outputs: obj.props as PropertyMap } : undefined;
    },
  };
}

/** A package that accepts every resource type named `<pkg>:…`. */
export function simulatedCloudPackage(pkg: string, dir?: string): ProviderPackage<SimClient> {
  const type = genericType(pkg);
  const resources = new Proxy({} as Record<string, ResourceType<SimClient>>, {
    get: (_t, key) => (typeof key === 'string' && key.startsWith(`${pkg}:`) ? type : undefined),
    has: (_t, key) => typeof key === 'string' && key.startsWith(`${pkg}:`),
  });
  return {
    name: pkg,
    configure: (config, ctx) => cloudOf(config, ctx.env, dir),
    resources,
    classifyError: (err): ErrorClass => (err instanceof TestCloudError ? err.kind : 'permanent'),
  };
}

/** A kubeconfig naming the API host, with a generated client key (a real secret to keep). */
function kubeconfigFor(server: string, cluster: string): string {
  const key = randomBytes(32).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: ${cluster}
  cluster:
    server: https://${server}:6443
    certificate-authority-data: ${Buffer.from(`sim-ca-${cluster}`).toString('base64')}
users:
- name: admin
  user:
    client-certificate-data: ${Buffer.from(`sim-cert-${cluster}`).toString('base64')}
    client-key-data: ${key}
contexts:
- name: ${cluster}
  context:
    cluster: ${cluster}
    user: admin
current-context: ${cluster}
`;
}

async function runCommand(inputs: PropertyMap, ctx: Ctx, op: 'create' | 'update'): Promise<PropertyMap> {
  await fault(ctx, op);
  // The real preparation: placeholders filled from vars, payload encoded, connection checked.
  const run = commandRun(inputs, { name: ctx.name, signal: ctx.signal, log: ctx.log });
  const id = `cmd-${ctx.name}`;
  const prev = ctx.client.cloud.get(id);
  const record = { machine: run.ssh.target.name, host: run.ssh.target.host, via: run.ssh.via?.host ?? null, scriptSha: digest(run.script).toString('hex'), stdinSha: run.stdin ? digest(run.stdin).toString('hex') : null, runs: ((prev?.props.runs as number | undefined) ?? 0) + 1 };
  ctx.client.cloud.put({ id, type: COMMAND_TYPE, name: ctx.name, tag: ctx.urnTag, props: record, revision: record.runs });
  // What the real step streams from the machine (its progress lines), in one line.
  ctx.log(`${record.machine}: ${ctx.name} done (simulated run ${record.runs})`);
  const kind = reveal(inputs.output);
  const outputs: PropertyMap = { machine: reveal(inputs.machine)!, ranAt: new Date().toISOString() };
  if (kind === 'secret') {
    const vars = reveal(inputs.vars) as Record<string, string> | undefined;
    outputs.stdout = ctx.name === 'kubeconfig' ? kubeconfigFor(vars?.['api-host'] ?? run.ssh.target.host, 'sim') : randomBytes(18).toString('base64url');
  } else if (kind === 'text') {
    outputs.stdout = ctx.name.startsWith('manifest-') ? `applied (simulated) on ${record.machine}\n` : `ok (simulated) on ${record.machine}\n`;
  }
  return outputs;
}

const commandType: ResourceType<SimClient> = {
  timeouts: { create: 60, update: 60, delete: 10, read: 10 },
  computedOnUpdate: ['stdout', 'ranAt'],
  create: async (inputs, ctx) => ({ id: ctx.name, outputs: await runCommand(inputs, ctx, 'create') }),
  read: async (_id, state) => ({ outputs: state.outputs }),
  update: async (_id, _olds, news, ctx) => ({ outputs: await runCommand(news, ctx, 'update') }),
  delete: async () => {},
  adopt: async () => undefined,
  // A rebuilt stack records a step on a found machine as the real type does.
  recover: (realCommandType as ResourceType<SimClient>).recover,
};

/** The real type (an update does nothing on the machine) with a create that records instead of connecting. */
const simulatedHostKeyType: ResourceType<SimClient> = {
  ...(hostKeyType as ResourceType<SimClient>),
  create: async (inputs, ctx) => {
    await runCommand(inputs, ctx, 'create');
    return { id: ctx.name, outputs: { machine: reveal(inputs.machine)!, hostKey: reveal((reveal(inputs.connection) as PropertyMap).hostKey)!, installedAt: new Date().toISOString() } };
  },
};

function apiCheck(inputs: PropertyMap): PropertyMap {
  const kubeconfig = reveal(inputs.kubeconfig);
  const server = typeof kubeconfig === 'string' ? /server:\s*(\S+)/.exec(kubeconfig)?.[1] : undefined;
  if (!server) throw new TestCloudError('api-ready: the kubeconfig names no server', 'permanent');
  return { server, checkedAt: new Date().toISOString() };
}

const apiReadyType: ResourceType<SimClient> = {
  computedOnUpdate: ['checkedAt', 'server'],
  create: async (inputs, ctx) => ({ id: ctx.name, outputs: apiCheck(inputs) }),
  read: async (_id, state) => ({ outputs: state.outputs }),
  update: async (_id, _olds, news) => ({ outputs: apiCheck(news) }),
  delete: async () => {},
  adopt: async () => undefined,
  recover: (realApiReadyType as ResourceType<SimClient>).recover,
};

export function simulatedSlothPackage(dir?: string): ProviderPackage<SimClient> {
  return {
    name: 'sloth',
    configure: (config, ctx) => cloudOf(config, ctx.env, dir),
    resources: { [COMMAND_TYPE]: commandType, [HOST_KEY_TYPE]: simulatedHostKeyType, [API_READY_TYPE]: apiReadyType, [CLUSTER_RECORD_TYPE]: recordType as ResourceType<SimClient>, [MACHINE_RECORD_TYPE]: recordType as ResourceType<SimClient> },
    classifyError: (err): ErrorClass => (err instanceof TestCloudError ? err.kind : 'permanent'),
  };
}

/** Registers the simulated packages with the CLI (in-process); returns the undo. */
export function registerSimulatedClouds(dir?: string): () => void {
  const undo = [...SIMULATED_PACKAGES.map((p) => registerProviderPackage(p, () => simulatedCloudPackage(p, dir))), registerProviderPackage('sloth', () => simulatedSlothPackage(dir))];
  return () => {
    for (const u of undo) u();
  };
}
