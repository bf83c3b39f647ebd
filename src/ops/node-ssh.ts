// An SSH session on a machine of the stack — its login shell with a terminal, or one command —
// through the bastion when there is one, every hop pinned to the host key the stack records,
// logging in as the stack's login user with its deploy key. The session is on record once
// the connection is made (before it runs: a session may last hours, or end with the terminal).
import { connectSsh, runSession, SshError, type SessionIO, type SshConnection } from '../cluster/remote/ssh.ts';
import type { OpsContext } from './host.ts';
import { nodeAccess, sshFailure } from './node-access.ts';
import { auditSession, withAuditedStack } from './stack.ts';

export interface NodeSshInput {
  stack?: string;
  node: string;
  /** The command line to run (as `ssh` runs it: by the login user's shell); none: the login shell. */
  command?: string;
  io: SessionIO;
}

export interface NodeSshResult {
  stack: string;
  node: string;
  user: string;
  via?: string;
  exitCode: number;
}

export async function nodeSsh(ctx: OpsContext, input: NodeSshInput): Promise<NodeSshResult> {
  const audit = auditSession(ctx, 'nodes ssh', { type: 'state', action: 'read', resourceId: input.node, resourceType: 'node', description: `SSH session on ${input.node}` });
  const opened = await withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const access = nodeAccess(stack, input.node);
    audit.secret(access.ssh.privateKey);
    let conn: SshConnection;
    try {
      conn = await connectSsh({ ...access.ssh, signal: ctx.abortSignal });
    } catch (err) {
      if (err instanceof SshError) throw sshFailure(err, access, stack.name, input.command === undefined ? 'open a shell' : 'run the command');
      throw err;
    }
    const via = access.ssh.via ? ` through ${access.ssh.via.name}` : '';
    audit.summary.resourceId = input.node;
    audit.summary.description = `SSH ${input.command === undefined ? 'session' : 'command'} on ${input.node} of stack '${stack.name}' as ${access.ssh.target.user}${via}`;
    return { stack: stack.name, access, conn };
  });
  const { access, conn } = opened;
  try {
    const exitCode = await runSession(conn, input.node, input.command, input.io);
    return { stack: opened.stack, node: input.node, user: access.ssh.target.user, ...(access.ssh.via ? { via: access.ssh.via.name } : {}), exitCode };
  } catch (err) {
    if (err instanceof SshError) throw sshFailure(err, access, opened.stack, 'run the session');
    throw err;
  } finally {
    conn.close();
  }
}
