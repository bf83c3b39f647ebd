import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runInProcess, runProcess } from '../../../test/helpers/cli.ts';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/config');
const seed = (name: string) => join(fixtures, 'seeds', name);

test('a valid config: exit 0 and a short summary', async () => {
  const r = await runInProcess(['validate', '--config', seed('aws-production.lisp')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /aws-production\.lisp: valid/);
  assert.match(r.stdout, /cluster {5}aws-production \(production\)/);
  assert.match(r.stdout, /providers {3}aws \(us-east-1\)/);
  assert.match(r.stdout, /node pools {2}masters +3 × t3\.large +\[master, etcd\] +aws\/us-east-1\n/);
  assert.match(r.stdout, /\n {14}workers +10 × t3\.xlarge +\[worker\] +aws\/us-east-1\n/);
  assert.match(r.stdout, /nodes {7}13 \(3 master, 3 etcd, 10 worker\) \+ bastion/);
  assert.match(r.stdout, /kubernetes {2}rke2 v1\.29\.0\+rke2r1, calico, high availability/);
  assert.match(r.stderr, /aws-production\.lisp:27:5: warning: the bastion admits SSH from nobody/);
});

test('errors: every one as FILE:LINE:COL with the source line and a caret, exit 1', async () => {
  const file = join(fixtures, 'invalid', 'typos.lisp');
  const r = await runInProcess(['validate', '-c', file]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const lines = r.stderr.split('\n');
  assert.equal(lines[0], `${file}:7:8: error: unknown key 'regoin' in providers.aws; did you mean 'region'?`);
  assert.equal(lines[1], ` 7 |       (regoin "us-east-1")))`);
  assert.equal(lines[2], `   |        ^`);
  assert.ok(lines.includes(`${file}:10:14: error: 'node-pools.masters.count' expects an integer, got the string "three"`), r.stderr);
  assert.ok(lines.includes(`${file}: 2 errors in the configuration`));
});

test('rule errors are listed together', async () => {
  const file = join(fixtures, 'invalid', 'rules.lisp');
  const r = await runInProcess(['validate', '-c', file]);
  assert.equal(r.code, 1);
  const errors = r.stderr.split('\n').filter((l) => l.includes(': error: '));
  assert.deepEqual(
    errors.map((l) => l.slice(file.length + 1)),
    [
      `5:36: error: 'network.wireguard.subnet-cidr' 10.42.0.0/24 overlaps 'network.pod-cidr' 10.42.0.0/16`,
      `7:5: error: the cluster has 2 etcd members; etcd needs an odd number (1, 3, 5…) to keep quorum`,
      `8:52: error: node pool 'workers' uses provider 'linode', which is not configured`,
      `9:43: error: 'kubernetes.version' 'v1.29.0+rke2r1' is not a k3s version`,
    ],
  );
});

test('--json (and --format json) prints the normalized config with secrets redacted', async () => {
  const env = cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'verysecret' });
  const r = await runInProcess(['validate', '-c', join(fixtures, 'secrets.lisp'), '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const config = JSON.parse(r.stdout) as {
    providers: { aws: { accessKeyId: string; secretAccessKey: string; region: string } };
    kubernetes: { rke2: { clusterToken: string }; version: string };
  };
  assert.equal(config.providers.aws.accessKeyId, '[secret]');
  assert.equal(config.providers.aws.secretAccessKey, '[secret]');
  assert.equal(config.kubernetes.rke2.clusterToken, '[secret]');
  assert.equal(config.kubernetes.version, 'v1.33.5+rke2r1');
  for (const s of ['AKIAEXAMPLE', 'verysecret', 'literal-cluster-token']) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s));

  const shown = await runInProcess(['validate', '-c', join(fixtures, 'secrets.lisp'), '--format', 'json', '--show-secrets'], { env });
  const full = JSON.parse(shown.stdout) as typeof config;
  assert.equal(full.providers.aws.secretAccessKey, 'verysecret');
  assert.equal(full.kubernetes.rke2.clusterToken, 'literal-cluster-token');
});

