// Flag parsers shared by several commands.
import { InvalidArgumentError } from 'commander';

/** For repeatable flags: `--target a --target b` → ['a', 'b']. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function parseParallel(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}
