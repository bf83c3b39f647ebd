// nodes add|remove: a pool's size changed through the normal deploy path — the configuration
// the stack holds (its normalized config; the Lisp text is printed from it, the file it came
// from no longer matches), the last deployment's options (--no-bootstrap, the manifests) and
// today's operator address — previewed, confirmed, applied and recorded like a deploy (history,
// snapshot, audit). Names are stable, so a pool grows at its end and shrinks from its end.
// Before the machines go, each one leaving is drained and its Node object deleted (the
// confirmation comes first); the apply then deletes the machine and its steps, and every other
// member's mesh step runs again with the peer gone from its WireGuard config.
import type { ClusterConfig, LoadedConfig } from '../config/index.ts';
import type { Plan } from '../engine/index.ts';
import { KubeApiError } from '../kube/client.ts';
import { drainNode, DrainError, type DrainOptions } from '../kube/drain.ts';
import { SnapshotStore } from '../history/index.ts';
import type { Snapshot } from '../history/index.ts';
import { storedConfig } from '../history/stored.ts';
import type { AuditSession } from '../audit/index.ts';
import { stackOutputs, type OpenedStack } from '../state/index.ts';
import { desiredFromConfig } from './cluster-desired.ts';
import { deployGraph, previewGraph } from './engine-run.ts';
import type { ApplyOutcome, RunOptions } from './engine-run.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { kubeFailure, stackClient } from './kube-access.ts';
import { operatorCidrs } from './operator-address.ts';
import { auditSession } from './stack.ts';

export interface PoolChangeInput extends RunOptions {
  stack: string;
  /** The pool's name (or its key in node-pools). */
  pool: string;
  /** Nodes to add (> 0) or to remove (< 0). */
  delta: number;
  /** nodes remove: the node the caller means to remove; it must be among the pool's last. */
  node?: string;
  /** Only the preview (no lock, nothing written, nothing drained). */
  dryRun?: boolean;
  /** nodes remove: how each leaving node is drained; `false`: not drained (its Node object is still deleted). */
  drain?: false | Pick<DrainOptions, 'force' | 'deleteEmptyDirData' | 'gracePeriodSeconds' | 'timeoutMs'>;
  operatorCidrs?: readonly string[];
  message?: string;
}

export interface PoolChange {
  pool: string;
  from: number;
  to: number;
  /** Machines the change adds or removes, in order. */
  nodes: string[];
}

interface Prepared {
  loaded: LoadedConfig;
  snapshot: Snapshot;
  change: PoolChange;
}

/** The stack's configuration with the pool resized, and what that adds or removes. */
async function prepare(stack: OpenedStack, input: PoolChangeInput): Promise<Prepared> {
  const stored = storedConfig(stack);
  const redeploy = `Deploy it once with its configuration file: sloth-kubernetes deploy ${stack.name} --config FILE`;
  if (!stored.ours || !stored.configJson) throw new OpsError('invalid', `stack '${stack.name}' holds no configuration of this version of sloth-kubernetes to change`, redeploy);
  const current = stored.meta?.meta.stateSnapshotId;
  const snapshot = (await new SnapshotStore(stack.attachments).all()).find((s) => s.id === current);
  if (!snapshot) throw new OpsError('invalid', `stack '${stack.name}' records no complete deployment to start from (the last one failed, was targeted, or predates snapshots)`, redeploy);
  const config = JSON.parse(snapshot.inputs.configJson) as ClusterConfig;
  const entry = Object.entries(config.nodePools).find(([key, p]) => (p.name ?? key) === input.pool) ?? Object.entries(config.nodePools).find(([key]) => key === input.pool);
  if (!entry) {
    const names = Object.entries(config.nodePools).map(([key, p]) => p.name ?? key);
    throw new OpsError('invalid', `stack '${stack.name}' has no node pool '${input.pool}'`, names.length > 0 ? `Its pools: ${names.join(', ')}` : 'Its configuration declares no node pool (nodes declared one by one are changed in the configuration file).');
  }
  const [key, pool] = entry;
  const name = pool.name ?? key;
  const from = pool.count;
  const to = from + input.delta;
  if (!Number.isInteger(input.delta) || input.delta === 0) throw new OpsError('invalid', 'the number of nodes to add or remove must be a whole number of at least 1');
  if (to < 0) throw new OpsError('invalid', `pool '${name}' has ${from} node${from === 1 ? '' : 's'}: ${-input.delta} cannot be removed`);
  const nodes = input.delta > 0 ? Array.from({ length: input.delta }, (_, i) => `${name}-${from + i + 1}`) : Array.from({ length: -input.delta }, (_, i) => `${name}-${from - i}`);
  if (input.node !== undefined && !nodes.includes(input.node)) {
    throw new OpsError(
      'invalid',
      input.node.startsWith(`${name}-`) && Number(input.node.slice(name.length + 1)) <= from
        ? `${input.node} cannot be removed on its own: node names are stable, so pool '${name}' shrinks from its end (${name}-${from} first)`
        : `pool '${name}' has no node '${input.node}' (it has ${name}-1 … ${name}-${from})`,
      `To replace a broken ${input.node}, remove the pool's last node and add one, or destroy it with: sloth-kubernetes destroy ${stack.name} --target <urn>`,
    );
  }
  const changed = structuredClone(config);
  changed.nodePools[key]!.count = to;
  const { printConfig, SourceMap } = await import('../config/index.ts');
  return { loaded: { config: changed, text: printConfig(changed), file: `stack ${stack.name}`, positions: new SourceMap(), warnings: [] }, snapshot, change: { pool: name, from, to, nodes } };
}