test('--format lisp prints canonical Lisp, redacted', async () => {
  const r = await runInProcess(['validate', '-c', join(fixtures, 'secrets.lisp'), '--format', 'lisp'], {
    env: cleanEnv({ AWS_SECRET_ACCESS_KEY: 'verysecret' }),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\(cluster\n {2}\(metadata\n {4}\(name "secrets"\)\)/);
  assert.match(r.stdout, /\(secret-access-key "\[secret\]"\)/);
  assert.ok(!r.stdout.includes('verysecret'));
  // That output, saved and used as a config, is refused: the placeholder is not a credential.
  const dir = mkdtempSync(join(tmpdir(), 'sloth-validate-'));
  try {
    const file = join(dir, 'printed.lisp');
    writeFileSync(file, r.stdout);
    const again = await runInProcess(['validate', '-c', file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /printed\.lisp:\d+:\d+: error: 'providers\.aws\.secret-access-key' holds the placeholder \[secret\], not a secret/);
    assert.match(again.stderr, /--show-secrets/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--restricted refuses env look-ups; --allow lets one through', async () => {
  const dynamic = seed('dynamic.lisp');
  const env = cleanEnv({ CLUSTER_ENV: 'production', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
  const refused = await runInProcess(['validate', '-c', dynamic, '--restricted'], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /dynamic\.lisp:3:\d+: error: .*env/);
  const allowed = await runInProcess(['validate', '-c', dynamic, '--allow', 'env'], { env });
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /masters +3 × t3\.medium/);
});

test('a missing file, standard input, and the default ./cluster.lisp', async () => {
  const missing = await runInProcess(['validate', '-c', 'no-such.lisp']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'error: cannot read the configuration file no-such.lisp: no such file\n', 'one line');
  const deploy = await runInProcess(['deploy', '-c', 'no-such.lisp'], { cwd: tmpdir() });
  assert.equal(deploy.code, 1);
  assert.equal(deploy.stderr, `error: cannot read the configuration file ${join(tmpdir(), 'no-such.lisp')}: no such file\n`);

  const stdin = await runInProcess(['validate', '-c', '-'], {
    stdin: '(cluster (metadata (name "piped")) (providers (do (region "nyc3"))) (node-pools (masters (size "s-2vcpu-4gb"))))',
  });
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.match(stdin.stdout, /<stdin>: valid/);

  const dir = mkdtempSync(join(tmpdir(), 'sloth-validate-'));
  try {
    writeFileSync(join(dir, 'cluster.lisp'), '(cluster (metadata (name "here")) (providers (hetzner (location "fsn1"))) (node-pools (masters (size "cx22"))))');
    const r = await runInProcess(['validate'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cluster\.lisp: valid\n {2}cluster {5}here \(development\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('as a real process: exit status 1 on errors, 0 when valid', async () => {
  const bad = await runProcess(['validate', '-c', join(fixtures, 'invalid', 'typos.lisp')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /typos\.lisp:7:8: error: unknown key 'regoin'/);
  const good = await runProcess(['validate', '-c', seed('development.lisp')]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /kubernetes {2}k3s v1\.33\.5\+k3s1, flannel/);
});

test('an error in a very long line quotes a window around the column, not the line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'validate-long-'));
  try {
    const file = join(dir, 'one-line.lisp');
    writeFileSync(file, `(set "pad" "${'x'.repeat(4_000_000)}") (cluster (bogus-key 1))`);
    const r = await runInProcess(['validate', '-c', file]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.length < 2000, `${r.stderr.length} characters of errors`);
    const lines = r.stderr.split('\n');
    assert.equal(lines[0], `${file}:1:4000026: error: unknown key 'bogus-key' in cluster`);
    assert.match(lines[1]!, /^ 1 \| …x+"\) \(cluster \(bogus-key 1\)\)$/);
    assert.equal(lines[2]!.indexOf('^'), lines[1]!.indexOf('bogus-key'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a configuration larger than the limit is refused in one line before it is read whole: a file, standard input, a device', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'validate-size-'));
  try {
    const file = join(dir, 'huge.lisp');
    // 9 MiB of labels: over the 8 MiB limit (and over restricted mode's 2 MiB).
    writeFileSync(file, `(cluster (metadata (name "x") (labels ${'(k "v") '.repeat(1_180_000)})))`);
    const errors = (r: { code: number; stderr: string }, name: string, limit: string) => {
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split('\n')[0], `error: ${name} is larger than ${limit}, the limit for a source`);
      assert.match(r.stderr, /hint: a source is refused past 8 MiB or 2,000,000 forms \(in restricted mode, .*: 2 MiB or 500,000 forms\)/);
    };
    errors(await runInProcess(['validate', '-c', file]), file, '8 MiB');
    errors(await runInProcess(['validate', '-c', '-'], { stdin: readFileSync(file, 'utf8') }), '<stdin>', '8 MiB');
    errors(await runInProcess(['validate', '-c', '/dev/zero']), '/dev/zero', '8 MiB');
    // Restricted mode (the server, the operator): 2 MiB and 500,000 forms.
    const mid = join(dir, 'mid.lisp');
    writeFileSync(mid, `(cluster (metadata (name "x") (labels ${'(k "v") '.repeat(300_000)})))`);
    errors(await runInProcess(['validate', '-c', mid, '--restricted']), mid, '2 MiB');
    const many = join(dir, 'many.lisp');
    writeFileSync(many, `(list ${'a '.repeat(500_001)})`);
    const r = await runInProcess(['eval', many, '--restricted']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: \S+many\.lisp:1:\d+: the source holds more than 500,000 forms \(atoms, strings and lists\), the limit for a source\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
