// s3:// backend through the AWS SDK v3, so AWS S3 and S3-compatible stores (MinIO,
// DigitalOcean Spaces, Backblaze B2) all work. A PUT replaces an object atomically, so a
// reader never sees a torn checkpoint. Credentials come from the environment we are given
// (AWS_ACCESS_KEY_ID/…), else from the AWS profile (URL `profile`, AWS_PROFILE) or the
// SDK's default chain (SSO, instance roles, …).
import { randomUUID } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { S3BackendSpec } from '../backend-url.ts';
import { BackendError } from '../errors.ts';
import type { Env } from '../settings.ts';
import type { BlobInfo, BlobStore } from './blob-store.ts';

/**
 * How long a request may wait, so that a server that accepts and never answers ends in a
 * clear error: at most `attempts` × (connect + read) plus the SDK's short back-off between
 * attempts — about a minute with the defaults.
 */
export interface S3Timeouts {
  /** To establish the TCP connection. */
  connectMs: number;
  /** Without a byte received or sent once connected (TLS handshake, headers, body). */
  readMs: number;
  attempts: number;
}

export const S3_TIMEOUTS: Readonly<S3Timeouts> = { connectMs: 5_000, readMs: 20_000, attempts: 3 };

export class S3BlobStore implements BlobStore {
  readonly url: string;
  readonly stats = { bytesWritten: 0, writes: 0 };
  private readonly client: S3Client;
  private readonly spec: S3BackendSpec;
  private readonly timeouts: S3Timeouts;
  private readonly endpoint: string | undefined;
  private atomicCreate: Promise<boolean> | undefined;

