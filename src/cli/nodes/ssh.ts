// nodes ssh <stack> <node> [-- command…]: the CLI's streams and terminal joined to the session.
// With a terminal and no command (or -t), the remote side gets a PTY of the local size that
// follows its resizes, and the local terminal is raw while the session lasts.
import { Writable } from 'node:stream';
import type { SessionIO } from '../../cluster/remote/ssh.ts';
import { nodeSsh } from '../../ops/node-ssh.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO, OutStream } from '../io.ts';

type TtyIn = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
type TtyOut = OutStream & { rows?: number; on?: (event: 'resize', l: () => void) => unknown; off?: (event: 'resize', l: () => void) => unknown };

/** The output as a stream: itself when it is one (the process's), else a writer into it. */
function writable(out: OutStream): NodeJS.WritableStream {
  if (typeof (out as Partial<Writable>).on === 'function' && typeof (out as Partial<Writable>).end === 'function') return out as unknown as NodeJS.WritableStream;
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.write(chunk.toString());
      done();
    },
  });
}

export async function nodeSshCommand(io: CliIO, stack: string, node: string, words: string[], opts: { tty?: boolean; passwordStdin?: boolean }): Promise<void> {
  const stdin = io.stdin as TtyIn;
  const stdout = io.stdout as TtyOut;
  const terminal = Boolean(stdin.isTTY && stdout.isTTY) && !opts.passwordStdin;
  if (opts.tty && !terminal) throw new CliError('-t asks for a terminal, but standard input and output are not one');
  const command = words.length > 0 ? words.join(' ') : undefined;
  const pty: SessionIO['pty'] =
    terminal && (command === undefined || opts.tty)
      ? {
          term: io.env.TERM || 'xterm-256color',
          rows: stdout.rows ?? 24,
          cols: stdout.columns ?? 80,
          onResize: (listener) => {
            const onResize = () => listener(stdout.rows ?? 24, stdout.columns ?? 80);
            stdout.on?.('resize', onResize);
            return () => stdout.off?.('resize', onResize);
          },
          raw: (on) => stdin.setRawMode?.(on),
        }
      : undefined;
  const { exitCode } = await withCli(io, opts, (ctx) =>
    nodeSsh(ctx, {
      stack,
      node,
      command,
      io: {
        stdin,
        stdout: writable(io.stdout),
        stderr: writable(io.stderr),
        pty,
      },
    }),
  );
  if (exitCode !== 0) throw new CliError(`the command on ${node} exited with status ${exitCode}`, { display: '', exitCode });
}
