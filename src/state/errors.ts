// Errors of the state layer. Each carries a numeric `exitCode`, so the CLI prints its message
// (and `hint`) as a user error; see src/cli/errors.ts. Messages never contain secret values.

export class StateError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  readonly display?: string;
  constructor(message: string, options: { hint?: string; exitCode?: number; display?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
    this.display = options.display;
  }
}

export const NOT_FOUND_CAUSES = [
  'Possible causes:',
  '  1. Wrong backend configured (check PULUMI_BACKEND_URL)',
  '  2. Stack was never created',
  '  3. Stack was deleted',
  '',
  'List the stacks of this backend with: sloth-kubernetes stacks list',
].join('\n');

export class StackNotFoundError extends StateError {
  readonly stackName: string;
  constructor(stack: string, backend: string) {
    super(`stack '${stack}' not found`, { hint: `Backend: ${backend}\n${NOT_FOUND_CAUSES}` });
    this.stackName = stack;
  }
}

export class StackExistsError extends StateError {
  constructor(stack: string, backend: string) {
    super(`stack '${stack}' already exists in ${backend}`, {
      hint: 'Choose another name, or delete the existing stack first: sloth-kubernetes stacks delete ' + stack,
    });
  }
}

export class InvalidStackNameError extends StateError {
  constructor(stack: string) {
    super(`invalid stack name '${stack}': use 1 to 100 letters, digits, '-', '_' or '.', as one path segment (not '.' or '..')`);
  }
}

/** The URL, parameters or settings that choose a backend are wrong. */
export class BackendConfigError extends StateError {}

/** The backend could not be reached or refused the request. Nothing was changed. */
export class BackendError extends StateError {}

export class SecretsError extends StateError {}

export class PassphraseRequiredError extends SecretsError {
  constructor(stack: string) {
    super(`stack '${stack}' is encrypted with a passphrase and none was given`, {
      hint:
        'Pass it with --password-stdin, or set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE ' +
        '(in the environment or in ~/.sloth-kubernetes/config), or run on a terminal to be asked for it.',
    });
  }
}

export class IncorrectPassphraseError extends SecretsError {
  constructor(stack: string) {
    super(`incorrect passphrase for stack '${stack}'`, {
      hint: 'Check PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE or the passphrase you typed; nothing was changed.',
    });
  }
}

/** The checkpoint (or a journal entry) cannot be parsed or breaks the integrity rules. */
export class CheckpointError extends StateError {
  readonly location: string;
  constructor(location: string, problem: string, hint?: string) {
    super(`${location}: ${problem}`, { hint });
    this.location = location;
  }
}

export class UnsupportedCheckpointError extends StateError {}

export interface LockHolder {
  pid: number;
  username: string;
  hostname: string;
  timestamp: string;
  /** True when the holder is a process on this host that no longer runs. */
  stale: boolean;
}

export class StackLockedError extends StateError {
  readonly holders: LockHolder[];
  constructor(stack: string, holders: LockHolder[], now: Date = new Date()) {
    const lines = holders.map((h) => {
      const since = Number.isNaN(Date.parse(h.timestamp)) ? h.timestamp : `${h.timestamp} (${relativeTime(new Date(h.timestamp), now)})`;
      const who = `${h.username || 'unknown user'}@${h.hostname || 'unknown host'}, pid ${h.pid}, since ${since}`;
      return h.stale ? `Stale lock: held by ${who}, a process that is no longer running.` : `Locked by ${who}.`;
    });
    super('the stack is currently locked by another process', {
      hint: [...lines, `If no other deployment is running, unlock it with: sloth-kubernetes stacks cancel ${stack}`].join('\n'),
    });
    this.holders = holders;
  }
}

export class LockLostError extends StateError {
  constructor(stack: string) {
    super(`the lock of stack '${stack}' was removed while this update ran (stacks cancel?); the final checkpoint was not written`, {
      hint: 'Changes recorded so far are kept in the stack journal and are visible the next time the stack is opened.',
    });
  }
}

export class NotSupportedError extends StateError {}

/** "3 minutes ago", "2 hours ago", "1 day ago". */
export function relativeTime(then: Date, now: Date = new Date()): string {
  const s = Math.round((now.getTime() - then.getTime()) / 1000);
  if (s < 0) return 'in the future';
  if (s < 45) return 'just now';
  const units: [number, string][] = [
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [86400 * 30, 'month'],
    [86400 * 365, 'year'],
  ];
  let chosen = units[0]!;
  for (const u of units) if (s >= u[0] * 0.75) chosen = u;
  const n = Math.max(1, Math.round(s / chosen[0]));
  return `${n} ${chosen[1]}${n === 1 ? '' : 's'} ago`;
}
