// Property values between memory and checkpoint JSON (STATE-FORMAT.md §3). Only secrets get
// special treatment: a secret is written as {sig, ciphertext} where the ciphertext encrypts
// the JSON of the inner value; secrets nested inside a secret carry their own JSON text as
// "ciphertext" (Pulumi serialises the inner value with a no-op encrypter). Assets, archives,
// resource references and special floats are kept as the signature objects they are.
import { Secret } from '../types.ts';
import type { PropertyMap, PropertyValue } from '../types.ts';

export const SIG_KEY = '4dabf18193072939515e22adb298388d';
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';
const ASSET_SIG = 'c44067f5952c0a294b673a41bacd8c17';
const ARCHIVE_SIG = '0def7320c3a5731c473e5ecbe6d01bc7';
const RESOURCE_REF_SIG = '5cf8f73096256a8f31e491e813e4eb8e';
const FLOAT_SIG = '8ad145fe-0d11-4827-bfd7-1abcbf086f5c';
const PASS_THROUGH_SIGS = new Set([ASSET_SIG, ARCHIVE_SIG, RESOURCE_REF_SIG, FLOAT_SIG]);

export class PropertyValueError extends Error {}

export interface DecodeOptions {
  /** Returns the plaintext JSON of a secret's ciphertext. */
  decrypt(ciphertext: string): string;
  /** Decrypt each secret when its value is first read (Secret.sealed), not now. */
  sealed?: boolean;
}

const nested: DecodeOptions = { decrypt: (text) => text };

export function isSecretObject(v: unknown): v is { ciphertext?: string; plaintext?: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Whether a value as a checkpoint stores it holds a secret anywhere (stops at the first one). */
export function holdsSecretObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some(holdsSecretObject);
  if (isSecretObject(v)) return true;
  for (const e of Object.values(v)) if (holdsSecretObject(e)) return true;
  return false;
}

export function decodeValue(v: unknown, opts: DecodeOptions, path: string, top = true): PropertyValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((e, i) => decodeValue(e, opts, `${path}[${i}]`, top));
  if (typeof v !== 'object') throw new PropertyValueError(`${path}: unsupported value`);
  const obj = v as Record<string, unknown>;
  const sig = obj[SIG_KEY];
  if (sig === undefined) return decodeMap(obj, opts, path, top);
  if (sig === SECRET_SIG) {
    const { ciphertext, plaintext } = obj as { ciphertext?: unknown; plaintext?: unknown };
    const hasCt = typeof ciphertext === 'string' && ciphertext !== '';
    const hasPt = typeof plaintext === 'string' && plaintext !== '';
    if (hasCt === hasPt) throw new PropertyValueError(`${path}: a secret needs exactly one of "ciphertext" or "plaintext"`);
    const open = () => {
      const json = hasCt ? opts.decrypt(ciphertext as string) : (plaintext as string);
      let inner: unknown;
      try {
        inner = JSON.parse(json);
      } catch {
        throw new PropertyValueError(`${path}: a secret's decrypted value is not JSON`);
      }
      return decodeValue(inner, nested, path, false);
    };
    if (hasCt && top && opts.sealed) return Secret.sealed(ciphertext as string, open);
    // Only a real (top-level) ciphertext is worth caching: nested "ciphertexts" are plain JSON.
    return new Secret(open(), hasCt && top ? (ciphertext as string) : undefined);
  }
  if (typeof sig === 'string' && PASS_THROUGH_SIGS.has(sig)) return decodeMap(obj, nested, path, false, true);
  throw new PropertyValueError(`${path}: unknown special value signature '${String(sig)}'`);
}

function decodeMap(obj: Record<string, unknown>, opts: DecodeOptions, path: string, top: boolean, raw = false): PropertyMap {
  const out: PropertyMap = {};
  for (const [k, e] of Object.entries(obj)) out[k] = raw ? (e as PropertyValue) : decodeValue(e, opts, `${path}.${k}`, top);
  return out;
}

export function decodeMapValue(v: unknown, opts: DecodeOptions, path: string): PropertyMap {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PropertyValueError(`${path}: expected an object`);
  return decodeMap(v as Record<string, unknown>, opts, path, true);
}

export interface EncodeOptions {
  encrypt(plaintext: string): string;
  /** Reuse a secret's cached ciphertext (false when re-keying, e.g. on import). */
  reuseCiphertext: boolean;
  /** Write secrets as {plaintext} (export --show-secrets). */
  showSecrets?: boolean;
}

export function encodeValue(v: PropertyValue, opts: EncodeOptions, top = true): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return v;
    const buf = Buffer.alloc(8);
    buf.writeDoubleBE(v);
    return { [SIG_KEY]: FLOAT_SIG, value: buf.toString('hex') };
  }
  if (Array.isArray(v)) return v.map((e) => encodeValue(e, opts, top));
  if (v instanceof Secret) {
    const innerJson = () => JSON.stringify(encodeValue(v.value, { encrypt: (t) => t, reuseCiphertext: false }, false));
    if (opts.showSecrets) return { [SIG_KEY]: SECRET_SIG, plaintext: innerJson() };
    if (!top) return { [SIG_KEY]: SECRET_SIG, ciphertext: innerJson() };
    if (opts.reuseCiphertext && v.ciphertext) return { [SIG_KEY]: SECRET_SIG, ciphertext: v.ciphertext };
    const ciphertext = opts.encrypt(innerJson());
    if (opts.reuseCiphertext) v.ciphertext = ciphertext;
    return { [SIG_KEY]: SECRET_SIG, ciphertext };
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (typeof v !== 'object' || (proto !== Object.prototype && proto !== null)) {
    throw new PropertyValueError(`${Object.prototype.toString.call(v)} is not a property value (use null, booleans, numbers, strings, arrays, plain objects or Secret)`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(v)) if (e !== undefined) out[k] = encodeValue(e, opts, top);
  return out;
}

export function containsSecret(v: PropertyValue | undefined): boolean {
  if (v instanceof Secret) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (v && typeof v === 'object') return Object.values(v).some(containsSecret);
  return false;
}
