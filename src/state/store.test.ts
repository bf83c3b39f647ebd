import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BackendConfigError,
  CheckpointError,
  IncorrectPassphraseError,
  NotSupportedError,
  openStateStore,
  PassphraseRequiredError,
  Secret,
  setStackOutputs,
  StackExistsError,
  StackLockedError,
  StackNotFoundError,
  UnsupportedCheckpointError,
  planDelete,
  planRepair,
  planUnprotect,
} from './index.ts';
import type { ResourceState, StateStore } from './index.ts';

const passphrase = async () => 'correct horse';
const urn = (name: string, type = 'test:index:Thing') => `urn:pulumi:dev::sloth-kubernetes::${type}::${name}`;
const thing = (name: string, extra: Partial<ResourceState> = {}): ResourceState => ({ urn: urn(name), custom: true, type: 'test:index:Thing', id: `id-${name}`, ...extra });

let home: string;
let root: string;
let store: StateStore;
const ckpt = () => join(root, '.pulumi/stacks/sloth-kubernetes/dev.json');

/** Every file of the backend with its hash: proves a failed operation changed nothing. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of await store.blob.list('')) out[o.key] = createHash('sha256').update((await store.blob.get(o.key))!).digest('hex');
  return out;
}

async function seed(resources: ResourceState[]): Promise<void> {
  const u = await (await store.openStack('dev', { passphrase })).beginUpdate('update', 'seed');
  await u.record(resources.map((resource) => ({ op: 'put' as const, resource })));
  await u.finish({ result: 'succeeded', resourceChanges: { create: resources.length } });
}

describe('file backend stack store', () => {
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'store-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  test('create, update, reopen: layout, history, .bak and modes', async () => {
    root = join(home, 's1');
    store = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${root}` }, homedir: home, cwd: home });
    await store.createStack('dev', { passphrase: 'correct horse' });
    await assert.rejects(store.createStack('dev', { passphrase: 'x' }), StackExistsError);
    assert.equal(readFileSync(join(root, '.pulumi/meta.yaml'), 'utf8'), 'version: 1\n');
    assert.equal(statSync(ckpt()).mode & 0o777, 0o600);
    await seed([thing('a'), thing('b', { dependencies: [urn('a')], outputs: { password: new Secret('hunter2') } })]);
    await seed([thing('c')]);
    const s = await store.openStack('dev', { passphrase });
    assert.deepEqual(s.deployment.resources.map((r) => r.urn), [urn('a'), urn('b'), urn('c')]);
    assert.equal(((s.deployment.resources[1]!.outputs!.password) as Secret).value, 'hunter2');
    const history = await s.history();
    assert.equal(history.length, 2);
    assert.equal(history[0]!.resourceChanges.create, 1);
    assert.ok(readFileSync(`${ckpt()}.bak`, 'utf8').includes(urn('b')));
    assert.ok(!readFileSync(ckpt(), 'utf8').includes('hunter2'));
    const list = await store.listStacks();
    assert.deepEqual(list.map((x) => [x.name, x.resourceCount]), [['dev', 3]]);
  });

  test('a second writer gets the lock error naming the holder; cancel releases it', async () => {
    const s = await store.openStack('dev', { passphrase });
    const other = await store.openStack('dev', { passphrase });
    const u = await s.beginUpdate('update');
    await assert.rejects(s.beginUpdate('update'), /already in progress on this handle/);
    await assert.rejects(other.beginUpdate('update'), (err: unknown) => {
      assert.ok(err instanceof StackLockedError);
      assert.equal(err.message, 'the stack is currently locked by another process');
      assert.match(err.hint!, new RegExp(`pid ${process.pid}`));
      assert.match(err.hint!, /sloth-kubernetes stacks cancel dev/);
      return true;
    });
    const holders = await store.cancel('dev');
    assert.equal(holders.length, 1);
    // The cancelled holder can no longer write its final checkpoint; what it recorded stays in the journal.
    await u.record([{ op: 'put', resource: thing('late') }]);
    await assert.rejects(u.finish({ result: 'succeeded', resourceChanges: {} }), /lock of stack 'dev' was removed/);
    await assert.rejects(s.beginUpdate('update'), /was abandoned/);
    const again = await store.openStack('dev', { passphrase });
    assert.ok(again.deployment.resources.some((r) => r.urn === urn('late')));
    assert.equal(again.journalRecords, 1);
    // The next update folds the journal into the checkpoint first.
    const u2 = await again.beginUpdate('update');
    await u2.finish({ result: 'succeeded', resourceChanges: {} });
    const after = await store.openStack('dev', { passphrase });
    assert.equal(after.journalRecords, 0);
    assert.ok(after.deployment.resources.some((r) => r.urn === urn('late')));
  });

  test('one handle runs several updates in a row and follows its own changes', async () => {
    const s = await store.openStack('dev', { passphrase });
    const n = s.deployment.resources.length;
    for (const name of ['seq-1', 'seq-2']) {
      const u = await s.beginUpdate('refresh');
      await u.record([{ op: 'put', resource: thing(name) }]);
      await u.finish({ result: 'succeeded', resourceChanges: { create: 1 } });
    }
    assert.equal(s.deployment.resources.length, n + 2);
    assert.deepEqual((await s.history(2)).map((h) => h.kind), ['refresh', 'refresh']);
    const fresh = await store.openStack('dev', { passphrase });
    assert.deepEqual(fresh.deployment.resources.map((r) => r.urn), s.deployment.resources.map((r) => r.urn));
  });

  test('a lock held by a dead process on this host is reported as stale', async () => {
    const dir = join(root, '.pulumi/locks/organization/sloth-kubernetes/dev');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const { hostname } = await import('node:os');
    writeFileSync(join(dir, '6f1c5d8e-0000-4000-8000-000000000001.json'), JSON.stringify({ pid: 2 ** 22 + 7, username: 'ghost', hostname: hostname(), timestamp: '2026-01-02T03:04:05Z' }));
    const s = await store.openStack('dev', { passphrase });
    await assert.rejects(s.beginUpdate('update'), (err: unknown) => {
      assert.ok(err instanceof StackLockedError);
      assert.match(err.hint!, /Stale lock: held by ghost@/);
      assert.match(err.hint!, /stacks cancel dev/);
      return true;
    });
    assert.equal((await store.cancel('dev'))[0]!.stale, true);
  });

  test('wrong or missing passphrase: clear error, nothing changed', async () => {
    const before = await snapshot();
    await assert.rejects(store.openStack('dev', { passphrase: async () => 'wrong' }), IncorrectPassphraseError);
    await assert.rejects(store.openStack('dev', {}), PassphraseRequiredError);
    await assert.rejects(store.openStack('dev', { passphrase: async () => undefined }), PassphraseRequiredError);
    await assert.rejects(store.exportStack('dev', { showSecrets: true, passphrase: async () => 'wrong' }), IncorrectPassphraseError);
    await assert.rejects(store.importStack('dev', await store.exportStack('dev'), { passphrase: async () => 'wrong' }), IncorrectPassphraseError);
    assert.deepEqual(await snapshot(), before);
  });

  test('a read-only open of a stack holding no secret asks for no passphrase and refuses to update; one holding a secret derives the key and checks the passphrase when a secret is read', async () => {
    const dir = join(home, 'read-only');
    const s = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${dir}` }, homedir: home, cwd: home });
    await s.createStack('plain', { passphrase: 'correct horse' });
    const u = await (await s.openStack('plain', { passphrase })).beginUpdate('update', 'seed');
    await u.record([{ op: 'put', resource: { ...thing('a'), urn: 'urn:pulumi:plain::sloth-kubernetes::test:index:Thing::a' } }]);
    await u.finish({ result: 'succeeded', resourceChanges: { create: 1 } });
    const asked: string[] = [];
    const wrong = async () => (asked.push('plain'), 'wrong');
    const opened = await s.openStack('plain', { passphrase: wrong, readOnly: true });
    assert.equal(opened.deployment.resources.length, 1);
    assert.deepEqual(asked, []);
    await assert.rejects(opened.beginUpdate('update'), /opened for reading only/);
    await assert.rejects(s.openStack('plain', { passphrase: wrong }), IncorrectPassphraseError);
    // `dev` holds secrets: a read-only open asks for the passphrase; reading a secret needs the
    // key, derived then, and a wrong passphrase is refused then.
    const secretOf = (o: { deployment: { resources: { outputs?: Record<string, unknown> }[] } }) => o.deployment.resources[1]!.outputs!.password as Secret;
    const askedDev: string[] = [];
    const misread = await store.openStack('dev', { passphrase: async () => (askedDev.push('dev'), 'wrong'), readOnly: true });
    assert.deepEqual(askedDev, ['dev']);
    assert.ok(secretOf(misread) instanceof Secret);
    assert.throws(() => secretOf(misread).value, IncorrectPassphraseError);
    await assert.rejects(misread.beginUpdate('update'), /opened for reading only/);
    const read = await store.openStack('dev', { passphrase, readOnly: true });
    assert.equal(secretOf(read).value, 'hunter2');
    s.close();
  });

  test('corrupted and truncated checkpoints are reported with the file and the way back, never replaced', async () => {
    const good = readFileSync(ckpt());
    for (const bad of [good.subarray(0, Math.floor(good.length / 2)), Buffer.from('{"version":3,"checkpoint":{"latest":{"manifest":7}}}'), Buffer.from('garbage')]) {
      writeFileSync(ckpt(), bad);
      const before = await snapshot();
      await assert.rejects(store.openStack('dev', { passphrase }), (err: unknown) => {
        assert.ok(err instanceof CheckpointError, String(err));
        assert.ok(err.message.startsWith(ckpt()), err.message);
        assert.match(err.hint!, /latest good checkpoint in the history is .*dev-\d{19}\.checkpoint\.json/);
        assert.match(err.hint!, /stacks import dev/);
        return true;
      });
      await assert.rejects(store.deleteStack('dev'), CheckpointError);
      const listed = await store.listStacks();
      assert.match(listed[0]!.problem!, /dev\.json/);
      assert.deepEqual(await snapshot(), before);
    }
    // The way back: import the history checkpoint named in the hint.
    const history = await store.history('dev').catch(() => []);
    assert.equal(history.length, 0, 'history needs a readable stack');
    const { readHistory } = await import('./history.ts');
    const latest = (await readHistory(store.blob, 'dev', 1))[0]!;
    await store.importStack('dev', readFileSync(join(root, latest.checkpointKey), 'utf8'), { passphrase, source: latest.checkpointKey });
    assert.ok((await store.openStack('dev', { passphrase })).deployment.resources.some((r) => r.urn === urn('late')));
  });

  test('a checkpoint that breaks the integrity rules is refused, then repaired', async () => {
    const before = readFileSync(ckpt(), 'utf8');
    const doc = JSON.parse(before) as { checkpoint: { latest: { resources: Record<string, unknown>[] } } };
    const rs = doc.checkpoint.latest.resources;
    rs.reverse(); // order problems only: fixed in memory
    rs[0]!.dependencies = [urn('missing')]; // dangling: refused
    writeFileSync(ckpt(), JSON.stringify(doc));
    await assert.rejects(store.openStack('dev', { passphrase }), /breaks the integrity rules: .*missing/);
    const plan = await store.editStack('dev', { passphrase, dryRun: true, message: 'repair' }, planRepair);
    assert.ok(plan.changes.some((c) => c.includes('drop the dependencies reference to missing')));
    assert.ok(plan.changes.some((c) => c.includes('re-order')));
    assert.equal(readFileSync(ckpt(), 'utf8'), JSON.stringify(doc), 'dry run changed nothing');
    await store.editStack('dev', { passphrase, message: 'repair' }, planRepair);
    const s = await store.openStack('dev', { passphrase });
    assert.deepEqual(s.problems, []);
    const h = await s.history(1);
    assert.equal(h[0]!.kind, 'state-edit');
  });

  test('state delete refuses protected resources and dependents unless --force; unprotect', async () => {
    await seed([thing('p', { protect: true }), thing('q', { dependencies: [urn('p')], parent: urn('a') })]);
    const s = await store.openStack('dev', { passphrase });
    assert.throws(() => planDelete(s.deployment, urn('p'), true), /is protected/);
    assert.throws(() => planDelete(s.deployment, urn('a'), false), /depend on/);
    await store.editStack('dev', { passphrase, message: 'unprotect' }, (d) => planUnprotect(d, urn('p')));
    await assert.rejects(store.editStack('dev', { passphrase, message: 'x' }, (d) => planDelete(d, urn('p'), false)), /depend on/);
    await store.editStack('dev', { passphrase, message: 'x' }, (d) => planDelete(d, urn('p'), true));
    const after = await store.openStack('dev', { passphrase });
    assert.ok(!after.deployment.resources.some((r) => r.urn === urn('p')));
    assert.deepEqual(after.deployment.resources.find((r) => r.urn === urn('q'))!.dependencies ?? [], []);
    assert.deepEqual(after.problems, []);
  });

  test('root stack outputs that can carry credentials are always secrets', async () => {
    const s = await store.openStack('dev', { passphrase });
    const u = await s.beginUpdate('update');
    await u.record([setStackOutputs(u.deployment, 'dev', { kubeConfig: 'apiVersion: v1', lispManifest: '(cluster)', configJson: '{}', nodes: [{ ip: '10.0.0.1' }], salt_master: { password: 'x' }, clusterName: 'c', apiToken: 't' })]);
    await u.finish({ result: 'succeeded', resourceChanges: { update: 1 } });
    const outputs = (await store.openStack('dev', { passphrase })).deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!.outputs!;
    for (const k of ['kubeConfig', 'lispManifest', 'configJson', 'nodes', 'salt_master', 'apiToken']) assert.ok(outputs[k] instanceof Secret, k);
    assert.equal(outputs.clusterName, 'c');
    assert.ok(!readFileSync(ckpt(), 'utf8').includes('apiVersion'));
    // Even a caller that writes the root resource itself, in plaintext, gets secrets on disk.
    const rootResource = (await store.openStack('dev', { passphrase })).deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!;
    const u2 = await (await store.openStack('dev', { passphrase })).beginUpdate('update');
    await u2.record([{ op: 'put', resource: { ...rootResource, outputs: { kubeConfig: 'plain-kubeconfig', clusterToken: 'plain-token', region: 'nyc3' } } }]);
    assert.ok(u2.deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!.outputs!.kubeConfig instanceof Secret);
    await u2.finish({ result: 'succeeded', resourceChanges: {} });
    const disk = readFileSync(ckpt(), 'utf8');
    assert.ok(!disk.includes('plain-kubeconfig') && !disk.includes('plain-token') && disk.includes('nyc3'));
    const journalLeak = (await store.blob.list('.pulumi/')).some((o) => readFileSync(join(root, o.key), 'utf8').includes('plain-'));
    assert.equal(journalLeak, false);
  });

  test('delete refuses a stack with resources unless forced, keeps a .bak, and says not found afterwards', async () => {
    await assert.rejects(store.deleteStack('dev'), /still has \d+ resources/);
    await store.deleteStack('dev', { force: true });
    await assert.rejects(store.openStack('dev', { passphrase }), StackNotFoundError);
    assert.ok(statSync(`${ckpt()}.bak`).isFile());
    assert.deepEqual(await store.listStacks(), []);
  });

  test('backend URLs: unknown schemes and parameters are errors; settings file and environment precedence', async () => {
    const mk = (env: Record<string, string>) => openStateStore({ env, homedir: home, cwd: home });
    await assert.rejects(mk({ PULUMI_BACKEND_URL: 'ftp://x' }), (e: unknown) => e instanceof BackendConfigError && /unknown backend scheme 'ftp:\/\/'/.test(e.message));
    await assert.rejects(mk({ PULUMI_BACKEND_URL: 'gs://bucket' }), NotSupportedError);
    await assert.rejects(mk({ PULUMI_BACKEND_URL: 's3://b?regoin=x' }), /unknown parameter 'regoin'/);
    await assert.rejects(mk({ PULUMI_BACKEND_URL: 's3://b?role=arn' }), /role is not supported yet/);
    await assert.rejects(mk({ PULUMI_BACKEND_URL: 's3://b?disableSSL=maybe' }), /must be true or false/);
    await assert.rejects(mk({ PULUMI_BACKEND_URL: 'file:///tmp/x?metadata=skip' }), NotSupportedError);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(home, '.sloth-kubernetes'), { recursive: true });
    writeFileSync(join(home, '.sloth-kubernetes/config'), `# comment\nPULUMI_BACKEND_URL=file://${home}/from-file\nPULUMI_CONFIG_PASSPHRASE="pp"\n`);
    const fromFile = await mk({});
    assert.equal(fromFile.url, `file://${home}/from-file`);
    assert.equal(fromFile.source, 'config file');
    assert.equal(fromFile.env.PULUMI_CONFIG_PASSPHRASE, 'pp');
    const fromEnv = await mk({ PULUMI_BACKEND_URL: `file://${home}/from-env`, PULUMI_CONFIG_PASSPHRASE: '' });
    assert.equal(fromEnv.source, 'environment');
    assert.equal(fromEnv.env.PULUMI_CONFIG_PASSPHRASE, '', 'a set (even empty) variable wins over the file');
    writeFileSync(join(home, '.sloth-kubernetes/config'), 'PULUMI_CONFIG_PASSPHRASE: hunter2\n');
    await assert.rejects(mk({}), (e: unknown) => /config:1: expected KEY=VALUE$/.test((e as Error).message) && !(e as Error).message.includes('hunter2'));
    writeFileSync(join(home, '.sloth-kubernetes/config'), 'FOO=1\n');
    await assert.rejects(mk({}), /config:1: unknown setting 'FOO'/);
    rmSync(join(home, '.sloth-kubernetes'), { recursive: true });
    const local = await mk({});
    assert.equal(local.url, 'file://~');
    assert.equal((local.blob as unknown as { root: string }).root, home);
  });

  test('a legacy or future meta.yaml is refused', async () => {
    const r = join(home, 'meta');
    const s = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${r}` }, homedir: home, cwd: home });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(r, '.pulumi'), { recursive: true });
    writeFileSync(join(r, '.pulumi/meta.yaml'), 'version: 999999999\n');
    await assert.rejects(s.listStacks(), /version \(999999999\) is not supported/);
    writeFileSync(join(r, '.pulumi/meta.yaml'), 'version: 0\n');
    await assert.rejects(s.createStack('x', { passphrase: 'p' }), /legacy layout/);
  });

  test('a stack written by the Pulumi CLI is read; an unsupported feature is refused', async () => {
    const r = join(home, 'pulumi');
    const s = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${r}` }, homedir: home, cwd: home });
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(join(r, '.pulumi/stacks/sloth-kubernetes'), { recursive: true });
    writeFileSync(join(r, '.pulumi/meta.yaml'), 'version: 1\n');
    const data = new URL('../../test/contracts/pulumi/', import.meta.url);
    copyFileSync(new URL('testdata/checkpoint-v4.json', data), join(r, '.pulumi/stacks/sloth-kubernetes/foo.json'));
    const foo = await s.openStack('foo', {});
    assert.equal(foo.deployment.resources.length, 30);
    assert.equal((await s.inspectStack('foo')).checkpointVersion, 4);
    copyFileSync(new URL('testdata/checkpoint-v4-unsupported-feature.json', data), join(r, '.pulumi/stacks/sloth-kubernetes/bar.json'));
    await assert.rejects(s.openStack('bar', {}), (e: unknown) => e instanceof UnsupportedCheckpointError && /unsupported-feature/.test(e.message));
    // The sample tree generated from the spec (passphrase "correct horse battery staple").
    const sample = join(home, 'sample');
    mkdirSync(join(sample, '.pulumi/stacks/sloth-kubernetes'), { recursive: true });
    copyFileSync(new URL('sample-diy-generated/state/.pulumi/meta.yaml', data), join(sample, '.pulumi/meta.yaml'));
    copyFileSync(new URL('sample-diy-generated/state/.pulumi/stacks/myproj/dev.json', data), join(sample, '.pulumi/stacks/sloth-kubernetes/dev.json'));
    const ss = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${sample}` }, homedir: home, cwd: home });
    const dev = await ss.openStack('dev', { passphrase: async () => 'correct horse battery staple' });
    const pw = dev.deployment.resources.find((r) => r.type === 'random:index/randomPassword:RandomPassword')!.outputs!.result;
    assert.ok(pw instanceof Secret && typeof pw.value === 'string');
  });

  test('a checkpoint Pulumi compressed (.json.gz, .json.zst) is read; the next update writes .json and drops it', async () => {
    // Runs last in this block: it points `root` and `store` elsewhere.
    for (const [ext, compress] of [['gz', gzipSync], ['zst', zstdCompressSync]] as const) {
      root = join(home, `compressed-${ext}`);
      store = await openStateStore({ env: { PULUMI_BACKEND_URL: `file://${root}` }, homedir: home, cwd: home });
      await store.createStack('dev', { passphrase: 'correct horse' });
      await seed([thing('a')]);
      writeFileSync(`${ckpt()}.${ext}`, compress(readFileSync(ckpt())));
      rmSync(ckpt());
      const s = await store.openStack('dev', { passphrase });
      assert.deepEqual(s.deployment.resources.map((r) => r.urn), [urn('a')], ext);
      await seed([thing('b')]);
      assert.ok(!existsSync(`${ckpt()}.${ext}`), ext);
      assert.deepEqual((await store.openStack('dev', { passphrase })).deployment.resources.map((r) => r.urn), [urn('a'), urn('b')], ext);
      store.close();
    }
  });
});
