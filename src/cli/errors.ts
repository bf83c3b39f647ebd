// How a failure reaches the user. Every layer throws its own error classes; the CLI only
// relies on this shape: an `exitCode` marks an error meant for the user (its message is
// complete and safe to print), `display` replaces the default `error: <message>` line when
// the wording is fixed by the spec, and `hint` adds what to do next. Anything else is a bug:
// it is reported as an internal error, with the stack trace under --verbose.

export interface UserFacingError {
  message: string;
  exitCode: number;
  display?: string;
  hint?: string;
}

export function isUserFacing(err: unknown): err is UserFacingError {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { exitCode?: unknown }).exitCode === 'number' &&
    typeof (err as { message?: unknown }).message === 'string'
  );
}

/** A user error raised by the CLI layer itself (bad flag combinations and the like). */
export class CliError extends Error implements UserFacingError {
  readonly exitCode: number;
  readonly hint?: string;
  readonly display?: string;
  constructor(message: string, options: { hint?: string; exitCode?: number; display?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
    this.display = options.display;
  }
}

/** Prints the error and returns the exit code to use. */
export function reportError(err: unknown, write: (text: string) => void, verbose: boolean): number {
  if (isUserFacing(err)) {
    // An empty `display` means the command already said everything (e.g. a drift report).
    if (err.display !== '') write(`${err.display ?? `error: ${err.message}`}\n`);
    if (err.hint) write(`${err.hint}\n`);
    return err.exitCode === 0 ? 1 : err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  write(`internal error: ${e.message}\n`);
  write(verbose && e.stack ? `${e.stack}\n` : 'Run again with --verbose for the stack trace, and please report it.\n');
  return 70;
}
