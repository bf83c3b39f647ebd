// The cluster use cases: preview, deploy and refresh of a cluster configuration. The config is
// loaded and validated before the stack is opened (a broken file never asks for a passphrase);
// the operator's address is looked up once the stack is open (a missing stack fails first). A
// deploy records its history (metadata, snapshot, manifest registry, audit events).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Recovery, UserManifest } from '../cluster/index.ts';
import type { LoadedConfig } from '../config/index.ts';
import type { Adoption, Plan } from '../engine/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { desiredFromConfig, loadClusterConfig } from './cluster-desired.ts';
import type { DesiredOptions } from './cluster-desired.ts';
import { deployGraph, previewGraph, refreshStack } from './engine-run.ts';
import type { ApplyOutcome, RefreshOutcome, RunOptions } from './engine-run.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { operatorCidrs } from './operator-address.ts';
import { auditSession } from './stack.ts';

/** A cluster as the caller describes it. Paths are resolved against the context's cwd. */
export interface ClusterSource {
  /** The configuration file (Lisp). */
  config: string;
  /** Manifest files to apply once the cluster is Ready, each registered under its file name. */
  manifests?: readonly string[];
  /** False: machines, networks, firewalls, load balancer and DNS only, without Kubernetes. Default true. */
  bootstrap?: boolean;
  /** Addresses allowed to reach SSH and the Kubernetes API; default SLOTH_OPERATOR_CIDRS, else this machine's public address. */
  operatorCidrs?: readonly string[];
  /**
   * Evaluate the config in restricted mode (a config someone else wrote: the jobs server, the
   * operator), allowing only these look-ups; a key file named by security.ssh is read only when
   * `read-file` is allowed.
   */
  restricted?: { allow: string[] };
}

export interface ClusterRunInput extends RunOptions {
  /** The stack; default the configuration's `metadata.name`. */
  stack?: string;
  cluster: ClusterSource;
}

/** The files given as manifests, named after their file names. */
async function readManifests(ctx: OpsContext, files: readonly string[]): Promise<UserManifest[]> {
  const { manifestNameOf } = await import('../cluster/index.ts');
  const out: UserManifest[] = [];
  for (const file of files) {
    const path = resolve(ctx.cwd, file);
    let content: string;
    try {
      content = await readFile(path, 'utf8');
    } catch (err) {
      throw new OpsError('invalid', `cannot read the manifest ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'Check the path given with --manifest.');
    }
    const name = manifestNameOf(file);
    if (!name) throw new OpsError('invalid', `cannot name the manifest ${path}: its file name has no letters or digits`, 'Rename the file, e.g. web-app.yaml.');
    if (out.some((m) => m.name === name)) throw new OpsError('invalid', `two --manifest files are both named '${name}'`, 'Each manifest is registered under its file name; rename one of them.');
    out.push({ name, content });
  }
  return out;
}

interface Prepared {
  name: string;
  loaded: LoadedConfig;
  options: DesiredOptions & { bootstrap: boolean; manifests: UserManifest[] };
  build: (stack: OpenedStack, recovery?: Recovery) => ReturnType<typeof desiredFromConfig>;
}

/**
 * Loads the config and the manifests (before any stack is opened) and returns the stack name
 * and the graph builder, which looks the operator's address up once the stack is open (the
 * same for preview, deploy and refresh: a failed look-up is an error in each).
 */
async function prepare(ctx: OpsContext, stack: string | undefined, cluster: ClusterSource): Promise<Prepared> {
  const loaded = await loadClusterConfig(ctx, cluster.config, cluster.restricted);
  const { stackName } = await import('../config/index.ts');
  const manifests = await readManifests(ctx, cluster.manifests ?? []);
  const options: Prepared['options'] = { bootstrap: cluster.bootstrap !== false, manifests };
  return {
    name: stack ?? stackName(loaded.config),
    loaded,
    options,
    build: async (opened, recovery) => {
      options.operatorCidrs ??= await operatorCidrs(cluster.operatorCidrs ?? [], ctx.env);
      // A key file named by security.ssh is a file look-up too: read only when read-file is allowed.
      const restricted = cluster.restricted !== undefined && !cluster.restricted.allow.includes('read-file');
      return desiredFromConfig(ctx, loaded, opened, { ...options, recovery, restricted });
    },
  };
}

/** What a deploy of the cluster would change. Takes no lock and writes nothing. */
export async function preview(ctx: OpsContext, input: ClusterRunInput): Promise<Plan> {
  const { name, build } = await prepare(ctx, input.stack, input.cluster);
  return previewGraph(ctx, { ...input, stack: name, build });
}

/** Creates or updates the cluster: preview, confirm, apply, record the deployment. */
export async function deploy(ctx: OpsContext, input: ClusterRunInput & { message?: string }): Promise<ApplyOutcome> {
  const { name, build, loaded, options } = await prepare(ctx, input.stack, input.cluster);
  const [{ ClusterRecorder }, { refuseLostAccess }] = await Promise.all([import('../history/recorders.ts'), import('../cluster/index.ts')]);
  const audit = auditSession(ctx, 'deploy', { type: 'deployment', action: 'apply', resourceId: name, resourceType: 'stack', description: `deploy of stack '${name}'` });
  const recorder = new ClusterRecorder(audit, {
    config: loaded.config,
    text: loaded.text,
    options: { bootstrap: options.bootstrap, manifests: options.manifests },
    command: 'deploy',
    message: input.message,
  });
  return deployGraph(ctx, {
    ...input,
    stack: name,
    build: async (opened) => {
      recorder.desired = await build(opened);
      if (options.operatorCidrs) recorder.inputs.options.operatorCidrs = [...options.operatorCidrs];
      return recorder.desired;
    },
    audit,
    recorder,
    check: async (plan, stack) => {
      refuseLostAccess(plan, stack.deployment, loaded.config.metadata.name, stack.name);
      await recorder.checkRecords(stack);
    },
  });
}

export interface RefreshInput extends RunOptions {
  /** The stack; default the configuration's `metadata.name` with `cluster`, else the backend's only stack. */
  stack?: string;
  /** Fail, and store nothing read, when anything drifted. */
  expectNoChanges?: boolean;
  /**
   * First look up in the clouds what this cluster describes and the stack does not track (by
   * URN tag) and record what is found: a stack rebuilt from what exists.
   */
  cluster?: ClusterSource;
}

/**
 * Reads every resource from its cloud and brings the stack in line. With a cluster, first
 * records what it describes and the stack does not track; a stack that has no record of the
 * cluster is rebuilt (src/cluster/recovery.ts): the deploy key's holders are looked up first,
 * and the graph adopted is planned with the key they hold.
 */
export async function refresh(ctx: OpsContext, input: RefreshInput): Promise<RefreshOutcome> {
  if (!input.cluster) return refreshStack(ctx, input);
  const { name, build, loaded } = await prepare(ctx, input.stack, input.cluster);
  const { deployKeyHolders, isRebuild, recoveryFrom } = await import('../cluster/index.ts');
  const adopt = async (stack: OpenedStack): Promise<Adoption> => {
    const first = await build(stack);
    const holders = isRebuild(stack.deployment, loaded.config.metadata.name) ? deployKeyHolders(first) : new Map<string, string>();
    if (holders.size === 0) return first;
    return {
      first,
      probe: [...holders.keys()],
      next: (found) => {
        const recovery = recoveryFrom(holders, found, new Date());
        return recovery ? build(stack, recovery) : first;
      },
    };
  };
  return refreshStack(ctx, { ...input, stack: name, adopt });
}
