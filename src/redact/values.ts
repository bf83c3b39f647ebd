// The primitives: the marker, scrubbing known secret values out of text, and hiding the values
// of credential-named keys in JSON-like data. The credential-key rule and the scrub itself are
// the state layer's (`isCredentialKey`, `scrubSecrets`): the engine and the planner, which sit
// below this module, scrub their own events and errors with the very same functions.
import { isCredentialKey, isCredentialOutput, scrubSecrets, Secret } from '../state/index.ts';
import type { PropertyValue } from '../state/index.ts';

export const REDACTED = '[secret]';

/** A JSON value with secrets replaced. */
export type RedactedValue = string | number | boolean | null | RedactedValue[] | { [key: string]: RedactedValue };

export { isCredentialKey, isCredentialOutput };

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

/** `value` as it may be shown when it is held under `key` (a credential-named key hides it whole). */
export function redactUnder(key: string | undefined, value: unknown, secrets: readonly string[]): RedactedValue {
  if (key === undefined) return redactValue(value, secrets);
  return (redactValue({ [key]: value }, secrets) as Record<string, RedactedValue>)[key]!;
}

/** A decrypted property value as plain JSON, secrets replaced by the marker unless shown. */
export function shownValue(v: PropertyValue, showSecrets: boolean): unknown {
  if (v instanceof Secret) return showSecrets ? shownValue(v.value, true) : REDACTED;
  if (Array.isArray(v)) return v.map((e) => shownValue(e, showSecrets));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, shownValue(e, showSecrets)]));
  return v;
}

// Pulumi's encoding of a secret in a checkpoint read without decryption.
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/**
 * Root outputs as stored, read without the stack's secrets: every encrypted value is the
 * marker, and so is a credential output an older writer left in plaintext.
 */
export function maskedOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  const masked = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(masked);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o[SIG_KEY] === SECRET_SIG) return REDACTED;
      return Object.fromEntries(Object.entries(o).map(([k, e]) => [k, masked(e)]));
    }
    return v;
  };
  const out = masked(outputs) as Record<string, unknown>;
  for (const k of Object.keys(out)) if (isCredentialOutput(k)) out[k] = REDACTED;
  return out;
}
