// preview and deploy of a cluster config: the config is loaded and validated before the
// stack is opened (a broken file never asks for a passphrase), then the engine flow runs.
import type { ClusterCommandFlags } from './commands/deploy.ts';
import { desiredFromConfig, loadClusterConfig } from './cluster-desired.ts';
import { runDeploy, runPreview, type DeployFlags } from './engine-run.ts';
import type { CliIO } from './io.ts';
import { operatorCidrs } from './operator-address.ts';

async function prepare(io: CliIO, stack: string | undefined, flags: ClusterCommandFlags, required: boolean) {
  const loaded = await loadClusterConfig(io, flags.config);
  const { stackName } = await import('../config/index.ts');
  const cidrs = await operatorCidrs(flags.operatorCidr ?? [], io.env, { required });
  return { name: stack ?? stackName(loaded.config), build: (opened: Parameters<typeof desiredFromConfig>[2]) => desiredFromConfig(io, loaded, opened, { operatorCidrs: cidrs, bootstrap: flags.bootstrap }) };
}

export async function runClusterPreview(io: CliIO, stack: string | undefined, flags: ClusterCommandFlags): Promise<void> {
  const { name, build } = await prepare(io, stack, flags, false);
  await runPreview(io, name, flags, build);
}

export async function runClusterDeploy(io: CliIO, stack: string | undefined, flags: ClusterCommandFlags & DeployFlags): Promise<void> {
  const { name, build } = await prepare(io, stack, flags, !flags.dryRun);
  await (flags.dryRun ? runPreview(io, name, flags, build) : runDeploy(io, name, flags, build));
}
