// SSH to our machines with ssh2: the host key is pinned (one we generated: the machine's
// own, installed by its first step, or for that step the one in its user-data), never
// learned on first use, and only an ed25519 host key is negotiated so the server cannot
// offer a different one. A jump through the bastion opens
// a direct-tcpip channel on the bastion and runs the second connection inside it, with its
// own pinned key.
import os from 'node:os';
import type { Client as SshClient, ClientChannel } from 'ssh2';
import { publicKeyBlob, ssh2, sshFingerprint } from '../bootstrap/ssh-keys.ts';

export interface SshTarget {
  /** Shown in messages: the machine's name. */
  name: string;
  host: string;
  port: number;
  user: string;
  /** The expected host key, `ssh-ed25519 AAAA…`. */
  hostKey: string;
  /**
   * Also accepted: the key the machine served before `hostKey` replaced it (the one in its
   * user-data). Only the step that installs `hostKey` (sloth:remote:HostKey) gives it.
   */
  formerHostKey?: string;
}

export interface SshOptions {
  target: SshTarget;
  via?: SshTarget;
  /** The deploy key (OpenSSH private key). */
  privateKey: string;
  /** Time allowed for TCP connect and the SSH handshake, per hop. */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  /**
   * An open connection to `via` to tunnel through instead of a new one (several machines
   * behind one bastion share it); it stays open when this connection closes.
   */
  jump?: Promise<SshConnection>;
}

export type SshErrorKind = 'host-key-mismatch' | 'auth' | 'unreachable' | 'timeout' | 'aborted' | 'exit' | 'protocol';

export class SshError extends Error {
  override readonly name = 'SshError';
  readonly kind: SshErrorKind;
  readonly machine: string;
  /** What the command had written to stderr when it was stopped (timeouts, aborts). */
  readonly partialStderr: string;
  constructor(kind: SshErrorKind, machine: string, message: string, partialStderr = '') {
    super(message);
    this.kind = kind;
    this.machine = machine;
    this.partialStderr = partialStderr;
  }
}

const where = (t: SshTarget) => `${t.name} (${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port})`;

function connectOne(target: SshTarget, privateKey: string, sock: NodeJS.ReadableStream | undefined, timeoutMs: number, signal?: AbortSignal): Promise<SshClient> {
  const accepted = [target.hostKey, ...(target.formerHostKey ? [target.formerHostKey] : [])].map(publicKeyBlob);
  const pinned = [target.hostKey, ...(target.formerHostKey ? [target.formerHostKey] : [])].map(sshFingerprint).join(' or ');
  return new Promise((resolve, reject) => {
    const client = new (ssh2().Client)();
    let offered: Buffer | undefined;
    let settled = false;
    const fail = (err: SshError) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      client.end();
      reject(err);
    };
    const onAbort = () => fail(new SshError('aborted', target.name, `connection to ${where(target)} aborted`));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (offered && !accepted.some((k) => k.equals(offered!))) {
        fail(
          new SshError(
            'host-key-mismatch',
            target.name,
            `host key of ${where(target)} is ${fingerprintOfBlob(offered)}, but ${pinned} was pinned for this machine; refusing to connect (the address may now belong to another machine, or the connection is being intercepted)`,
          ),
        );
      } else if (err.level === 'client-authentication') {
        fail(new SshError('auth', target.name, `${where(target)} refused the deploy key for user '${target.user}'`));
      } else if (err.level === 'client-timeout' || /Timed out/.test(err.message)) {
        fail(new SshError('timeout', target.name, `no SSH handshake with ${where(target)} within ${Math.round(timeoutMs / 1000)}s`));
      } else if (err.code && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'ENOTFOUND'].includes(err.code)) {
        fail(new SshError('unreachable', target.name, `cannot reach ${where(target)}: ${err.code}`));
      } else {
        fail(new SshError('protocol', target.name, `SSH to ${where(target)} failed: ${err.message}`));
      }
    });
    client.connect({
      host: sock ? undefined : target.host,
      port: sock ? undefined : target.port,
      sock: sock as never,
      username: target.user,
      privateKey,
      readyTimeout: timeoutMs,
      keepaliveInterval: 15_000,
      algorithms: { serverHostKey: ['ssh-ed25519'] },
      hostVerifier: (key: Buffer) => {
        offered = Buffer.from(key);
        return accepted.some((k) => k.equals(offered!));
      },
    });
  });
}

function fingerprintOfBlob(blob: Buffer): string {
  return sshFingerprint(`ssh-ed25519 ${blob.toString('base64')}`);
}

export interface SshConnection {
  client: SshClient;
  close(): void;
}

