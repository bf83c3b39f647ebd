// How a failure reaches the user. Every layer throws its own error classes; the CLI only
// relies on this shape: an `exitCode` marks an error meant for the user (its message is
// complete and safe to print), `display` replaces the default `error: <message>` line when
// the wording is fixed by the spec, and `hint` adds what to do next. A use case's OpsError
// carries a reason instead, which is turned into the exit code here. Anything else is a bug:
// it is reported as an internal error, with the stack trace under --verbose.
import { OpsError } from '../ops/errors.ts';
import { jsonError } from './output.ts';
import type { OpsErrorReason } from '../ops/errors.ts';

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

/** The exit code of each reason a use case fails for. */
const EXIT_CODES: Record<OpsErrorReason, number> = {
  invalid: 1,
  'no-stack': 1,
  refused: 1,
  declined: 1,
  unavailable: 1,
  failed: 1,
  cancelled: 130,
  drifted: 1,
  unrecorded: 1,
  // Distinct from 1, "differs": the comparison could not be made.
  'not-compared': 2,
  unverified: 1,
  'timed-out': 1,
};

/**
 * The seed's message when a command needs a stack and the backend has none; what the use case
 * found besides (a stack that lost its checkpoint, and how to restore it) comes before the
 * advice to create one.
 */
function noStackDisplay(err: OpsError, programName: string): string {
  const more = err.message.replace(/^No stack found\.\s*/, '');
  return [
    'Error: No stack found.',
    ...(more ? ['', more, ...(err.hint ? [err.hint] : [])] : []),
    '',
    'Create an encrypted stack first:',
    `  ${programName} stacks create <name> --password-stdin`,
    '',
    'Or with AWS KMS:',
    `  ${programName} stacks create <name> --kms-key <arn-or-alias>`,
  ].join('\n');
}

/** A use case's error as the user sees it. */
function userFacing(err: OpsError, programName: string): UserFacingError {
  const display = err.reason === 'no-stack' ? noStackDisplay(err, programName) : err.reported ? '' : undefined;
  return { message: err.message, exitCode: EXIT_CODES[err.reason], ...(display !== undefined ? { display } : {}), ...(err.reason !== 'no-stack' && err.hint ? { hint: err.hint } : {}) };
}

export interface ReportOptions {
  /** The stack trace of an internal error. */
  verbose?: boolean;
  programName?: string;
  /** The command line asked for JSON output: the error is one JSON object (output.ts). */
  json?: boolean;
}

/** Prints the error and returns the exit code to use (the same with JSON output). */
export function reportError(error: unknown, write: (text: string) => void, options: ReportOptions = {}): number {
  const programName = options.programName ?? 'sloth-kubernetes';
  const err = error instanceof OpsError ? userFacing(error, programName) : error;
  if (isUserFacing(err)) {
    if (options.json) write(jsonError(err.message, error instanceof OpsError ? error.hint : err.hint));
    // An empty `display` means the command already said everything (e.g. a drift report).
    else {
      if (err.display !== '') write(`${err.display ?? `error: ${err.message}`}\n`);
      if (err.hint) write(`${err.hint}\n`);
    }
    return err.exitCode === 0 ? 1 : err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const hint = options.verbose && e.stack ? e.stack : 'Run again with --verbose for the stack trace, and please report it.';
  write(options.json ? jsonError(`internal error: ${e.message}`, hint) : `internal error: ${e.message}\n${hint}\n`);
  return 70;
}
