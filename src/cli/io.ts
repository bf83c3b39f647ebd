// The streams, environment and working directory a command runs with. Commands never touch
// `process` directly, so tests run the whole CLI in-process with captured output.

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

export function processIO(): CliIO {
  const invoked = process.env.SLOTH_INVOKED_AS;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    programName: invoked === 'sloth' ? 'sloth' : 'sloth-kubernetes',
  };
}

/** Whether a human is at the other end (prompts, live views, colours). */
export function interactive(io: CliIO): boolean {
  return Boolean(io.stdin.isTTY && io.stdout.isTTY) && io.env.CI !== 'true';
}