  constructor(spec: S3BackendSpec, env: Env, timeouts: S3Timeouts = S3_TIMEOUTS) {
    this.spec = spec;
    this.url = spec.url;
    this.timeouts = timeouts;
    const endpoint = spec.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
    this.endpoint = endpoint;
    const credentials =
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined }
        : undefined;
    this.client = new S3Client({
      region: spec.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      endpoint,
      forcePathStyle: spec.forcePathStyle,
      credentials,
      profile: credentials ? undefined : (spec.profile ?? env.AWS_PROFILE),
      followRegionRedirects: true,
      useAccelerateEndpoint: spec.accelerate,
      useFipsEndpoint: spec.fips,
      useDualstackEndpoint: spec.dualstack,
      requestChecksumCalculation: spec.requestChecksum,
      responseChecksumValidation: spec.responseChecksum,
      maxAttempts: timeouts.attempts,
      requestHandler: { connectionTimeout: timeouts.connectMs, socketTimeout: timeouts.readMs },
    });
  }

  private key(key: string): string {
    return this.spec.prefix + key;
  }

  private fail(err: unknown, action: string, key?: string): never {
    const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const where = `${this.url}${key ? ` (${key})` : ''}`;
    const code = e.code ?? e.name ?? '';
    if (code === 'TimeoutError') {
      const t = this.timeouts;
      const connecting = /establish a connection/.test(e.message ?? '');
      const server = this.endpoint ? `${this.endpoint} ` : '';
      throw new BackendError(
        connecting
          ? `cannot reach the backend ${where} to ${action}: no connection to ${server}within ${t.connectMs / 1000} s (connect timeout; ${t.attempts} attempts)`
          : `the backend ${where} did not answer a request to ${action}: ${server}sent nothing for ${t.readMs / 1000} s (read timeout; ${t.attempts} attempts, connect timeout ${t.connectMs / 1000} s)`,
        { hint: 'Check the endpoint in the backend URL and your network (a proxy or firewall that accepts connections and never answers looks like this).', cause: err },
      );
    }
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|TimeoutError/.test(`${code} ${e.message ?? ''}`)) {
      throw new BackendError(`cannot reach the backend ${where} to ${action}: ${e.message ?? code}`, {
        hint: 'Check the endpoint and region in the backend URL and your network; nothing was changed.',
        cause: err,
      });
    }
    if (/EPROTO|wrong version number/.test(`${code} ${e.message ?? ''}`)) {
      throw new BackendError(`the endpoint of ${this.url} does not speak HTTPS`, {
        hint: 'For a plain-HTTP endpoint (a local MinIO) add disableSSL=true to the URL, or give the endpoint as http://HOST:PORT.',
      });
    }
    if (code === 'NoSuchBucket') {
      throw new BackendError(`bucket '${this.spec.bucket}' does not exist (${this.url})`, {
        hint: `Create it first (aws s3 mb s3://${this.spec.bucket}) or fix PULUMI_BACKEND_URL.`,
      });
    }
    if (/AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden/.test(code) || e.$metadata?.httpStatusCode === 403) {
      throw new BackendError(`access denied by ${where} while trying to ${action} (${code})`, {
        hint: 'Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and the bucket policy (s3:GetObject, s3:PutObject, s3:DeleteObject, s3:ListBucket).',
      });
    }
    if (/CredentialsProviderError|Could not load credentials/.test(`${code} ${e.message ?? ''}`)) {
      throw new BackendError(`no AWS credentials for ${this.url}`, {
        hint: 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or add profile=NAME to the backend URL.',
      });
    }
    throw new BackendError(`the backend ${where} failed to ${action}: ${code ? `${code}: ` : ''}${e.message ?? String(err)}`, { cause: err });
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.spec.bucket, Key: this.key(key) }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      this.fail(err, 'read', key);
    }
  }

  private putInput(key: string, data: Buffer | string): PutObjectCommandInput {
    return {
      Bucket: this.spec.bucket,
      Key: this.key(key),
      Body: typeof data === 'string' ? Buffer.from(data) : data,
      ContentType: key.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      ServerSideEncryption: this.spec.sseType,
      SSEKMSKeyId: this.spec.sseKmsKeyId,
    };
  }

  private count(data: Buffer | string): void {
    this.stats.bytesWritten += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.stats.writes++;
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand(this.putInput(key, data)));
      this.count(data);
    } catch (err) {
      this.fail(err, 'write', key);
    }
  }

  async create(key: string, data: Buffer | string): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({ ...this.putInput(key, data), IfNoneMatch: '*' }));
      this.count(data);
      return true;
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) return false;
      this.fail(err, 'write', key);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.spec.bucket, Key: this.key(key) }));
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return;
      this.fail(err, 'delete', key);
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    // One request per 1,000 keys, the most S3's DeleteObjects takes.
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      let failed: { Key?: string; Code?: string; Message?: string } | undefined;
      try {
        const r = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.spec.bucket, Delete: { Objects: chunk.map((k) => ({ Key: this.key(k) })), Quiet: true } }),
        );
        failed = r.Errors?.find((e) => e.Code !== 'NoSuchKey');
      } catch (err) {
        this.fail(err, 'delete', chunk[0]);
      }
      if (failed) this.fail({ name: failed.Code, message: failed.Message }, 'delete', failed.Key?.slice(this.spec.prefix.length));
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.spec.bucket, Prefix: this.key(prefix), ContinuationToken: token }),
        );
        for (const o of r.Contents ?? []) {
          if (!o.Key) continue;
          out.push({ key: o.Key.slice(this.spec.prefix.length), modified: o.LastModified ?? new Date(0), size: o.Size ?? 0 });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      this.fail(err, 'list', prefix);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async copy(from: string, to: string): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.spec.bucket,
          Key: this.key(to),
          CopySource: `${this.spec.bucket}/${this.key(from).split('/').map(encodeURIComponent).join('/')}`,
          ServerSideEncryption: this.spec.sseType,
          SSEKMSKeyId: this.spec.sseKmsKeyId,
        }),
      );
      this.stats.writes++;
    } catch (err) {
      this.fail(err, 'copy', from);
    }
  }

  /** Probes once whether this server honours `If-None-Match: *` on PUT. */
  exclusiveCreateIsAtomic(): Promise<boolean> {
    this.atomicCreate ??= (async () => {
      const probe = `.pulumi/locks/.sloth-probe-${randomUUID()}`;
      await this.create(probe, 'probe');
      const second = await this.create(probe, 'probe');
      await this.delete(probe);
      return !second;
    })();
    return this.atomicCreate;
  }

  close(): void {
    this.client.destroy();
  }
}
