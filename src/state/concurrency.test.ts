// Ten writers, as real processes, race for one stack's lock: exactly one proceeds, the
// others exit with the lock error, and the checkpoint is intact afterwards. Run against a
// file backend, S3 on moto (conditional PUT), and s3rver (which ignores If-None-Match, so
// the write-then-list fallback is what keeps writers apart).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openStateStore } from './index.ts';
import { MOTO_MISSING, startMoto } from '../../test/helpers/moto.ts';
import type { MotoServer } from '../../test/helpers/moto.ts';
import { createBucket, s3Url, startS3rver } from '../../test/helpers/s3.ts';
import type { S3Server } from '../../test/helpers/s3.ts';

const writer = fileURLToPath(new URL('../../test/fixtures/state/writer.ts', import.meta.url));
const WRITERS = 10;
let home: string;
let moto: MotoServer | undefined;
let s3rver: S3Server;

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'race-'));
  [moto, s3rver] = await Promise.all([startMoto(), startS3rver()]);
});
after(async () => {
  await Promise.all([moto?.stop(), s3rver?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

interface Writer {
  child: ChildProcess;
  lines: AsyncIterator<string>;
  out: string[];
  exit: Promise<number>;
}

async function race(url: string, env: Record<string, string>, atomic: boolean): Promise<void> {
  const store = await openStateStore({ env: { ...env, PULUMI_BACKEND_URL: url }, homedir: home, cwd: home });
  await store.createStack('dev', { passphrase: 'pw' });
  const writers: Writer[] = Array.from({ length: WRITERS }, () => {
    const child = spawn(process.execPath, [writer, url, 'dev', 'race'], {
      env: { ...env, HOME: home, PATH: process.env.PATH, PULUMI_CONFIG_PASSPHRASE: 'pw' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const out: string[] = [];
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const exit = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
    return { child, lines, out, exit };
  });
  const nextLine = async (w: Writer) => {
    const r = await w.lines.next();
    if (!r.done) w.out.push(r.value);
    return r.done ? '' : r.value;
  };
  for (const w of writers) assert.equal(await nextLine(w), 'ready');
  for (const w of writers) w.child.stdin!.write('go\n');
  const first = await Promise.all(writers.map(nextLine));
  const winners = writers.filter((_, i) => first[i] === 'locked');
  const losers = writers.filter((_, i) => first[i] !== 'locked');
  const loserCodes = await Promise.all(losers.map((w) => w.exit));
  for (const [i, w] of losers.entries()) {
    while ((await nextLine(w)) !== '');
    const text = w.out.join('\n');
    assert.match(text, /error: the stack is currently locked by another process/, text);
    assert.match(text, /stacks cancel dev/);
    assert.equal(loserCodes[i], 1);
  }
  if (atomic) assert.equal(winners.length, 1, `winners: ${winners.length}`);
  else assert.ok(winners.length <= 1, `winners: ${winners.length}`);
  for (const w of winners) {
    w.child.stdin!.write('finish\n');
    assert.equal(await nextLine(w), 'finished');
    assert.equal(await w.exit, 0);
  }
  const s = await store.openStack('dev', { passphrase: async () => 'pw' });
  assert.deepEqual(s.problems, []);
  assert.equal(s.deployment.resources.length, winners.length);
  assert.deepEqual(await store.locks('dev'), []);
  store.close();
}

test('10 writers on a file backend: one proceeds, nine get the lock error', () => race(`file://${home}/file`, {}, true));

test('10 writers on S3 (moto, conditional PUT): one proceeds, nine get the lock error', async (t) => {
  if (!moto) return t.skip(MOTO_MISSING);
  const bucket = await createBucket(moto.endpoint, moto.env);
  await race(s3Url(bucket, moto.endpoint), moto.env, true);
});

test('10 writers on s3rver (no conditional PUT; write-then-list fallback): never two', async () => {
  const bucket = await createBucket(s3rver.endpoint, s3rver.env);
  await race(s3Url(bucket, s3rver.endpoint), s3rver.env, false);
});
