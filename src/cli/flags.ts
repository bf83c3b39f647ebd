// Flag parsers shared by several commands.
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';

/** For repeatable flags: `--target a --target b` → ['a', 'b']. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** For repeatable flags that also take comma-separated lists: `--allow a,b --allow c`. */
export const collectList = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
];

export function parseParallel(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

/** `--restricted` and `--allow`, as eval, repl and validate take them. */
export function restrictionOptions(cmd: Command): Command {
  return cmd.option('--restricted', 'refuse environment, file and system look-ups (as the server does for configs others wrote)').option(
    '--allow <builtin>',
    'with --restricted, allow this built-in (e.g. read-file) or one variable (env:AWS_REGION); repeatable, implies --restricted',
    collectList,
    [] as string[],
  );
}

/** A duration: `90s`, `5m`, `1h30m`, or whole seconds (`300`); milliseconds. */
export function parseDuration(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!m || value === '') throw new InvalidArgumentError('must be a duration such as 90s, 5m or 1h30m');
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** A whole number of at least 0 (seconds). */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number of seconds (0 or more)');
  return n;
}
