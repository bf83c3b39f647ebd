// rollback <stack> --to <deployment-id|snapshot-id>: previews, then deploys the configuration
// a snapshot recorded — its stored normalized config, Lisp text, --no-bootstrap and manifests,
// so the result does not depend on today's environment — as a new deployment whose change log
// says it is a rollback. The operator's address is today's (--operator-cidr, else looked up as
// deploy does): the snapshot's would shut out whoever rolls back from elsewhere. Machines and
// other data-bearing resources it would destroy or replace are listed and need
// --allow-destroy (or a yes on a terminal).
import { SourceMap } from '../../config/index.ts';
import type { ClusterConfig, LoadedConfig } from '../../config/index.ts';
import { configHash } from '../../config/index.ts';
import type { Plan } from '../../engine/index.ts';
import { SnapshotStore } from '../../history/index.ts';
import type { DeployOptionsRecord } from '../../history/index.ts';
import type { OpenedStack } from '../../state/index.ts';
import type { EngineRecorder } from '../audit/engine.ts';
import { desiredFromConfig } from '../cluster-desired.ts';
import { runDeploy, runPreview, type DeployFlags } from '../engine-run.ts';
import { CliError } from '../errors.ts';
import { interactive } from '../io.ts';
import type { CliIO } from '../io.ts';
import { operatorCidrs } from '../operator-address.ts';
import { confirm } from '../prompt.ts';
import { ClusterRecorder, dangerousSteps, deploySession } from './deploy-record.ts';
import { pick } from './snapshots.ts';

export interface RollbackFlags extends DeployFlags {
  to?: string;
  allowDestroy?: boolean;
  reason?: string;
  operatorCidr?: string[];
}

export async function runRollback(io: CliIO, name: string, flags: RollbackFlags): Promise<void> {
  const to = flags.to;
  if (!to) throw new CliError('name the deployment or snapshot to roll back to with --to', { hint: `List them with: ${io.programName} history ${name}` });
  const audit = deploySession(io, 'rollback', name);
  let inner: ClusterRecorder | undefined;
  const recorder: EngineRecorder = {
    checkPlan: (plan, stack) => inner?.checkPlan(plan, stack),
    beforeFinish: async (ctx) => inner?.beforeFinish(ctx),
  };
  const build = async (stack: OpenedStack) => {
    const snapshots = await new SnapshotStore(stack.attachments).all();
    const target = pick(snapshots, to, stack.name);
    const config = JSON.parse(target.inputs.configJson) as ClusterConfig;
    if (configHash(config) !== target.configHash) {
      throw new CliError(`snapshot ${target.id} does not match its own config hash; it cannot be trusted for a rollback`, { hint: `Check the stack's records: ${io.programName} audit verify ${stack.name}` });
    }
    const reason = flags.reason ?? `requested by ${audit.actor}`;
    audit.summary.description = `rollback of stack '${stack.name}' to ${target.deploymentId}`;
    audit.summary.metadata = { target: target.deploymentId, snapshot: target.id, reason };
    const loaded: LoadedConfig = { config, text: target.inputs.lispManifest, file: `snapshot ${target.id}`, positions: new SourceMap(), warnings: [] };
    // Looked up once the stack is open, as deploy does; a dry run does without (SSH shown closed).
    const cidrs = await operatorCidrs(flags.operatorCidr ?? [], io.env, { required: !flags.dryRun });
    const options: DeployOptionsRecord = { bootstrap: target.inputs.options.bootstrap, manifests: target.inputs.options.manifests, ...(cidrs ? { operatorCidrs: cidrs } : {}) };
    inner = new ClusterRecorder(audit, {
      config,
      text: target.inputs.lispManifest,
      options,
      command: 'rollback',
      message: flags.message,
      rollback: { deploymentId: target.deploymentId, snapshotId: target.id, reason },
    });
    inner.guard = (plan, opened) => guard(io, plan, opened, flags, target.deploymentId);
    io.stderr.write(`Rolling back stack '${stack.name}' to ${target.deploymentId} (snapshot ${target.id}, ${target.timestamp}).\n`);
    const desired = await desiredFromConfig(io, loaded, stack, {
      operatorCidrs: cidrs,
      bootstrap: options.bootstrap,
      manifests: options.manifests,
    });
    inner.desired = desired;
    return desired;
  };
  if (flags.dryRun) return runPreview(io, name, flags, build);
  await runDeploy(io, name, { ...flags, message: flags.message ?? `rollback to ${to}` }, build, { audit, recorder });
}

async function guard(io: CliIO, plan: Plan, stack: OpenedStack, flags: RollbackFlags, target: string): Promise<void> {
  const risky = dangerousSteps(plan, stack);
  if (risky.length === 0) return;
  io.stderr.write(`\nThe rollback to ${target} would destroy or replace ${risky.length} resource${risky.length === 1 ? '' : 's'} that hold data:\n`);
  for (const r of risky) io.stderr.write(`  ${r.urn} — ${r.op}; ${r.why}\n`);
  if (flags.allowDestroy) return;
  if (interactive(io) && !flags.passwordStdin) {
    io.stderr.write('\n');
    if (await confirm(io, `Destroy ${risky.length === 1 ? 'it' : 'them'} as part of the rollback?`)) return;
    throw new CliError('rollback cancelled; nothing was changed', { exitCode: 1 });
  }
  throw new CliError(`refusing to roll back: it would destroy or replace ${risky.length} data-bearing resource${risky.length === 1 ? '' : 's'}`, {
    hint: 'Review the list above; pass --allow-destroy to go ahead (or run on a terminal to be asked).',
  });
}