/** Drains each leaving node and deletes its Node object; a node the API does not know is skipped. */
async function retire(ctx: OpsContext, stack: OpenedStack, nodes: readonly string[], drain: PoolChangeInput['drain'], audit: AuditSession): Promise<void> {
  if (stackOutputs(stack.deployment, stack.name)['kubeConfig'] === undefined) return; // no Kubernetes installed (--no-bootstrap)
  const { client } = stackClient(ctx, stack);
  for (const node of nodes) {
    try {
      await client.call(`read node ${node}`, () => client.core.readNode({ name: node }));
    } catch (err) {
      if (err instanceof KubeApiError && err.kind === 'not-found') {
        ctx.host.notify({ type: 'notice', message: `${node} is not registered with the cluster's API: nothing to drain` });
        continue;
      }
      throw kubeFailure(err, stack.name);
    }
    try {
      if (drain !== false) await drainNode(client, node, { timeoutMs: 300_000, ...drain, signal: ctx.abortSignal, onEvent: (event) => ctx.host.notify({ type: 'node', event }) });
      await client.call(`delete node ${node}`, () => client.core.deleteNode({ name: node }));
    } catch (err) {
      if (err instanceof DrainError) {
        throw new OpsError(err.kind === 'refused' ? 'refused' : 'timed-out', `${err.message}\nNothing was removed; ${node} ${err.cordoned ? 'stays cordoned' : 'was not changed'}.`, err.kind === 'refused' ? 'Pass --force and/or --delete-emptydir-data, or --no-drain for a node that is gone.' : 'Give the drain more time with --timeout, or --no-drain for a node that is gone.');
      }
      throw kubeFailure(err, stack.name);
    }
    ctx.host.notify({ type: 'notice', message: `${node} ${drain === false ? '' : 'drained and '}deleted from the cluster's API` });
    audit.event({ type: 'deployment', action: 'delete', resourceId: node, resourceType: 'node', description: `node ${node} ${drain === false ? '' : 'drained and '}deleted from the cluster before its machine is removed` });
  }
}

/** Adds nodes to a pool, or removes its last ones; with dryRun, the plan only. */
export async function changePool(ctx: OpsContext, input: PoolChangeInput): Promise<(ApplyOutcome & { change: PoolChange }) | (Plan & { change: PoolChange })> {
  const command = input.delta > 0 ? 'nodes add' : 'nodes remove';
  const audit = auditSession(ctx, command, { type: 'deployment', action: 'apply', resourceId: input.stack, resourceType: 'stack', description: `${command} of stack '${input.stack}'` });
  let prepared: Prepared | undefined;
  let recorder: import('../history/recorders.ts').ClusterRecorder | undefined;
  const build = async (stack: OpenedStack) => {
    prepared = await prepare(stack, input);
    const { loaded, snapshot, change } = prepared;
    const options = snapshot.inputs.options;
    const cidrs = await operatorCidrs(input.operatorCidrs ?? [], ctx.env);
    const verb = input.delta > 0 ? `adds ${change.nodes.join(', ')} to` : `removes ${change.nodes.join(', ')} from`;
    ctx.host.notify({ type: 'notice', message: `Pool '${change.pool}' of stack '${stack.name}': ${change.from} → ${change.to} node${change.to === 1 ? '' : 's'} (${verb} it)${input.delta < 0 && !input.dryRun ? '; each node leaving is drained and deleted from the cluster first' : ''}.` });
    audit.summary.description = `${command} ${change.nodes.join(', ')} (pool ${change.pool}: ${change.from} → ${change.to}) of stack '${stack.name}'`;
    const desired = await desiredFromConfig(ctx, loaded, stack, { operatorCidrs: cidrs, bootstrap: options.bootstrap, manifests: options.manifests });
    if (!input.dryRun) {
      const { ClusterRecorder } = await import('../history/recorders.ts');
      recorder = new ClusterRecorder(audit, { config: loaded.config, text: loaded.text, options: { ...options, ...(cidrs ? { operatorCidrs: [...cidrs] } : {}) }, command, message: input.message });
      recorder.desired = desired;
    }
    return desired;
  };
  if (input.dryRun) {
    const plan = await previewGraph(ctx, { ...input, build });
    return Object.assign(plan, { change: prepared!.change });
  }
  const outcome = await deployGraph(ctx, {
    ...input,
    build,
    message: input.message ?? `${command} ${input.pool}`,
    audit,
    recorder: { beforeFinish: async (c) => recorder?.beforeFinish(c) },
    check: async (_plan, stack) => recorder?.checkRecords(stack),
    beforeApply: async (_plan, stack) => {
      if (input.delta < 0) await retire(ctx, stack, prepared!.change.nodes, input.drain, audit);
    },
  });
  ctx.host.notify({ type: 'warning', message: `stack '${outcome.stack}' now holds pool '${prepared!.change.pool}' with ${prepared!.change.to} node${prepared!.change.to === 1 ? '' : 's'}; your configuration file still says ${prepared!.change.from}: change it before the next deploy --config, or take the stack's: sloth-kubernetes export-config ${outcome.stack} --output FILE` });
  return { ...outcome, change: prepared!.change };
}
