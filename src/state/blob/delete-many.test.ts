// deleteMany on every kind of store: a file directory, S3 on moto and on s3rver (DeleteObjects,
// past its 1,000-key limit on one request): the named objects go, missing ones are no error,
// and nothing else is touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '../index.ts';
import { MOTO_MISSING, startMoto } from '../../../test/helpers/moto.ts';
import type { MotoServer } from '../../../test/helpers/moto.ts';
import { createBucket, s3Url, startS3rver } from '../../../test/helpers/s3.ts';
import type { S3Server } from '../../../test/helpers/s3.ts';

let home: string;
let moto: MotoServer | undefined;
let s3rver: S3Server;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'delete-many-'));
  [moto, s3rver] = await Promise.all([startMoto(), startS3rver()]);
});
after(async () => {
  await Promise.all([moto?.stop(), s3rver?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

async function check(url: string, env: Record<string, string>, n: number): Promise<void> {
  const store = await openStateStore({ env: { ...env, PULUMI_BACKEND_URL: url }, homedir: home, cwd: home });
  try {
    const blob = store.blob;
    const doomed = Array.from({ length: n }, (_, i) => `many/gone/${String(i).padStart(4, '0')}.json`);
    for (let i = 0; i < n; i += 50) await Promise.all(doomed.slice(i, i + 50).map((k) => blob.put(k, '{}')));
    await blob.put('many/kept.json', '{"keep":true}');
    await blob.deleteMany([...doomed, 'many/never-was.json']);
    assert.deepEqual((await blob.list('many/')).map((o) => o.key), ['many/kept.json']);
    assert.equal((await blob.get('many/kept.json'))?.toString(), '{"keep":true}');
    await blob.deleteMany([]);
  } finally {
    store.close();
  }
}

test('deleteMany on a file backend', () => check(`file://${home}/file`, {}, 300));

test('deleteMany on S3 (moto): more keys than one DeleteObjects request takes', async (t) => {
  if (!moto) return t.skip(MOTO_MISSING);
  const bucket = await createBucket(moto.endpoint, moto.env);
  await check(s3Url(bucket, moto.endpoint, 'pre'), moto.env, 1005);
});

test('deleteMany on s3rver', async () => {
  const bucket = await createBucket(s3rver.endpoint, s3rver.env);
  await check(s3Url(bucket, s3rver.endpoint), s3rver.env, 120);
});
