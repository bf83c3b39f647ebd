// UUIDs and random strings, from the interpreter's CSPRNG hooks (crypto by default).
import { fn, nonNegativeInt, argError } from './registry.ts';
import type { Call } from './registry.ts';
import type { Value } from '../types.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// The largest multiple of 62 below 256: bytes at or above it are dropped so every character is equally likely.
const UNBIASED_BELOW = 256 - (256 % ALPHANUMERIC.length);

function randomString(c: Call): Value {
  const n = nonNegativeInt(c, 0);
  const max = c.interp.limits.maxRandomStringLength;
  if (n > max) throw argError(c, 0, `length ${n} is larger than the limit of ${max}`);
  let out = '';
  while (out.length < n) {
    for (const b of c.interp.system.randomBytes(Math.max(16, (n - out.length) * 2))) {
      if (b < UNBIASED_BELOW) out += ALPHANUMERIC[b % ALPHANUMERIC.length];
      if (out.length === n) break;
    }
  }
  return out;
}

export const randomBuiltins = [
  fn('uuid', [0, 0], { usage: '(uuid)', summary: 'a random (version 4) UUID', examples: [['(uuid)', '"550e8400-e29b-41d4-a716-446655440000"']] }, (c) => c.interp.system.randomUUID()),
  fn('random-string', [1, 1], { usage: '(random-string len)', summary: 'len random letters and digits (cryptographically secure)', examples: [['(random-string 16)', '"8M5BXEZJ5Lvm8u7b"']] }, randomString),
];
