// Rollback: preview, then deploy the configuration a snapshot recorded — its stored normalized
// config, Lisp text, bootstrap choice and manifests, so the result does not depend on today's
// environment — as a new deployment whose change log says it is a rollback. The operator's
// address is today's (given, else looked up as deploy does): the snapshot's would shut out
// whoever rolls back from elsewhere. Machines and other data-bearing resources it would
// destroy or replace are listed and need a yes of their own (`data-loss`).
import { configHash, SourceMap } from '../config/index.ts';
import type { ClusterConfig, LoadedConfig } from '../config/index.ts';
import type { Plan } from '../engine/index.ts';
import { SnapshotStore } from '../history/index.ts';
import type { DeployOptionsRecord, Snapshot } from '../history/index.ts';
import { ClusterRecorder, dangerousSteps } from '../history/recorders.ts';
import type { UpdateRecorder } from '../history/recorders.ts';
import type { OpenedStack } from '../state/index.ts';
import { desiredFromConfig } from './cluster-desired.ts';
import { confirmOrDecline, deployGraph, previewGraph } from './engine-run.ts';
import type { ApplyOutcome, RunOptions } from './engine-run.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { pickSnapshot } from './history.ts';
import { operatorCidrs } from './operator-address.ts';
import { auditSession } from './stack.ts';

export interface RollbackInput extends RunOptions {
  stack: string;
  /** The deployment id (deploy-3-2026-01-05) or snapshot id to go back to; a unique prefix will do. */
  to: string;
  /** Why, for the change log and the audit log (default: "requested by <actor>"). */
  reason?: string;
  /** Addresses allowed to reach SSH and the API (default as deploy: SLOTH_OPERATOR_CIDRS, else this machine's public address). */
  operatorCidrs?: readonly string[];
  /** Recorded with the update (default "rollback to <to>"). */
  message?: string;
  /** Only the preview (no lock, nothing written). */
  dryRun?: boolean;
}

/** Rolls back; with `dryRun` returns the plan only. */
export async function rollback(ctx: OpsContext, input: RollbackInput): Promise<ApplyOutcome | Plan> {
  const { stack: name, to } = input;
  if (!to) throw new OpsError('invalid', 'name the deployment or snapshot to roll back to with --to', `List them with: sloth-kubernetes history ${name}`);
  const audit = auditSession(ctx, 'rollback', { type: 'rollback', action: 'rollback', resourceId: name, resourceType: 'stack', description: `rollback of stack '${name}'` });
  let inner: ClusterRecorder | undefined;
  let target: Snapshot | undefined;
  let clusterName = '';
  const build = async (stack: OpenedStack) => {
    const snapshot = (target = pickSnapshot(await new SnapshotStore(stack.attachments).all(), to, stack.name));
    const config = JSON.parse(snapshot.inputs.configJson) as ClusterConfig;
    clusterName = config.metadata.name;
    if (configHash(config) !== snapshot.configHash) {
      throw new OpsError('refused', `snapshot ${snapshot.id} does not match its own config hash; it cannot be trusted for a rollback`, `Check the stack's records: sloth-kubernetes audit verify ${stack.name}`);
    }
    const reason = input.reason ?? `requested by ${audit.actor}`;
    audit.summary.description = `rollback of stack '${stack.name}' to ${snapshot.deploymentId}`;
    audit.summary.metadata = { target: snapshot.deploymentId, snapshot: snapshot.id, reason };
    const loaded: LoadedConfig = { config, text: snapshot.inputs.lispManifest, file: `snapshot ${snapshot.id}`, positions: new SourceMap(), warnings: [] };
    // Looked up once the stack is open, as deploy does; a dry run plans from the same address.
    const cidrs = await operatorCidrs(input.operatorCidrs ?? [], ctx.env);
    const options: DeployOptionsRecord = { bootstrap: snapshot.inputs.options.bootstrap, manifests: snapshot.inputs.options.manifests, operatorCidrs: cidrs };
    inner = new ClusterRecorder(audit, {
      config,
      text: snapshot.inputs.lispManifest,
      options,
      command: 'rollback',
      message: input.message,
      rollback: { deploymentId: snapshot.deploymentId, snapshotId: snapshot.id, reason },
    });
    ctx.host.notify({ type: 'notice', message: `Rolling back stack '${stack.name}' to ${snapshot.deploymentId} (snapshot ${snapshot.id}, ${snapshot.timestamp}).` });
    const desired = await desiredFromConfig(ctx, loaded, stack, { operatorCidrs: cidrs, bootstrap: options.bootstrap, manifests: options.manifests });
    inner.desired = desired;
    return desired;
  };
  if (input.dryRun) return previewGraph(ctx, { ...input, stack: name, build });
  // Made in `build`, once the snapshot is read.
  const recorder: UpdateRecorder = { beforeFinish: async (c) => inner?.beforeFinish(c) };
  return deployGraph(ctx, {
    ...input,
    stack: name,
    build,
    message: input.message ?? `rollback to ${to}`,
    audit,
    recorder,
    check: async (plan, stack) => {
      const { refuseLostAccess } = await import('../cluster/index.ts');
      refuseLostAccess(plan, stack.deployment, clusterName, stack.name);
      await inner?.checkRecords(stack);
      await confirmDataLoss(ctx, plan, stack, target!.deploymentId);
    },
  });
}

/** Machines and other data-bearing resources the rollback would destroy or replace need their own yes. */
async function confirmDataLoss(ctx: OpsContext, plan: Plan, stack: OpenedStack, target: string): Promise<void> {
  const resources = dangerousSteps(plan, stack);
  if (resources.length === 0) return;
  const question = `Destroy ${resources.length === 1 ? 'it' : 'them'} as part of the rollback?`;
  await confirmOrDecline(ctx, { kind: 'data-loss', stack: stack.name, target, resources, question }, 'rollback');
}
