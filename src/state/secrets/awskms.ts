// Pulumi's `cloud` secrets provider with an AWS KMS key (STATE-FORMAT.md §5): a random
// 32-byte data key is encrypted by KMS and stored as `encryptedkey` (standard base64) next
// to the `awskms://` URL; secrets are AES-256-GCM under the data key itself, in the same
// `v1:` format as the passphrase provider. Decrypting the data key once per open is the
// only KMS call.
import { randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { decryptV1, encryptV1 } from './aes-gcm.ts';
import type { Crypter } from './crypter.ts';
import { NotSupportedError, SecretsError } from '../errors.ts';
import type { Env } from '../settings.ts';

export interface KmsUrl {
  url: string;
  keyId: string;
  region?: string;
  endpoint?: string;
  profile?: string;
  context: Record<string, string>;
}

const UNSUPPORTED = ['role', 'fips', 'dualstack', 'anonymous', 'hostname_immutable', 'rate_limiter_capacity', 'request_checksum_calculation', 'response_checksum_validation', 'awssdk'];

export function parseKmsUrl(url: string): KmsUrl {
  const m = /^awskms:\/\/([^?#]*)(?:\?([^#]*))?$/.exec(url);
  if (!m) throw new SecretsError(`'${url}' is not an awskms:// URL`);
  const keyId = decodeURIComponent(m[1]!).replace(/^\/+/, '');
  if (!keyId) throw new SecretsError(`${url}: no KMS key id, alias or ARN`);
  const out: KmsUrl = { url, keyId, context: {} };
  for (const [k, v] of new URLSearchParams(m[2] ?? '')) {
    if (k === 'region') out.region = v;
    else if (k === 'endpoint') out.endpoint = /^https?:\/\//.test(v) ? v : `https://${v}`;
    else if (k === 'profile') out.profile = v;
    else if (k.startsWith('context_') && k.length > 8) out.context[k.slice(8)] = v;
    else if (UNSUPPORTED.includes(k)) throw new NotSupportedError(`${url}: parameter ${k} is not supported yet`);
    else throw new SecretsError(`${url}: unknown parameter '${k}' for awskms://`, { hint: 'Known parameters: region, endpoint, profile, context_<key>.' });
  }
  return out;
}

/** The awskms:// URL for what a user passes to --kms-key: an ARN, alias/NAME, a key id or a URL. */
export function kmsUrlFor(key: string, env: Env): string {
  if (key.startsWith('awskms://')) return parseKmsUrl(key).url;
  const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d+:(key|alias)\/.+$/.exec(key);
  if (arn) return `awskms:///${key}?region=${arn[1]}`;
  if (/^(alias\/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/.test(key)) {
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new SecretsError(`cannot tell which AWS region the KMS key '${key}' is in`, {
        hint: 'Set AWS_REGION, or pass the key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID).',
      });
    }
    return `awskms://${key}?region=${encodeURIComponent(region)}`;
  }
  throw new SecretsError(`'${key}' is not a KMS key: use an ARN, alias/NAME, a key id or an awskms:// URL`);
}

/** The AWS SDK is loaded only for a KMS-encrypted stack (it costs ~0.1 s of start-up). */
const kmsSdk = () => import('@aws-sdk/client-kms');

async function client(k: KmsUrl, env: Env): Promise<KMSClient> {
  const { KMSClient } = await kmsSdk();
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined }
      : undefined;
  return new KMSClient({
    region: k.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint: k.endpoint ?? env.AWS_ENDPOINT_URL_KMS ?? env.AWS_ENDPOINT_URL,
    credentials,
    profile: credentials ? undefined : (k.profile ?? env.AWS_PROFILE),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
}

function kmsFailure(err: unknown, k: KmsUrl, action: string): SecretsError {
  const e = err as { name?: string; code?: string; message?: string };
  const code = e.code ?? e.name ?? '';
  if (code === 'NotFoundException') return new SecretsError(`KMS key '${k.keyId}' not found (${action})`, { hint: 'Check the key id/alias and its region.' });
  if (/AccessDenied/.test(code)) return new SecretsError(`access to KMS key '${k.keyId}' denied (${action})`, { hint: 'The AWS identity needs kms:Encrypt and kms:Decrypt on the key.' });
  if (code === 'InvalidCiphertextException') {
    return new SecretsError(`KMS refused the stack's data key (${action}): it was encrypted under another key or encryption context`);
  }
  return new SecretsError(`KMS failed to ${action} with key '${k.keyId}': ${code ? `${code}: ` : ''}${e.message ?? String(err)}`, { cause: err });
}

export class KmsCrypter implements Crypter {
  readonly provider: { type: 'cloud'; state: { url: string; encryptedkey: string } };
  readonly description: string;
  private readonly key: Buffer;
  private readonly stack: string;

  private constructor(url: string, encryptedKey: string, key: Buffer, stack: string) {
    this.provider = { type: 'cloud', state: { url, encryptedkey: encryptedKey } };
    this.description = `AWS KMS (${parseKmsUrl(url).keyId})`;
    this.key = key;
    this.stack = stack;
  }

  static async create(url: string, env: Env, stack: string): Promise<KmsCrypter> {
    const k = parseKmsUrl(url);
    const kms = await client(k, env);
    const { EncryptCommand } = await kmsSdk();
    const dataKey = randomBytes(32);
    try {
      const r = await kms.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: dataKey, EncryptionContext: k.context }));
      return new KmsCrypter(url, Buffer.from(r.CiphertextBlob!).toString('base64'), dataKey, stack);
    } catch (err) {
      throw kmsFailure(err, k, 'encrypt the stack data key');
    } finally {
      kms.destroy();
    }
  }

  static async unlock(state: unknown, env: Env, stack: string): Promise<KmsCrypter> {
    const s = state as { url?: unknown; encryptedkey?: unknown } | null;
    if (!s || typeof s.url !== 'string' || typeof s.encryptedkey !== 'string') {
      throw new SecretsError(`stack '${stack}': malformed cloud secrets provider state (needs url and encryptedkey)`);
    }
    if (!s.url.startsWith('awskms://')) {
      throw new NotSupportedError(`stack '${stack}' uses the secrets provider ${s.url.split('://')[0]}://, which is not supported yet (only awskms://)`);
    }
    const k = parseKmsUrl(s.url);
    const kms = await client(k, env);
    const { DecryptCommand } = await kmsSdk();
    try {
      const r = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(s.encryptedkey, 'base64'), EncryptionContext: k.context }));
      return new KmsCrypter(s.url, s.encryptedkey, Buffer.from(r.Plaintext!), stack);
    } catch (err) {
      throw kmsFailure(err, k, 'decrypt the stack data key');
    } finally {
      kms.destroy();
    }
  }

  encrypt(plaintext: string): string {
    return encryptV1(this.key, plaintext);
  }

  decrypt(ciphertext: string, where?: string): string {
    const out = decryptV1(this.key, ciphertext);
    if (out === undefined) throw new SecretsError(`a secret${where ? ` in ${where}` : ''} of stack '${this.stack}' does not decrypt with the stack's KMS data key`);
    return out;
  }
}
