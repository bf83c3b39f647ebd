// A backend the state layer cannot use gives one clear line (what, where, what to do) within
// a bounded time — never an internal error or a hang: a file:// path that is not a directory,
// a checkpoint we may not read, a file system that refuses directories (/proc loops Node's
// recursive mkdir forever), and an S3 endpoint that accepts connections and never answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, launcher, runInProcess } from '../../test/helpers/cli.ts';
import { BackendError } from './index.ts';
import { parseBackendUrl } from './backend-url.ts';
import type { S3BackendSpec } from './backend-url.ts';
import { S3BlobStore } from './blob/s3-store.ts';

let home: string;
before(() => {
  home = mkdtempSync(join(tmpdir(), 'backend-errors-'));
  chmodSync(home, 0o755);
});
after(() => rmSync(home, { recursive: true, force: true }));

const cli = (url: string, argv: string[]) => runInProcess(argv, { env: cleanEnv({ HOME: home, PULUMI_BACKEND_URL: url, PULUMI_CONFIG_PASSPHRASE: 'pw' }), cwd: home });

/** One error line and one hint line, exit 1, nothing internal. */
function oneClearLine(r: { code: number; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.match(lines[0]!, message);
  assert.doesNotMatch(r.stderr, /internal error|please report/);
}

test('a file:// path that is a file, or lies under one, is not a directory', async () => {
  const file = join(home, 'a-file');
  writeFileSync(file, 'not a directory\n');
  for (const [path, culprit] of [['/dev/null', '/dev/null'], [file, file], [`${file}/state`, file]] as const) {
    for (const argv of [['stacks', 'list'], ['stacks', 'create', 'dev'], ['stacks', 'info', 'dev']]) {
      oneClearLine(await cli(`file://${path}`, argv), new RegExp(`^error: the backend file://${path}: ${culprit} is not a directory$`));
    }
  }
  // A file inside the backend where a directory belongs.
  const root = join(home, 'state-with-a-file');
  mkdirSync(join(root, '.pulumi'), { recursive: true });
  writeFileSync(join(root, '.pulumi', 'stacks'), '');
  oneClearLine(await cli(`file://${root}`, ['stacks', 'create', 'dev']), new RegExp(`^error: the backend file://${root}: ${root}/\\.pulumi/stacks is a file where the backend needs a directory$`));
});

test('a file system that refuses directories (/proc/self) ends with an error instead of looping', { skip: existsSync('/proc/self') ? false : 'no /proc here', timeout: 60_000 }, async () => {
  for (const path of ['/proc/self', '/proc/self/state']) {
    const dir = path === '/proc/self' ? '/proc/self/.pulumi' : path;
    oneClearLine(await cli(`file://${path}`, ['stacks', 'create', 'dev']), new RegExp(`^error: the backend file://${path}: cannot create the directory ${dir}: its file system does not allow it \\(ENOENT\\)$`));
  }
});

test('a checkpoint the user may not read: permission denied, naming the file', { timeout: 60_000 }, async () => {
  const root = join(home, 'locked');
  assert.equal((await cli(`file://${root}`, ['stacks', 'create', 'dev'])).code, 0);
  const checkpoint = join(root, '.pulumi', 'stacks', 'sloth-kubernetes', 'dev.json');
  // The directories open to all, the checkpoint 0600 (as we write it): another user may list
  // the stacks but not read this one. Root reads everything, so as root the CLI runs as nobody.
  for (const d of [root, join(root, '.pulumi'), join(root, '.pulumi', 'stacks'), join(root, '.pulumi', 'stacks', 'sloth-kubernetes')]) chmodSync(d, 0o755);
  chmodSync(join(root, '.pulumi', 'meta.yaml'), 0o644);
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) chmodSync(checkpoint, 0o000);
  const otherHome = mkdtempSync(join(tmpdir(), 'backend-errors-other-'));
  if (asRoot) chownSync(otherHome, 65534, 65534);
  try {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [launcher, 'stacks', 'info', 'dev'], {
        env: cleanEnv({ HOME: otherHome, PULUMI_BACKEND_URL: `file://${root}`, PULUMI_CONFIG_PASSPHRASE: 'pw', NODE_COMPILE_CACHE: join(otherHome, 'cache') }),
        cwd: otherHome,
        stdio: ['ignore', 'ignore', 'pipe'],
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    oneClearLine({ code: r.code ?? 1, stderr: r.stderr }, new RegExp(`^error: the backend file://${root}: permission denied to read ${checkpoint}$`));
  } finally {
    rmSync(otherHome, { recursive: true, force: true });
  }
});

test('an S3 endpoint that accepts connections and never answers: a clear error naming the timeouts, within them', { timeout: 60_000 }, async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  try {
    const spec = parseBackendUrl(`s3://state-bucket?endpoint=${endpoint}&s3ForcePathStyle=true&region=us-east-1`, { homedir: home, cwd: home }) as S3BackendSpec;
    const store = new S3BlobStore(spec, { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' }, { connectMs: 1000, readMs: 1500, attempts: 2 });
    try {
      await assert.rejects(store.get('.pulumi/meta.yaml'), (err: unknown) => {
        assert.ok(err instanceof BackendError, String(err));
        assert.equal(
          err.message,
          `the backend ${spec.url} (.pulumi/meta.yaml) did not answer a request to read: ${endpoint} sent nothing for 1.5 s (read timeout; 2 attempts, connect timeout 1 s)`,
        );
        return true;
      });
    } finally {
      store.close();
    }
    assert.equal(sockets.length, 2, 'one connection per attempt');
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

