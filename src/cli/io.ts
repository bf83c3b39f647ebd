// The streams, environment and working directory a command runs with. Commands never touch
// `process` directly, so tests run the whole CLI in-process with captured output.
import { basename } from 'node:path';
import { isSea } from 'node:sea';

export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Name the user typed (`sloth-kubernetes` or `sloth`), for help and completion scripts. */
  programName: string;
}

/** The name the user typed: the launcher passes the one it was started by; the single executable is its own argv[0]. */
export function programName(): string {
  const invoked = isSea() ? basename(process.argv0).replace(/\.exe$/i, '') : process.env.SLOTH_INVOKED_AS;
  return invoked === 'sloth' ? 'sloth' : 'sloth-kubernetes';
}

export function processIO(): CliIO {
  return {
    stdout: quietWhenClosed(process.stdout),
    stderr: quietWhenClosed(process.stderr),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    programName: programName(),
  };
}

/**
 * A reader that went away (`eval … | head -c 5`) is not an error: the rest of the output is
 * dropped (a closed stream discards what is written to it) and the command finishes as it
 * would have, with its own exit code — a deploy piped into `head` still saves its state and
 * releases its lock. Any other write error stays fatal.
 */
function quietWhenClosed(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  return stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

/** Whether a human is at the other end (prompts, live views, colours). */
export function interactive(io: CliIO): boolean {
  return Boolean(io.stdin.isTTY && io.stdout.isTTY) && io.env.CI !== 'true';
}
