// The `sloth` provider package: the resource types the planner uses that are not a cloud's.
//
//  - sloth:remote:Command — runs one generated script on a machine over SSH (pinned host
//    key, through the bastion when there is one). Created = ran once; changed inputs run it
//    again (update); deleting it leaves the machine as it is. Placeholders in the script and
//    in the payload files are filled from `vars` (resolved output references) just before
//    running, so the same step re-runs exactly when an address it depends on changes.
//  - sloth:remote:HostKey — installs the machine's own SSH host key over the connection
//    pinned to its user-data key, once per machine (host-key.ts).
//  - sloth:cluster:ApiReady — waits, from the machine running sloth, until the API answers
//    /readyz at the address the kubeconfig names (the load balancer, when there is one).
//  - sloth:cluster:Cluster, sloth:cluster:Machine — records of what the planner generated
//    (keys, tokens, mesh addresses). They create nothing anywhere; keeping them in the stack
//    is what makes the next plan keep every address and key.
//
// A stack rebuilt by `refresh --config` records the records as planned and, on machines it
// found, the steps as run (`recover`, marked `recovered`): nothing is run. The planner's
// recovery rules (recovery.ts) keep such a cluster from being connected to.
import type { ProviderPackage, ResourceType, CallContext } from '../../engine/index.ts';
import { reveal as revealValue, type PropertyMap, type PropertyValue } from '../../state/types.ts';
import { TemplateError } from '../bootstrap/template.ts';
import { runScript, RemoteStepError, EXIT_RETRYABLE } from './run-script.ts';
import { SshError } from './ssh.ts';
import { commandRun } from './step-access.ts';
import { waitForApi } from './api-ready.ts';
import { HOST_KEY_TYPE, hostKeyType } from './host-key.ts';

export { commandRun } from './step-access.ts';
export { HOST_KEY_TYPE } from './host-key.ts';

export const COMMAND_TYPE = 'sloth:remote:Command';
export const API_READY_TYPE = 'sloth:cluster:ApiReady';
export const CLUSTER_RECORD_TYPE = 'sloth:cluster:Cluster';
export const MACHINE_RECORD_TYPE = 'sloth:cluster:Machine';

const reveal = (v: PropertyValue | undefined): PropertyValue | undefined => (v === undefined ? undefined : revealValue(v));


async function run(inputs: PropertyMap, ctx: CallContext): Promise<PropertyMap> {
  const stdout = await runScript(commandRun(inputs, ctx));
  const kind = reveal(inputs['output']);
  const outputs: PropertyMap = { machine: reveal(inputs['machine'])!, ranAt: new Date().toISOString() };
  // A secret step's stdout is declared in additionalSecretOutputs by the graph.
  if (kind === 'secret' || kind === 'text') outputs['stdout'] = stdout;
  return outputs;
}

/** A step on a machine found by `refresh --config`: it ran when the machine was made; what it printed is not known. */
function recoveredStep(inputs: PropertyMap): PropertyMap {
  const kind = reveal(inputs['output']);
  return { machine: reveal(inputs['machine']) ?? null, recovered: true, ...(kind === 'secret' || kind === 'text' ? { stdout: '' } : {}) };
}

export const commandType: ResourceType = {
  timeouts: { create: 3600, update: 3600, delete: 60, read: 60 },
  computedOnUpdate: ['stdout', 'ranAt'],
  async create(inputs, ctx) {
    const outputs = await run(inputs, ctx);
    return { id: `${ctx.name}`, outputs };
  },
  async read(_id, state) {
    // A script's effect cannot be read back; the record of its last run stands.
    return { outputs: state.outputs };
  },
  async update(_id, _olds, news, ctx) {
    return { outputs: await run(news, ctx) };
  },
  async delete() {
    // Steps configure machines; deleting the machine (or leaving it) is what undoes them.
  },
  async adopt() {
    // Nothing in a cloud to find: an interrupted run is simply run again.
    return undefined;
  },
  async recover(inputs, ctx) {
    return { id: ctx.name, outputs: recoveredStep(inputs) };
  },
};

async function checkApi(inputs: PropertyMap, ctx: CallContext): Promise<PropertyMap> {
  const kubeconfig = reveal(inputs['kubeconfig']);
  if (typeof kubeconfig !== 'string' || kubeconfig === '') throw new TemplateError(`${ctx.name}: no kubeconfig to check the API with`);
  const { server } = await waitForApi(kubeconfig, { timeoutMs: Number(reveal(inputs['timeoutSeconds']) ?? 600) * 1000, signal: ctx.signal, onProgress: (l) => ctx.log(l) });
  return { server, checkedAt: new Date().toISOString() };
}

/** Known readiness: the API answers /readyz through the address users reach it on. */
export const apiReadyType: ResourceType = {
  timeouts: { create: 1800, update: 1800, delete: 60, read: 60 },
  computedOnUpdate: ['checkedAt', 'server'],
  async create(inputs, ctx) {
    return { id: ctx.name, outputs: await checkApi(inputs, ctx) };
  },
  async read(_id, state) {
    return { outputs: state.outputs };
  },
  async update(_id, _olds, news, ctx) {
    return { outputs: await checkApi(news, ctx) };
  },
  async delete() {},
  async adopt() {
    return undefined;
  },
  async recover(_inputs, ctx) {
    return { id: ctx.name, outputs: { recovered: true } };
  },
};

/** A record: outputs are its inputs; nothing exists outside the stack. */
export const recordType: ResourceType = {
  async create(inputs, ctx) {
    return { id: ctx.name, outputs: inputs };
  },
  async read(_id, state) {
    return { outputs: state.outputs };
  },
  async update(_id, _olds, news) {
    return { outputs: news };
  },
  async delete() {},
  async adopt() {
    return undefined;
  },
  async recover(inputs, ctx) {
    return { id: ctx.name, outputs: inputs };
  },
};

export function classifySlothError(err: unknown): 'throttled' | 'transient' | 'permanent' {
  if (err instanceof SshError) {
    // A machine still booting refuses or drops connections: worth waiting for.
    if (err.kind === 'unreachable') return 'transient';
    if (err.kind === 'timeout' && err.message.startsWith('no SSH handshake')) return 'transient';
    return 'permanent';
  }
  if (err instanceof RemoteStepError) return err.exitCode === EXIT_RETRYABLE ? 'transient' : 'permanent';
  return 'permanent';
}

export const slothPackage: ProviderPackage<Record<string, never>> = {
  name: 'sloth',
  configure: () => ({}),
  resources: { [COMMAND_TYPE]: commandType, [HOST_KEY_TYPE]: hostKeyType, [API_READY_TYPE]: apiReadyType, [CLUSTER_RECORD_TYPE]: recordType, [MACHINE_RECORD_TYPE]: recordType },
  classifyError: classifySlothError,
};