/** Connects (through the bastion when `via` is given), verifying every host key. */
export async function connectSsh(opts: SshOptions): Promise<SshConnection> {
  const timeout = opts.connectTimeoutMs ?? 20_000;
  if (!opts.via) {
    const client = await connectOne(opts.target, opts.privateKey, undefined, timeout, opts.signal);
    return { client, close: () => client.end() };
  }
  const shared = opts.jump ? (await opts.jump).client : undefined;
  const jump = shared ?? (await connectOne(opts.via, opts.privateKey, undefined, timeout, opts.signal));
  try {
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      jump.forwardOut('127.0.0.1', 0, opts.target.host, opts.target.port, (err, stream) =>
        err ? reject(new SshError('unreachable', opts.target.name, `the bastion ${opts.via!.name} cannot reach ${where(opts.target)}: ${err.message}`)) : resolve(stream),
      ),
    );
    const client = await connectOne(opts.target, opts.privateKey, channel, timeout, opts.signal);
    return {
      client,
      close: () => {
        client.end();
        if (!shared) jump.end();
      },
    };
  } catch (err) {
    if (!shared) jump.end();
    throw err;
  }
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

const MAX_OUTPUT = 16 * 1024 * 1024;

/** Runs one command; resolves with its exit code (never rejects on a non-zero exit). */
export function execCommand(
  conn: SshConnection,
  machine: string,
  command: string,
  opts: { stdin?: string; timeoutMs: number; signal?: AbortSignal; onStderr?: (text: string) => void },
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    conn.client.exec(command, (err, stream) => {
      if (err) return reject(new SshError('protocol', machine, `cannot start a command on ${machine}: ${err.message}`));
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const stop = (kind: SshErrorKind, message: string) =>
        finish(() => {
          stream.close();
          conn.close();
          reject(new SshError(kind, machine, message, Buffer.concat(errs).toString('utf8')));
        });
      const timer = setTimeout(() => stop('timeout', `command on ${machine} did not finish within ${Math.round(opts.timeoutMs / 1000)}s`), opts.timeoutMs);
      const onAbort = () => stop('aborted', `command on ${machine} aborted`);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const take = (into: Buffer[]) => (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OUTPUT) return stop('protocol', `command on ${machine} printed more than ${MAX_OUTPUT} bytes`);
        into.push(chunk);
      };
      stream.on('data', take(out));
      stream.stderr.on('data', (chunk: Buffer) => {
        take(errs)(chunk);
        opts.onStderr?.(chunk.toString('utf8'));
      });
      stream.on('close', (code: number | null, signalName?: string) =>
        finish(() =>
          resolve({
            code: code ?? (signalName ? 128 : 255),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errs).toString('utf8'),
          }),
        ),
      );
      stream.end(opts.stdin ?? '');
    });
  });
}

/** The local side of an SSH session: streams, and a terminal when there is one. */
export interface SessionIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /**
   * Ask the remote side for a pseudo-terminal of this kind and size; `onResize` follows the
   * local one; `raw` switches the local terminal to raw mode while the session runs (and back).
   */
  pty?: { term: string; rows: number; cols: number; onResize?: (listener: (rows: number, cols: number) => void) => () => void; raw?: (on: boolean) => void };
}

/**
 * An interactive session: the login shell (no `command`) or one command, with the local
 * streams joined to it until it ends. Resolves with its exit status (128 + the signal's
 * number when a signal ended it, 255 when the server said neither, as OpenSSH's client does).
 */
export function runSession(conn: SshConnection, machine: string, command: string | undefined, io: SessionIO): Promise<number> {
  const pty = io.pty ? { term: io.pty.term, rows: io.pty.rows, cols: io.pty.cols } : undefined;
  return new Promise((resolve, reject) => {
    const started = (err: Error | undefined, channel: ClientChannel) => {
      if (err) return reject(new SshError('protocol', machine, `cannot start ${command === undefined ? 'a shell' : 'the command'} on ${machine}: ${err.message}`));
      let status: number | undefined;
      const stopResize = io.pty?.onResize?.((rows, cols) => channel.setWindow(rows, cols, 0, 0));
      io.pty?.raw?.(true);
      io.stdin.pipe(channel);
      channel.pipe(io.stdout, { end: false });
      channel.stderr.pipe(io.stderr, { end: false });
      channel.on('exit', (code: number | null, signalName?: string) => {
        const signals = os.constants.signals as Record<string, number>;
        status = code ?? (signalName && signals[`SIG${signalName}`] ? 128 + signals[`SIG${signalName}`]! : 255);
      });
      channel.on('close', () => {
        stopResize?.();
        io.pty?.raw?.(false);
        io.stdin.unpipe(channel);
        io.stdin.pause();
        resolve(status ?? 255);
      });
    };
    if (command === undefined) conn.client.shell(pty ?? false, started);
    else conn.client.exec(command, { pty: pty ?? false }, started);
  });
}
