// Secrets we generate: cluster tokens, API passwords. Random, URL- and YAML-safe, and
// never derived from anything guessable (names, time).
import { randomBytes } from 'node:crypto';

/** 32 random bytes as lowercase hex (64 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** A password of `length` characters from an alphabet safe in YAML, shells and URLs. */
export function generatePassword(length = 32): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    // Rejection sampling keeps every character equally likely.
    if (bytes[i]! < 256 - (256 % alphabet.length)) out += alphabet[bytes[i]! % alphabet.length];
  }
  return out.length === length ? out : generatePassword(length);
}
