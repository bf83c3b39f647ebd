// S3 servers for backend tests: buckets on moto (see moto.ts) and an in-process s3rver as a
// second, independent S3 implementation. `s3Url` builds the backend URL the way a MinIO
// user would write it (endpoint host:port, disableSSL, path style).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createRequire } from 'node:module';
import { freePort } from './moto.ts';

// s3rver ships no type declarations; this is the part of it we use.
interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<unknown>;
}
type S3rverClass = new (opts: { port: number; address: string; directory: string; silent: boolean }) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface S3Server {
  endpoint: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3rver(): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 's3rver-'));
  const port = await freePort();
  const server = new S3rver({ port, address: '127.0.0.1', directory: dir, silent: true });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' },
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export async function createBucket(endpoint: string, env: Record<string, string>, name = `sloth-test-${process.pid}-${++counter}`): Promise<string> {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
  return name;
}

/** s3://BUCKET?endpoint=HOST:PORT&disableSSL=true&s3ForcePathStyle=true&region=us-east-1 */
export function s3Url(bucket: string, endpoint: string, prefix = ''): string {
  const host = endpoint.replace(/^https?:\/\//, '');
  return `s3://${bucket}${prefix ? `/${prefix}` : ''}?endpoint=${host}&disableSSL=true&s3ForcePathStyle=true&region=us-east-1`;
}
