// One command on a cluster machine, as root, over the same SSH path the deploy's steps take
// (pinned host key, through the bastion when there is one): for commands that read from a
// machine after the deploy, such as the live objects behind `manifests diff --live`.
import { shq } from '../bootstrap/shell.ts';
import { kubectlCommand } from '../bootstrap/kubernetes.ts';
import type { ClusterModel, KubernetesModel } from '../model.ts';
import { connectSsh, execCommand, type ExecResult, type SshOptions } from './ssh.ts';

export interface NodeCommand {
  ssh: SshOptions;
  /** The program and its arguments (quoted here, never interpreted by a shell of ours). */
  argv: readonly string[];
  stdin?: string;
  /** The whole run, connection included. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs `argv` as root (`sudo -n` unless the login user is root); resolves with its exit code and output. */
export async function runOnNode(cmd: NodeCommand): Promise<ExecResult> {
  const deadline = Date.now() + cmd.timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  const conn = await connectSsh({ ...cmd.ssh, connectTimeoutMs: Math.min(cmd.ssh.connectTimeoutMs ?? 20_000, left()), signal: cmd.signal });
  try {
    const line = cmd.argv.map(shq).join(' ');
    return await execCommand(conn, cmd.ssh.target.name, cmd.ssh.target.user === 'root' ? line : `sudo -n -- ${line}`, { stdin: cmd.stdin, timeoutMs: left(), signal: cmd.signal });
  } finally {
    conn.close();
  }
}

/** The node's own kubectl with its admin kubeconfig, exactly as the generated scripts call it. */
export function nodeKubectl(kubernetes: Pick<KubernetesModel, 'distribution' | 'dataDir'>): string[] {
  // kubectlCommand reads only `model.kubernetes.distribution` and `.dataDir`.
  return kubectlCommand({ kubernetes } as unknown as ClusterModel);
}

/**
 * `kubectl get -f - -o json --ignore-not-found` with `manifest` on stdin: every object the
 * manifest declares, read back (absent ones left out, so they can be told apart from a
 * failure by the exit code).
 */
export function readLiveObjects(opts: { ssh: SshOptions; kubectl: readonly string[]; manifest: string; timeoutMs: number; signal?: AbortSignal }): Promise<ExecResult> {
  return runOnNode({ ssh: opts.ssh, argv: [...opts.kubectl, 'get', '-f', '-', '-o', 'json', '--ignore-not-found'], stdin: opts.manifest, timeoutMs: opts.timeoutMs, signal: opts.signal });
}
