// preview and deploy of a cluster config: the config is loaded and validated before the
// stack is opened (a broken file never asks for a passphrase), then the engine flow runs.
// A deploy records its history (metadata, snapshot, manifest registry, audit events).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ClusterCommandFlags } from './commands/deploy.ts';
import { desiredFromConfig, loadClusterConfig, type DesiredOptions } from './cluster-desired.ts';
import { runDeploy, runPreview, runRefresh, type DeployFlags, type RefreshFlags } from './engine-run.ts';
import { CliError } from './errors.ts';
import type { CliIO } from './io.ts';
import { operatorCidrs } from './operator-address.ts';
import type { UserManifest } from '../cluster/index.ts';

/** The files given with --manifest, named after their file names. */
async function readManifests(io: CliIO, files: readonly string[]): Promise<UserManifest[]> {
  const { manifestNameOf } = await import('../cluster/index.ts');
  const out: UserManifest[] = [];
  for (const file of files) {
    const path = resolve(io.cwd, file);
    let content: string;
    try {
      content = await readFile(path, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read the manifest ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: 'Check the path given with --manifest.' });
    }
    const name = manifestNameOf(file);
    if (!name) throw new CliError(`cannot name the manifest ${path}: its file name has no letters or digits`, { hint: 'Rename the file, e.g. web-app.yaml.' });
    if (out.some((m) => m.name === name)) throw new CliError(`two --manifest files are both named '${name}'`, { hint: 'Each manifest is registered under its file name; rename one of them.' });
    out.push({ name, content });
  }
  return out;
}

/**
 * Loads the config (before any stack is opened: a broken file never asks for a passphrase)
 * and returns the stack name and the graph builder. The operator's address is looked up in
 * the builder, once the stack is open, so a missing stack fails at once.
 */
async function prepare(io: CliIO, stack: string | undefined, flags: ClusterCommandFlags, required: boolean) {
  const loaded = await loadClusterConfig(io, flags.config);
  const { stackName } = await import('../config/index.ts');
  const manifests = await readManifests(io, flags.manifest ?? []);
  const options: DesiredOptions & { bootstrap: boolean; manifests: UserManifest[] } = { bootstrap: flags.bootstrap !== false, manifests };
  return {
    name: stack ?? stackName(loaded.config),
    loaded,
    options,
    build: async (opened: Parameters<typeof desiredFromConfig>[2]) => {
      const cidrs = await operatorCidrs(flags.operatorCidr ?? [], io.env, { required });
      if (cidrs) options.operatorCidrs = cidrs;
      return desiredFromConfig(io, loaded, opened, options);
    },
  };
}

export async function runClusterPreview(io: CliIO, stack: string | undefined, flags: ClusterCommandFlags): Promise<void> {
  const { name, build } = await prepare(io, stack, flags, false);
  await runPreview(io, name, flags, build);
}

export async function runClusterDeploy(io: CliIO, stack: string | undefined, flags: ClusterCommandFlags & DeployFlags): Promise<void> {
  if (flags.dryRun) return runClusterPreview(io, stack, flags);
  const { name, build, loaded, options } = await prepare(io, stack, flags, true);
  const { deploySession, ClusterRecorder } = await import('./history/deploy-record.ts');
  const audit = deploySession(io, 'deploy', name);
  const recorder = new ClusterRecorder(audit, {
    config: loaded.config,
    text: loaded.text,
    options: { bootstrap: options.bootstrap, manifests: options.manifests },
    command: 'deploy',
    message: flags.message,
  });
  await runDeploy(io, name, flags, async (opened) => {
    recorder.desired = await build(opened);
    if (options.operatorCidrs) recorder.inputs.options.operatorCidrs = [...options.operatorCidrs];
    return recorder.desired;
  }, { audit, recorder });
}

/**
 * `refresh --config`: the config is planned like a preview, and what the stack does not track
 * is looked up in the clouds by its URN tags (a stack rebuilt from what exists), then the
 * usual refresh.
 */
export async function runClusterRefresh(io: CliIO, stack: string | undefined, flags: ClusterCommandFlags & RefreshFlags): Promise<void> {
  const { name, build } = await prepare(io, stack, flags, false);
  await runRefresh(io, name, flags, {}, build);
}
