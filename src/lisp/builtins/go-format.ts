// Go's fmt.Sprintf for the verbs configs use: %s %v %d %f %q %x %X %t %%, with the flags
// + - space 0 #, a width and a precision. Unlike Go, a verb without an argument, an argument
// without a verb, or a value of the wrong type is an error, not `%!d(MISSING)` in the output.
import { printString, printValue } from '../printer.ts';
import type { Value } from '../types.ts';
import { describe, display } from '../values.ts';

/** A problem with the template (argIndex -1) or with one argument (0-based). */
export class FormatError extends Error {
  readonly argIndex: number;
  constructor(message: string, argIndex: number) {
    super(message);
    this.argIndex = argIndex;
  }
}

interface Spec {
  plus: boolean;
  minus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  prec: number | undefined;
  verb: string;
}

const ORDINAL = ['1st', '2nd', '3rd'];
const ordinal = (n: number) => ORDINAL[n - 1] ?? `${n}th`;
const MAX_PRECISION = 100;

export function goSprintf(template: string, args: readonly Value[], maxLength: number): string {
  let out = '';
  let argi = 0;
  let verbs = 0;
  let i = 0;
  const n = template.length;
  while (i < n) {
    const pct = template.indexOf('%', i);
    if (pct < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { plus: false, minus: false, space: false, zero: false, sharp: false, width: undefined, prec: undefined, verb: '' };
    for (; i < n; i++) {
      const ch = template[i];
      if (ch === '+') spec.plus = true;
      else if (ch === '-') spec.minus = true;
      else if (ch === ' ') spec.space = true;
      else if (ch === '0') spec.zero = true;
      else if (ch === '#') spec.sharp = true;
      else break;
    }
    let digits = '';
    while (i < n && template[i]! >= '0' && template[i]! <= '9') digits += template[i++];
    if (digits) spec.width = Number(digits);
    if (template[i] === '.') {
      i++;
      let p = '';
      while (i < n && template[i]! >= '0' && template[i]! <= '9') p += template[i++];
      spec.prec = p ? Number(p) : 0;
    }
    if (template[i] === '*' || template[i] === '[') {
      throw new FormatError(`'${template[i]}' in a verb (width or argument index from the arguments) is not supported yet`, -1);
    }
    const verb = template.codePointAt(i);
    if (verb === undefined) throw new FormatError(`the template ends with an incomplete verb '${template.slice(pct)}'`, -1);
    spec.verb = String.fromCodePoint(verb);
    i += spec.verb.length;
    if (spec.verb === '%') {
      out += '%';
      continue;
    }
    verbs++;
    if ((spec.width ?? 0) > maxLength || (spec.prec ?? 0) > maxLength) throw new FormatError(`width or precision in %${spec.verb} is too large`, -1);
    if (argi >= args.length) {
      throw new FormatError(
        `the ${ordinal(verbs)} verb %${spec.verb} has no argument (${args.length} argument${args.length === 1 ? '' : 's'} given)`,
        -1,
      );
    }
    const index = argi++;
    out += pad(formatOne(spec, args[index]!, index, maxLength), spec);
    if (out.length > maxLength) throw new FormatError(`the result is longer than ${maxLength} characters`, -1);
  }
  if (argi < args.length) {
    const extra = args.length - argi;
    throw new FormatError(
      `${extra} argument${extra === 1 ? ' is' : 's are'} left over: the template has ${verbs} verb${verbs === 1 ? '' : 's'} for ${args.length} argument${args.length === 1 ? '' : 's'}`,
      argi,
    );
  }
  return out;
}

function pad(s: string, spec: Spec): string {
  if (spec.width === undefined) return s;
  const len = [...s].length;
  if (len >= spec.width) return s;
  const fill = ' '.repeat(spec.width - len);
  return spec.minus ? s + fill : fill + s;
}

function formatOne(spec: Spec, v: Value, index: number, maxLength: number): string {
  const wrong = (expected: string) => new FormatError(`%${spec.verb} needs ${expected}, got ${describe(v)}`, index);
  const noSharp = () => {
    if (spec.sharp) throw new FormatError(`the # flag is not supported with %${spec.verb}`, -1);
  };
  switch (spec.verb) {
    case 'v':
    case 's': {
      if (spec.sharp && spec.verb === 's') noSharp();
      // Bounded: a value's text may be far larger than the value (a list repeating a big list).
      let s = spec.sharp ? printValue(v, { maxLength }) : display(v, { maxLength });
      if (spec.prec !== undefined) s = [...s].slice(0, spec.prec).join('');
      return s;
    }
    case 'q': {
      noSharp();
      if (typeof v !== 'string') throw wrong('a string');
      return printString(spec.prec !== undefined ? [...v].slice(0, spec.prec).join('') : v);
    }
    case 't':
      noSharp();
      if (typeof v !== 'boolean') throw wrong('a bool');
      return v ? 'true' : 'false';
    case 'd': {
      noSharp();
      if (typeof v !== 'number' || !Number.isInteger(v)) throw wrong('an integer');
      return signed(spec, v < 0, integerDigits(Math.abs(v), 10), true);
    }
    case 'f':
    case 'F': {
      noSharp();
      if (typeof v !== 'number') throw wrong('a number');
      const prec = spec.prec ?? 6;
      if (prec > MAX_PRECISION) throw new FormatError(`precision ${prec} is larger than ${MAX_PRECISION}`, -1);
      const abs = Math.abs(v);
      // toFixed switches to exponent form from 1e21 on; such doubles are integers, BigInt prints them exactly.
      const body = abs >= 1e21 ? `${BigInt(abs).toString()}${prec > 0 ? `.${'0'.repeat(prec)}` : ''}` : fixed(abs, prec);
      return signed({ ...spec, prec: undefined }, v < 0 || Object.is(v, -0), body, true);
    }
    case 'x':
    case 'X': {
      const upper = spec.verb === 'X';
      let s: string;
      if (typeof v === 'string') {
        const bytes = [...Buffer.from(v, 'utf8')].map((b) => (spec.sharp ? (upper ? '0X' : '0x') : '') + b.toString(16).padStart(2, '0'));
        s = spec.space ? bytes.join(' ') : spec.sharp ? (bytes.length ? (upper ? '0X' : '0x') + bytes.map((b) => b.slice(2)).join('') : '') : bytes.join('');
        if (upper) s = s.toUpperCase();
        return s;
      }
      if (typeof v !== 'number' || !Number.isInteger(v)) throw wrong('a string or an integer');
      let digits = integerDigits(Math.abs(v), 16);
      if (upper) digits = digits.toUpperCase();
      const prefix = spec.sharp ? (upper ? '0X' : '0x') : '';
      return signed(spec, v < 0, digits, true, prefix);
    }
    default:
      throw new FormatError(`unknown verb %${spec.verb}`, -1);
  }
}

/**
 * `abs` with `prec` decimals, rounding an exact tie to even as Go does (toFixed rounds ties
 * up: 2.5 → "3" where Go prints "2"). toFixed(100) shows the double's exact expansion far
 * enough to tell a tie from a near-tie.
 */
function fixed(abs: number, prec: number): string {
  const exact = abs.toFixed(MAX_PRECISION);
  const dot = exact.indexOf('.');
  const frac = exact.slice(dot + 1);
  if (frac[prec] !== '5' || !/^0*$/.test(frac.slice(prec + 1))) return abs.toFixed(prec);
  const kept = exact.slice(0, prec === 0 ? dot : dot + 1 + prec);
  const lastDigit = Number(kept[kept.length - 1]);
  return lastDigit % 2 === 0 ? kept : abs.toFixed(prec);
}

function integerDigits(abs: number, radix: number): string {
  return Number.isSafeInteger(abs) ? abs.toString(radix) : BigInt(abs).toString(radix);
}

/** Sign, prefix and digits, honouring precision (minimum digits) and zero padding to the width. */
function signed(spec: Spec, negative: boolean, digits: string, numeric: boolean, prefix = ''): string {
  if (spec.prec !== undefined) digits = digits.padStart(spec.prec, '0');
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  if (numeric && spec.zero && !spec.minus && spec.prec === undefined && spec.width !== undefined) {
    digits = digits.padStart(spec.width - sign.length - prefix.length, '0');
  }
  return sign + prefix + digits;
}
