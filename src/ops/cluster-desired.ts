// From a config file to the desired graph of a stack: load and validate the config, read
// the key files it names, plan the cluster (keeping what the last deploy generated), and
// attach the root stack outputs.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { LoadedConfig } from '../config/index.ts';
import type { DesiredState } from '../engine/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { protectStackOutputs, stackOutputs } from '../state/index.ts';
import type { Recovery, UserManifest } from '../cluster/index.ts';
import { Secret } from '../state/types.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';

type Files = Pick<OpsContext, 'env' | 'cwd' | 'homedir'>;

/** `restricted`: evaluate as a config someone else wrote (the jobs server): no environment, files or system look-ups beyond `allow`. */
export async function loadClusterConfig(ctx: Files, file: string, restricted?: { allow: string[] }): Promise<LoadedConfig> {
  const { loadConfigFile } = await import('../config/index.ts');
  return loadConfigFile(resolve(ctx.cwd, file), { env: ctx.env, cwd: ctx.cwd, restricted });
}

function expandHome(path: string, ctx: Files): string {
  const home = ctx.env.HOME ?? ctx.homedir;
  const expanded = path === '~' ? home : path.startsWith('~/') ? `${home}${path.slice(1)}` : path;
  return isAbsolute(expanded) ? expanded : resolve(ctx.cwd, expanded);
}

async function readKeyPair(ctx: Files, loaded: LoadedConfig, restricted: boolean): Promise<{ privateKey: string; publicKey: string } | undefined> {
  const ssh = loaded.config.security.ssh;
  if (!ssh.keyPath) return undefined;
  if (restricted) {
    const pos = loaded.positions.locate('security.ssh.key-path', 'form');
    throw new OpsError(
      'invalid',
      `security.ssh key-path${pos ? ` at ${pos.file}:${pos.line}:${pos.col}` : ''} names a file, which restricted mode does not read`,
      'Remove key-path: a key pair is generated and kept (encrypted) in the stack.',
    );
  }
  const privatePath = expandHome(ssh.keyPath, ctx);
  const publicPath = expandHome(ssh.publicKeyPath ?? `${ssh.keyPath}.pub`, ctx);
  try {
    return { privateKey: await readFile(privatePath, 'utf8'), publicKey: (await readFile(publicPath, 'utf8')).trim() };
  } catch (err) {
    throw new OpsError(
      'invalid',
      `cannot read the SSH key named by security.ssh: ${(err as Error).message}`,
      'Point key-path (and public-key-path, default <key-path>.pub) at an existing key pair, or remove key-path to let sloth-kubernetes generate one.',
    );
  }
}

export interface DesiredOptions {
  operatorCidrs?: readonly string[];
  /** False: machines only, no Kubernetes install (see GraphOptions.bootstrap). */
  bootstrap?: boolean;
  /** Manifests to apply once the cluster is Ready (deploy --manifest). */
  manifests?: readonly UserManifest[];
  /** The stack is rebuilt from what the clouds hold (refresh --config; src/cluster/recovery.ts). */
  recovery?: Recovery;
  /** Restricted mode: no key file is read. */
  restricted?: boolean;
}

/**
 * Root outputs kept by other use cases (deployment metadata and the audit anchor by the
 * history layer, VPN clients by `vpn join`): carried over unchanged, so a deploy that changes
 * nothing else shows no output change; the recorder replaces the first two at the end of a
 * deploy that does.
 */
const KEPT_OUTPUTS = ['deploymentMeta', 'auditIndex', 'vpnPeers'] as const;

/** Which root outputs computed after apply (see clusterOutputs) a desired graph produces. */
function producedOutputs(desired: DesiredState): string[] {
  const step = (name: string) => desired.resources.some((r) => r.type === 'sloth:remote:Command' && r.name === name);
  const produced = {
    kubeConfig: step('kubeconfig'),
    nodes: true,
    master_ips: true,
    worker_ips: true,
    mesh_addresses: true,
    api_endpoint: step('kubeconfig'),
    salt_master: desired.resources.some((r) => r.type === 'sloth:cluster:Cluster' && r.inputs.saltApiUrl !== undefined),
    argocd: step('argocd'),
  };
  return Object.entries(produced).filter(([, yes]) => yes).map(([key]) => key);
}

/** The desired state of `stack` for a loaded config. */
export async function desiredFromConfig(ctx: Files & Pick<OpsContext, 'host'>, loaded: LoadedConfig, stack: OpenedStack, options: DesiredOptions): Promise<DesiredState> {
  const [{ modelFromConfig, previousFromDeployment, recoveredPrevious, buildClusterGraph, clusterOutputs }, { toJSON }] = await Promise.all([
    import('../cluster/index.ts'),
    import('../config/index.ts'),
  ]);
  const clusterName = loaded.config.metadata.name;
  const model = modelFromConfig(loaded.config, {
    stack: stack.name,
    operatorCidrs: options.operatorCidrs,
    deployKey: await readKeyPair(ctx, loaded, options.restricted === true),
  });
  const previous = previousFromDeployment(stack.deployment, clusterName);
  const { graph, warnings } = buildClusterGraph(model, options.recovery ? recoveredPrevious(previous, options.recovery) : previous, { bootstrap: options.bootstrap, manifests: options.manifests });
  for (const w of warnings) ctx.host.notify({ type: 'warning', message: w });
  // The config (with its credentials) and the Lisp text are stored as secrets, so a lost
  // file can be recovered from the stack (export-config).
  const stored = stackOutputs(stack.deployment, stack.name);
  graph.stackOutputs = {
    clusterName,
    configJson: new Secret(toJSON(loaded.config, { showSecrets: true })),
    lispManifest: new Secret(loaded.text),
    ...Object.fromEntries(KEPT_OUTPUTS.filter((k) => stored[k] !== undefined).map((k) => [k, stored[k]!])),
  };
  graph.computeOutputs = (resources) => clusterOutputs({ manifest: { time: '', magic: '', version: '' }, resources: [...resources], pendingOperations: [] }, clusterName);
  // Declared so that a plan shows them as unchanged (no resource changes) or "(known after
  // apply)"; compared in the form the stack stores them (credential-bearing keys as secrets).
  graph.computedOutputKeys = producedOutputs(graph.build());
  graph.protectOutputs = protectStackOutputs;
  // Pre-flight names the place in the file a failing resource comes from.
  graph.locateSource = (path) => {
    const pos = loaded.positions.locate(path, 'form');
    return pos ? `${path} at ${pos.file}:${pos.line}:${pos.col}` : undefined;
  };
  return graph.build();
}
