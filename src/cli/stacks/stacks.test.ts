// Every stacks command and login, run through the CLI against a file:// backend and against
// S3 served by moto and by s3rver.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runInProcess, runProcess } from '../../../test/helpers/cli.ts';
import { freePort, MOTO_MISSING, startMoto } from '../../../test/helpers/moto.ts';
import type { MotoServer } from '../../../test/helpers/moto.ts';
import { createBucket, s3Url, startS3rver } from '../../../test/helpers/s3.ts';
import type { S3Server } from '../../../test/helpers/s3.ts';
import { openStateStore, Secret, setStackOutputs } from '../../state/index.ts';

let home: string;
let moto: MotoServer | undefined;
let s3rver: S3Server;
before(async () => {
  home = mkdtempSync(join(tmpdir(), 'cli-stacks-'));
  [moto, s3rver] = await Promise.all([startMoto(), startS3rver()]);
});
after(async () => {
  await Promise.all([moto?.stop(), s3rver?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

const PW = 'cli-pass';
const urn = (name: string) => `urn:pulumi:my-cluster::sloth-kubernetes::digitalocean:index/droplet:Droplet::${name}`;

interface Backend {
  url: string;
  env: Record<string, string>;
}

async function backends(): Promise<[string, Backend | undefined][]> {
  const out: [string, Backend | undefined][] = [['file', { url: `file://${home}/state-${Math.random().toString(36).slice(2)}`, env: {} }]];
  out.push(['moto S3', moto ? { url: s3Url(await createBucket(moto.endpoint, moto.env), moto.endpoint), env: moto.env } : undefined]);
  out.push(['s3rver', { url: s3Url(await createBucket(s3rver.endpoint, s3rver.env), s3rver.endpoint), env: s3rver.env }]);
  return out;
}

for (const name of ['file', 'moto S3', 's3rver']) {
  describe(`stacks commands on ${name}`, () => {
    let b: Backend | undefined;
    const run = (argv: string[], extra: Record<string, string | undefined> = {}, stdin?: string) =>
      runInProcess(argv, { env: cleanEnv({ HOME: home, ...b!.env, PULUMI_BACKEND_URL: b!.url, ...extra }), stdin, cwd: home });
    const withPw = { PULUMI_CONFIG_PASSPHRASE: PW };

    before(async () => {
      b = (await backends()).find(([n]) => n === name)![1];
    });

    test('no stack yet: list says so, stack-bound commands print "No stack found"', async (t) => {
      if (!b) return t.skip(MOTO_MISSING);
      const list = await run(['stacks', 'list']);
      assert.equal(list.code, 0);
      assert.match(list.stdout, /No stacks in/);
      assert.deepEqual(JSON.parse((await run(['stacks', 'list', '--json'])).stdout), []);
      const info = await run(['stacks', 'info', 'my-cluster']);
      assert.equal(info.code, 1);
      assert.equal(
        info.stderr,
        'Error: No stack found.\n\nCreate an encrypted stack first:\n  sloth-kubernetes stacks create <name> --password-stdin\n\nOr with AWS KMS:\n  sloth-kubernetes stacks create <name> --kms-key <arn-or-alias>\n',
      );
    });

    test('create: the seed confirmation; refuses an existing name and a missing passphrase', async (t) => {
      if (!b) return t.skip(MOTO_MISSING);
      const none = await run(['stacks', 'create', 'my-cluster']);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /a new stack must be encrypted/);
      const r = await run(['stacks', 'create', 'my-cluster', '--password-stdin'], {}, `${PW}\n`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        'Creating encrypted stack: my-cluster\nEncryption: Passphrase (AES-256-GCM)\n\n✓ Stack created successfully\n\nNext steps:\n  sloth-kubernetes deploy my-cluster --config cluster.lisp\n',
      );
      const again = await run(['stacks', 'create', 'my-cluster', '--password-stdin'], {}, `${PW}\n`);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /error: stack 'my-cluster' already exists/);
      assert.equal(again.stdout, '', 'a refused create prints only the error');
      const bad = await run(['stacks', 'create', 'bad/name', '--password-stdin'], {}, 'x');
      assert.match(bad.stderr, /invalid stack name/);
      assert.equal(bad.stdout, '');
    });

    test('list, info, output after an update', async (t) => {
      if (!b) return t.skip(MOTO_MISSING);
      const store = await openStateStore({ env: { ...b.env, PULUMI_BACKEND_URL: b.url }, homedir: home, cwd: home });
      const u = await (await store.openStack('my-cluster', { passphrase: async () => PW })).beginUpdate('update');
      await u.record([
        setStackOutputs(u.deployment, 'my-cluster', { kubeConfig: 'apiVersion: v1\nkind: Config\n', master_ips: ['203.0.113.10', '203.0.113.11'], vpn_server_ip: '203.0.113.5' }),
        { op: 'put', resource: { urn: urn('master-1'), custom: true, type: 'digitalocean:index/droplet:Droplet', id: '1', protect: true } },
        { op: 'put', resource: { urn: urn('worker-1'), custom: true, type: 'digitalocean:index/droplet:Droplet', id: '2', dependencies: [urn('master-1')], outputs: { pw: new Secret('s3cret') } } },
      ]);
      await u.finish({ result: 'succeeded', resourceChanges: { create: 3 } });
      store.close();

      const list = await run(['stacks', 'list']);
      assert.match(list.stdout, /^NAME\s+LAST UPDATE\s+RESOURCE COUNT\nmy-cluster\s+just now\s+3 resources\n$/);
      const lj = JSON.parse((await run(['stacks', 'list', '--json'])).stdout) as { name: string; resourceCount: number }[];
      assert.deepEqual(lj.map((s) => [s.name, s.resourceCount]), [['my-cluster', 3]]);

      const info = await run(['stacks', 'info', 'my-cluster']);
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stdout, new RegExp(`^Stack: my-cluster\nBackend: ${b.url.replace(/[?.]/g, '\\$&')}\nLast Update: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\nStatus: succeeded\n`));
      assert.match(info.stdout, /Resources: 3\n- digitalocean:index\/droplet:Droplet: 2\n- pulumi:pulumi:Stack: 1\n/);
      const ij = JSON.parse((await run(['stacks', 'info', 'my-cluster', '--json'])).stdout) as { status: string; resourcesByType: Record<string, number> };
      assert.equal(ij.status, 'succeeded');
      const missing = await run(['stacks', 'info', 'nope']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^error: stack 'nope' not found\n[\s\S]*Wrong backend configured \(check PULUMI_BACKEND_URL\)[\s\S]*Stack was never created[\s\S]*Stack was deleted/);

      const out = await run(['stacks', 'output', 'my-cluster']);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout, 'kubeConfig: "[secret]"\nmaster_ips:\n  - 203.0.113.10\n  - 203.0.113.11\nvpn_server_ip: 203.0.113.5\n');
      const shown = await run(['stacks', 'output', 'my-cluster', '--show-secrets', '--json'], withPw);
      assert.equal((JSON.parse(shown.stdout) as { kubeConfig: string }).kubeConfig, 'apiVersion: v1\nkind: Config\n');
      const wrong = await run(['stacks', 'output', 'my-cluster', '--show-secrets'], { PULUMI_CONFIG_PASSPHRASE: 'nope' });
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /incorrect passphrase for stack 'my-cluster'/);
      assert.ok(!wrong.stdout.includes('apiVersion'));
      const pwFile = join(home, 'pw.txt');
      writeFileSync(pwFile, `  ${PW}\n`);
      const viaFile = await run(['stacks', 'output', 'my-cluster', '--show-secrets'], { PULUMI_CONFIG_PASSPHRASE_FILE: pwFile });
      assert.match(viaFile.stdout, /apiVersion: v1/);
      const viaStdin = await run(['stacks', 'output', 'my-cluster', '--show-secrets', '--password-stdin'], {}, `${PW}\n`);
      assert.match(viaStdin.stdout, /apiVersion: v1/);

      // One output by its key: a list one item a line, text bare, a secret only when shown.
      const ips = await run(['stacks', 'output', 'my-cluster', 'master_ips']);
      assert.deepEqual([ips.code, ips.stdout], [0, '203.0.113.10\n203.0.113.11\n']);
      assert.equal((await run(['stacks', 'output', 'my-cluster', 'vpn_server_ip'])).stdout, '203.0.113.5\n');
      assert.equal((await run(['stacks', 'output', 'my-cluster', 'master_ips', '--json'])).stdout, '[\n  "203.0.113.10",\n  "203.0.113.11"\n]\n');
      const hidden = await run(['stacks', 'output', 'my-cluster', 'kubeConfig']);
      assert.deepEqual([hidden.code, hidden.stdout], [1, '']);
      assert.equal(hidden.stderr, "error: output 'kubeConfig' of stack 'my-cluster' is a secret\nAdd --show-secrets to print it (the read is recorded in the stack's audit log).\n");
      assert.equal((await run(['stacks', 'output', 'my-cluster', 'kubeConfig', '--show-secrets'], withPw)).stdout, 'apiVersion: v1\nkind: Config\n');
      const unknown = await run(['stacks', 'output', 'my-cluster', 'worker_ips']);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr, "error: stack 'my-cluster' has no output 'worker_ips'\nIts outputs: kubeConfig, master_ips, vpn_server_ip\n");
    });

    test('export and import round-trip; --show-secrets file is 0600', async (t) => {
      if (!b) return t.skip(MOTO_MISSING);
      const plain = await run(['stacks', 'export', 'my-cluster']);
      assert.equal(plain.code, 0, plain.stderr);
      assert.ok(!plain.stdout.includes('s3cret') && plain.stdout.includes('"ciphertext"'));
      const file = join(home, `export-${name.replace(/\W/g, '')}.json`);
      const shown = await run(['stacks', 'export', 'my-cluster', '--show-secrets', '--file', file], withPw);
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.ok(readFileSync(file, 'utf8').includes('s3cret'));
      const imp = await run(['stacks', 'import', 'my-cluster', file], withPw);
      assert.equal(imp.code, 0, imp.stderr);
      assert.match(imp.stdout, /Imported 3 resources into stack 'my-cluster'/);
      const again = await run(['stacks', 'output', 'my-cluster', '--show-secrets', '--json'], withPw);
      assert.match(again.stdout, /apiVersion/);
      const other = await run(['stacks', 'import', 'nope', file], withPw);
      assert.match(other.stderr, /stack 'nope' not found/);
    });

    test('state list, unprotect, delete, repair', async (t) => {
      if (!b) return t.skip(MOTO_MISSING);
      const list = await run(['stacks', 'state', 'list', 'my-cluster']);
      assert.match(list.stdout, /^URN\s+TYPE\s+ID\s+FLAGS\n/);
      assert.match(list.stdout, /master-1\s+digitalocean:index\/droplet:Droplet\s+1\s+protect\n/);
      const rows = JSON.parse((await run(['stacks', 'state', 'list', 'my-cluster', '--json'])).stdout) as { urn: string; flags: string[] }[];
      assert.equal(rows.length, 3);
      const del = await run(['stacks', 'state', 'delete', 'my-cluster', urn('master-1')], withPw);
      assert.equal(del.code, 1);
      assert.match(del.stderr, /is protected/);
      assert.equal((await run(['stacks', 'state', 'unprotect', 'my-cluster', '--all'], withPw)).code, 0);
      const dep = await run(['stacks', 'state', 'delete', 'my-cluster', urn('master-1')], withPw);
      assert.match(dep.stderr, /1 resource\(s\) depend on/);
      const forced = await run(['stacks', 'state', 'delete', 'my-cluster', urn('master-1'), '--force'], withPw);
      assert.equal(forced.code, 0, forced.stderr);
      const repair = await run(['stacks', 'state', 'repair', 'my-cluster', '--dry-run'], withPw);
      assert.equal(repair.code, 0, repair.stderr);
      assert.match(repair.stdout, /passes the integrity rules/);
      const history = JSON.parse((await run(['stacks', 'info', 'my-cluster', '--json'])).stdout) as { lastHistoryEntry: { kind: string } };
      assert.equal(history.lastHistoryEntry.kind, 'state-edit');
    });

    test('a held lock: writers get the lock error, info shows it, cancel removes it', async (t) => {
      if (!b) return t.skip(MOTO_MISSING);
      const store = await openStateStore({ env: { ...b.env, PULUMI_BACKEND_URL: b.url }, homedir: home, cwd: home });
      const u = await (await store.openStack('my-cluster', { passphrase: async () => PW })).beginUpdate('update');
      const w = await run(['stacks', 'state', 'delete', 'my-cluster', urn('worker-1')], withPw);
      assert.equal(w.code, 1);
      assert.match(w.stderr, /^error: the stack is currently locked by another process\nLocked by .*pid \d+, since .*\nIf no other deployment is running, unlock it with: sloth-kubernetes stacks cancel my-cluster\n$/);
      assert.match((await run(['stacks', 'info', 'my-cluster'])).stdout, /Status: update in progress \(locked by /);
      assert.equal((await run(['stacks', 'output', 'my-cluster'])).code, 0, 'reads take no lock');
      const c = await run(['stacks', 'cancel', 'my-cluster']);
      assert.match(c.stdout, /✓ Stack 'my-cluster' unlocked/);
      assert.match((await run(['stacks', 'cancel', 'my-cluster'])).stdout, /was not locked/);
      await u.abandon();
      store.close();
    });

    test('delete refuses a stack with resources, --force deletes the state only; remove is an alias', async (t) => {
      if (!b) return t.skip(MOTO_MISSING);
      const ask = await run(['stacks', 'delete', 'my-cluster']);
      assert.match(ask.stderr, /needs confirmation; pass --yes/);
      const refused = await run(['stacks', 'delete', 'my-cluster', '--yes']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /still has 1 resource[\s\S]*cloud resources are NOT destroyed/);
      const ok = await run(['stacks', 'remove', 'my-cluster', '--yes', '--force']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /NOT destroyed/);
      assert.match((await run(['stacks', 'info', 'my-cluster'])).stderr, /No stack found/);
    });
  });
}

