// One rule for stack names on every backend: a name is one path segment, never '.' or '..',
// and no key of a stack can be built from a name that breaks it (so no caller can reach
// another stack's objects, whichever store operation or backend it goes through).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBucket, s3Url, startS3rver } from '../../test/helpers/s3.ts';
import type { S3Server } from '../../test/helpers/s3.ts';
import { InvalidStackNameError, isValidStackName, openStateStore } from './index.ts';
import type { StateStore } from './index.ts';
import { keys } from './layout.ts';

const BAD = ['.', '..', 'a/b', '../x', 'x/..', '', 'a'.repeat(101), 'a b', 'a\\b'];
const passphrase = async () => 'names';

let home: string;
let s3rver: S3Server;
before(async () => {
  home = mkdtempSync(join(tmpdir(), 'state-names-'));
  s3rver = await startS3rver();
});
after(async () => {
  await s3rver.stop();
  rmSync(home, { recursive: true, force: true });
});

test('the name rule: one segment of letters, digits, -, _ and .; not . or ..', () => {
  for (const good of ['dev', 'my-cluster', 'prod_eu.1', '...', '.hidden', 'a'.repeat(100)]) assert.ok(isValidStackName(good), good);
  for (const bad of BAD) assert.ok(!isValidStackName(bad), bad);
});

test('no key of a stack is built from a bad name', () => {
  for (const [what, key] of Object.entries(keys)) {
    for (const bad of BAD) assert.throws(() => (key as (s: string, x: never) => string)(bad, '1' as never), InvalidStackNameError, `${what}(${JSON.stringify(bad)})`);
  }
});

for (const backend of ['file', 's3']) {
  test(`every store operation on a ${backend} backend refuses bad names and changes nothing`, async () => {
    const url = backend === 'file' ? `file://${home}/state` : s3Url(await createBucket(s3rver.endpoint, s3rver.env), s3rver.endpoint);
    const store: StateStore = await openStateStore({ env: { ...(backend === 's3' ? s3rver.env : {}), PULUMI_BACKEND_URL: url }, homedir: home, cwd: home });
    try {
      await store.createStack('victim', { passphrase: 'names' });
      const before = (await store.blob.list('')).map((o) => o.key);
      const export_ = await store.exportStack('victim');
      for (const bad of ['.', '..', 'a/b']) {
        const ops: [string, () => Promise<unknown> | unknown][] = [
          ['createStack', () => store.createStack(bad, { passphrase: 'names' })],
          ['stackExists', () => store.stackExists(bad)],
          ['openStack', () => store.openStack(bad, { passphrase })],
          ['inspectStack', () => store.inspectStack(bad)],
          ['history', () => store.history(bad)],
          ['deleteStack', () => store.deleteStack(bad, { force: true })],
          ['cancel', () => store.cancel(bad)],
          ['exportStack', () => store.exportStack(bad)],
          ['importStack', () => store.importStack(bad, export_, { passphrase, force: true })],
          ['editStack', () => store.editStack(bad, { passphrase, message: 'x' }, (d) => ({ resources: d.resources, changes: [], unfixable: [] }))],
          ['attachments', () => store.attachments(bad)],
          ['locks', () => store.locks(bad)],
        ];
        for (const [name, op] of ops) await assert.rejects(async () => op(), InvalidStackNameError, `${name}(${bad})`);
      }
      assert.deepEqual((await store.blob.list('')).map((o) => o.key), before);
      assert.deepEqual((await store.listStacks()).map((s) => s.name), ['victim']);
    } finally {
      store.close();
    }
  });
}
