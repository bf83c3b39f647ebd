// sloth:remote:HostKey — installs a machine's own SSH host key (bootstrap/host-key.ts) over
// the connection pinned to the key in its user-data, then proves the machine serves the new
// key. It runs once per machine: it is replaced (run again) only when the machine is replaced
// or its key changes, and an update (a new address, a new bastion) does nothing — connecting
// with the user-data key again would hand the new private key to whoever has read user-data.
// A create interrupted after the install finds the new key already served and finishes.
import type { CallContext, ResourceType } from '../../engine/index.ts';
import type { PropertyMap } from '../../state/types.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandRun } from './step-access.ts';
import { runScript } from './run-script.ts';
import { connectSsh, execCommand, SshError, type SshOptions } from './ssh.ts';

export const HOST_KEY_TYPE = 'sloth:remote:HostKey';

/** Waits until the machine answers with `ssh.target.hostKey` alone (sshd may take a moment to reload). */
async function confirmServed(ssh: SshOptions, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const only = { ...ssh, target: { ...ssh.target, formerHostKey: undefined } };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const conn = await connectSsh({ ...only, connectTimeoutMs: Math.max(1000, Math.min(20_000, deadline - Date.now())), signal });
      try {
        const r = await execCommand(conn, ssh.target.name, 'true', { timeoutMs: Math.max(1000, deadline - Date.now()), signal });
        if (r.code === 0) return;
      } finally {
        conn.close();
      }
    } catch (err) {
      const waiting = err instanceof SshError && (err.kind === 'unreachable' || err.kind === 'timeout' || err.kind === 'host-key-mismatch');
      if (!waiting || Date.now() >= deadline) {
        if (err instanceof SshError && err.kind === 'host-key-mismatch') {
          throw new SshError('host-key-mismatch', ssh.target.name, `${ssh.target.name} still does not serve its new host key after it was installed: ${err.message}`);
        }
        throw err;
      }
    }
    await sleep(500, undefined, { signal });
  }
}

async function install(inputs: PropertyMap, ctx: CallContext): Promise<PropertyMap> {
  const run = commandRun(inputs, ctx);
  await runScript(run);
  await confirmServed(run.ssh, 60_000, ctx.signal);
  return { machine: run.ssh.target.name, hostKey: run.ssh.target.hostKey, installedAt: new Date().toISOString() };
}

export const hostKeyType: ResourceType = {
  forceNew: ['machineId', 'files'],
  timeouts: { create: 900, update: 60, delete: 60, read: 60 },
  async create(inputs, ctx) {
    return { id: ctx.name, outputs: await install(inputs, ctx) };
  },
  async read(_id, state) {
    return { outputs: state.outputs };
  },
  async update(_id, olds) {
    return { outputs: olds.outputs };
  },
  async delete() {
    // The key stays with the machine; deleting the machine is what removes it.
  },
  async adopt() {
    return undefined;
  },
  async recover(inputs, ctx) {
    // Installed when the machine was made; which key it serves is not known (recovery.ts).
    return { id: ctx.name, outputs: { machine: inputs['machine'] ?? null, recovered: true } };
  },
};