describe('stacks create --kms-key (moto KMS)', () => {
  test('a KMS stack needs no passphrase to open; its secrets round-trip', async (t) => {
    if (!moto) return t.skip(MOTO_MISSING);
    const { CreateAliasCommand, CreateKeyCommand, KMSClient } = await import('@aws-sdk/client-kms');
    const kms = new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const key = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/cli-secrets', TargetKeyId: key.KeyMetadata!.KeyId! }));
    kms.destroy();
    const env = cleanEnv({ HOME: home, ...moto.env, PULUMI_BACKEND_URL: `file://${home}/kms-cli` });
    const r = await runInProcess(['stacks', 'create', 'prod', '--kms-key', 'alias/cli-secrets'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Creating encrypted stack: prod\nEncryption: AWS KMS \(alias\/cli-secrets\)\n/);
    const store = await openStateStore({ env, homedir: home, cwd: home });
    const u = await (await store.openStack('prod')).beginUpdate('update');
    await u.record([setStackOutputs(u.deployment, 'prod', { kubeConfig: 'kms-kubeconfig' })]);
    await u.finish({ result: 'succeeded', resourceChanges: {} });
    store.close();
    const out = await runInProcess(['stacks', 'output', 'prod', '--show-secrets'], { env });
    assert.equal(out.stdout, 'kubeConfig: kms-kubeconfig\n');
    const info = await runInProcess(['stacks', 'info', 'prod'], { env });
    assert.match(info.stdout, /Encryption: AWS KMS/);
    const both = await runInProcess(['stacks', 'create', 'x', '--kms-key', 'alias/cli-secrets', '--password-stdin'], { env, stdin: 'pw' });
    assert.match(both.stderr, /choose one encryption/);
  });
});

describe('AWS credentials from a profile', () => {
  test('profile= in the backend URL takes the keys from ~/.aws/credentials; a missing profile is a clear error', async () => {
    const { mkdirSync } = await import('node:fs');
    const profileHome = join(home, 'profile-home');
    mkdirSync(join(profileHome, '.aws'), { recursive: true });
    writeFileSync(join(profileHome, '.aws/credentials'), '[good]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n');
    const bucket = await createBucket(s3rver.endpoint, s3rver.env);
    const env = (profile: string) => cleanEnv({ HOME: profileHome, PULUMI_BACKEND_URL: `${s3Url(bucket, s3rver.endpoint)}&profile=${profile}` });
    const good = await runProcess(['stacks', 'list'], { env: env('good') });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /No stacks in s3:\/\//);
    const absent = await runProcess(['stacks', 'list'], { env: env('absent') });
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /^error: no AWS credentials for s3:\/\/[\s\S]*AWS_PROFILE/);
  });
});

