// Kubernetes resource quantities (`500m`, `1Gi`, `1e3`), compared by value: the API server
// stores them in canonical form, so a manifest's `cpu: 0.5` reads back as `500m` and
// `memory: 1024Mi` as `1Gi`. Exact rational arithmetic (BigInt), never floating point.

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

interface Rational {
  num: bigint;
  den: bigint;
}

/** The value of a quantity as a fraction, or undefined when `v` is not one. */
export function parseQuantity(v: unknown): Rational | undefined {
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (text === undefined) return undefined;
  // String(1e21) is "1e+21": the grammar's exponent form, so numbers parse like strings.
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, digits, suffix = ''] = m;
  const [whole = '', frac = ''] = digits!.split('.');
  let num = BigInt(`${whole}${frac}` || '0') * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(frac.length);
  if (suffix in BINARY) num *= 2n ** BigInt(BINARY[suffix]!);
  else {
    const exp = suffix in DECIMAL ? DECIMAL[suffix]! : suffix ? Number(suffix.slice(1)) : 0;
    if (Math.abs(exp) > 1000) return undefined;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  return { num, den };
}

/** Whether two values are the same quantity (both must parse). */
export function sameQuantity(a: unknown, b: unknown): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return !!x && !!y && x.num * y.den === y.num * x.den;
}
