// Plain JSON from stored property values: secrets unwrapped (for reading records in memory;
// never for printing).
import { OutputRef } from '../../engine/index.ts';
import type { InputValue } from '../../engine/index.ts';
import { Secret } from '../../state/index.ts';
import type { PropertyValue } from '../../state/index.ts';

export function reveal(v: PropertyValue | InputValue | undefined): unknown {
  if (v instanceof Secret) return reveal(v.value);
  if (Array.isArray(v)) return v.map((x) => reveal(x));
  if (v && typeof v === 'object' && !(v instanceof OutputRef)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x as PropertyValue)]));
  return v;
}