describe('login', () => {
  const cfg = () => join(home, '.sloth-kubernetes/config');
  const run = (argv: string[], env: Record<string, string> = {}) => runInProcess(argv, { env: cleanEnv({ HOME: home, ...env }), cwd: home });

  test('login file:// and --local write only PULUMI_BACKEND_URL, 0600', async () => {
    const r = await run(['login', `file://${home}/login-state`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(cfg(), 'utf8'), `PULUMI_BACKEND_URL=file://${home}/login-state\n`);
    assert.equal(statSync(cfg()).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, '.sloth-kubernetes')).mode & 0o777, 0o700);
    const list = await run(['stacks', 'list']);
    assert.match(list.stdout, new RegExp(`No stacks in file://${home}/login-state`));
    assert.equal((await run(['login', 'file://rel/state'])).code, 0);
    assert.equal(readFileSync(cfg(), 'utf8'), `PULUMI_BACKEND_URL=file://${join(home, 'rel/state')}\n`);
    assert.equal((await run(['login', '--local'])).code, 0);
    assert.equal(readFileSync(cfg(), 'utf8'), 'PULUMI_BACKEND_URL=file://~\n');
  });

  test('login s3:// --endpoint checks the bucket and never writes credentials', async (t) => {
    if (!moto) return t.skip(MOTO_MISSING);
    const bucket = await createBucket(moto.endpoint, moto.env);
    const env = { ...moto.env, AWS_ENDPOINT_URL: '' };
    const https = await run(['login', `s3://${bucket}`, '--endpoint', moto.endpoint.replace('http://', '')], env);
    assert.equal(https.code, 1);
    assert.match(https.stderr, /does not speak HTTPS/);
    const r = await run(['login', `s3://${bucket}`, '--endpoint', moto.endpoint, '--region', 'us-east-1'], env);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(cfg(), 'utf8');
    assert.match(text, new RegExp(`^PULUMI_BACKEND_URL=s3://${bucket}\\?region=us-east-1&endpoint=http%3A%2F%2F127.0.0.1%3A\\d+&s3ForcePathStyle=true&disableSSL=true\n$`));
    assert.ok(!text.includes('testing'), 'no credential in the config file');
  });

  test('login to an unreachable endpoint or a missing bucket fails and leaves the config as it was', async () => {
    const before = existsSync(cfg()) ? readFileSync(cfg(), 'utf8') : '';
    const port = await freePort();
    const down = await run(['login', `s3://bucket?endpoint=127.0.0.1:${port}&disableSSL=true&s3ForcePathStyle=true`], { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach the backend/);
    const missing = await run(['login', s3Url('no-such-bucket', s3rver.endpoint)], s3rver.env);
    assert.match(missing.stderr, /bucket 'no-such-bucket' does not exist/);
    const scheme = await run(['login', 'ftp://somewhere']);
    assert.match(scheme.stderr, /unknown backend scheme 'ftp:\/\/'/);
    assert.equal(existsSync(cfg()) ? readFileSync(cfg(), 'utf8') : '', before);
  });

  test('an unknown backend scheme in PULUMI_BACKEND_URL is a clear error', async () => {
    const r = await run(['stacks', 'list'], { PULUMI_BACKEND_URL: 'ftp://x' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: unknown backend scheme 'ftp:\/\/' in 'ftp:\/\/x'\nSupported backends:/);
  });
});
