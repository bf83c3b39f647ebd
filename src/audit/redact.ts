// The last line of defence before an event is sealed: every string in it is scrubbed of the
// secret values the command knows about (config credentials, generated tokens, the
// passphrase), and values under keys that name a credential are replaced whole.
import { isCredentialKey, scrubSecrets } from '../state/types.ts';
import type { RedactedValue } from './types.ts';

export const REDACTED = '[secret]';

/** Replaces every occurrence of each secret (longest first) in `text`. */
export const scrubText = scrubSecrets;

/** Sorted longest first, so a secret that contains another is replaced whole. */
export function secretList(values: Iterable<string>): string[] {
  return [...new Set([...values].filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length);
}

/** A JSON-safe copy with secrets scrubbed and credential-named keys replaced. */
export function redactValue(value: unknown, secrets: readonly string[]): RedactedValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return scrubText(value, secrets);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
  if (typeof value === 'object') {
    const out: Record<string, RedactedValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isCredentialKey(k) && v !== null && v !== undefined && v !== REDACTED && typeof v !== 'boolean' ? REDACTED : redactValue(v, secrets);
    }
    return out;
  }
  return String(value);
}
