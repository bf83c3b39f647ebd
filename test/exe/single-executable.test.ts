// The single executable (scripts/build-exe.ts) as a user gets it: built here for this
// platform, run with nothing but its own file — no Node.js on PATH, an environment holding
// only HOME, the backend, the passphrase and the emulator's dummy AWS credentials — through
// the demo path against moto (stacks create, deploy --no-bootstrap, destroy) and the jobs
// server with its web UI; and install.sh putting it in place from a release folder only when
// its SHA-256 matches.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExecutables, exeName, hostTarget } from '../../scripts/build-exe.ts';
import { startAwsEmulator } from '../e2e/aws/moto-aws.ts';
import type { AwsEmulator } from '../e2e/aws/moto-aws.ts';
import { missing, REPO } from '../helpers/parts.ts';
import { startServerProcess } from '../helpers/server-process.ts';

const SEED = join(REPO, 'test/fixtures/config/seeds/aws-production.lisp');
const INSTALL = join(REPO, 'install.sh');
const PASSPHRASE = 'correct horse battery staple';

describe('the single executable', { skip: missing('moto'), timeout: 300_000 }, () => {
  let dir: string;
  let exe: string;
  let emu: AwsEmulator;
  /** A folder with no programs in it: what PATH holds for the executable. */
  let emptyBin: string;

  const run = (args: string[], env: Record<string, string> = {}, stdin?: string) => {
    const r = spawnSync(exe, args, { cwd: dir, input: stdin, encoding: 'utf8', env: { HOME: dir, PATH: emptyBin, ...env } });
    assert.equal(r.status, 0, `${args.join(' ')} exited ${r.status}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    return r.stdout;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sloth-exe-'));
    emptyBin = join(dir, 'empty-bin');
    mkdirSync(emptyBin);
    const { built } = await buildExecutables([hostTarget()], join(dir, 'release'));
    assert.equal(built.length, 1);
    exe = built[0]!.path;
    emu = (await startAwsEmulator())!;
  });
  after(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is one file of known size that names its version, commit and the Node.js inside', (t) => {
    const bytes = statSync(exe).size;
    t.diagnostic(`${exeName(hostTarget())}: ${(bytes / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(bytes > 50 * 2 ** 20 && bytes < 200 * 2 ** 20, `unexpected size ${bytes}`);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
    const line = run(['--version']);
    assert.match(line, new RegExp(`^sloth-kubernetes ${pkg.version.replaceAll('.', '\\.')} \\(commit ${head}(-dirty)?, node ${process.versions.node}, ${process.platform}/${process.arch}, single executable\\)\\n$`));
    assert.equal(JSON.parse(run(['version', '--json'])).build, 'single executable');
    assert.match(run(['--help']), /^Usage: sloth-kubernetes \[options\] \[command\]/);
  });

  it('prints for --help the text its CLI prints (the build keeps it, so --help does not run the bundle), under either name', () => {
    const sloth = join(dir, 'sloth');
    symlinkSync(exe, sloth);
    for (const [name, path] of [['sloth-kubernetes', exe], ['sloth', sloth]] as const) {
      const help = (args: string[]) => spawnSync(path, args, { encoding: 'utf8', env: { HOME: dir, PATH: emptyBin, NODE_DEBUG: 'sloth-exe' } });
      const kept = help(['--help']);
      const built = help(['help']);
      assert.equal(kept.status, 0);
      assert.equal(kept.stderr, '', 'the bundle ran for --help');
      assert.match(built.stderr, /code cache/, 'the bundle did not run for `help`');
      assert.match(kept.stdout, new RegExp(`^Usage: ${name} \\[options\\] \\[command\\]\n`));
      assert.equal(kept.stdout, built.stdout);
      assert.equal(help(['-h']).stdout, built.stdout);
    }
  });

  it('runs its CLI bundle with the code cache the build made for it', () => {
    const r = spawnSync(exe, ['validate', '--help'], { encoding: 'utf8', env: { HOME: dir, PATH: emptyBin, NODE_DEBUG: 'sloth-exe' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /code cache accepted/);
  });

  it('serves the jobs server: its web UI from inside the file (there is no source folder beside it), the API, and no warning', async () => {
    const server = await startServerProcess(exe, [], ['--data-dir', join(dir, 'server'), '--backend', `file://${join(dir, 'server-backend')}`], { HOME: dir, PATH: emptyBin });
    const { url } = server;
    try {
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /^<!doctype html>/);
      for (const [file, type] of [['app.js', 'text/javascript'], ['style.css', 'text/css']]) {
        const r = await fetch(`${url}/ui/${file}`);
        assert.equal(r.status, 200, file);
        assert.match(r.headers.get('content-type') ?? '', new RegExp(`^${type}`));
        assert.equal(await r.text(), readFileSync(join(REPO, 'src/server/ui', file!), 'utf8'));
      }
      assert.equal((await fetch(`${url}/ui/nothing.js`)).status, 404);
      assert.equal((await fetch(`${url}/openapi.json`)).status, 200);
      assert.equal(server.stderr(), '');
    } finally {
      server.kill();
    }
  });

  it('runs the demo path against moto with no Node.js anywhere on PATH: stacks create, deploy --no-bootstrap, destroy', () => {
    assert.notEqual(spawnSync('/bin/sh', ['-c', 'command -v node'], { env: { PATH: emptyBin } }).status, 0, 'node must not be reachable');
    const env = { ...emu.env, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, CI: 'true' };
    run(['stacks', 'create', 'demo', '--password-stdin'], env, `${PASSPHRASE}\n`);
    const deployed = run(['deploy', 'demo', '--config', SEED, '--no-bootstrap', '--operator-cidr', '203.0.113.7/32', '--yes', '--json'], env);
    const plan = JSON.parse(deployed.split('\n').find((l) => l.startsWith('{"type":"plan"'))!) as { summary: { create: number } };
    assert.equal(plan.summary.create, 55);
    assert.match(run(['nodes', 'list', 'demo'], env), /worker/);
    run(['destroy', 'demo', '--yes'], env);
    const left = JSON.parse(run(['stacks', 'export', 'demo'], env)) as { deployment: { resources?: { type: string }[] } };
    assert.deepEqual((left.deployment.resources ?? []).map((r) => r.type), ['pulumi:pulumi:Stack']);
  });

  describe('install.sh', () => {
    const release = () => join(dir, 'release');
    const sums = (hash: string) => writeFileSync(join(release(), 'SHA256SUMS'), `${hash}  ${exeName(hostTarget())}\n`);
    const install = (dest: string) => spawnSync('sh', [INSTALL, release(), dest], { encoding: 'utf8', env: { HOME: dir, PATH: '/usr/bin:/bin' } });

    it('installs the executable for this machine from a release folder, checked against SHA256SUMS, and links sloth', () => {
      sums(createHash('sha256').update(readFileSync(exe)).digest('hex'));
      const dest = join(dir, 'installed');
      const r = install(dest);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(statSync(join(dest, 'sloth-kubernetes')).mode & 0o777, 0o755);
      assert.match(r.stdout, /installed .*sloth-kubernetes .*single executable\)/);
      const viaLink = spawnSync(join(dest, 'sloth'), ['--help'], { encoding: 'utf8', env: { HOME: dir, PATH: emptyBin } });
      assert.match(viaLink.stdout, /^Usage: sloth \[options\]/);
    });

    it('installs nothing when the download does not match its checksum, or the release lacks this platform', () => {
      const dest = join(dir, 'refused');
      sums('0'.repeat(64));
      let r = install(dest);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /does not match SHA256SUMS .*not installed/);
      assert.equal(existsSync(join(dest, 'sloth-kubernetes')), false);

      writeFileSync(join(release(), 'SHA256SUMS'), `${'0'.repeat(64)}  sloth-kubernetes-plan9-mips\n`);
      r = install(dest);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`has no ${exeName(hostTarget())} \\(it has: sloth-kubernetes-plan9-mips`));
      assert.equal(existsSync(dest), false);
    });

    it('passes shellcheck', { skip: missing('shellcheck') }, () => {
      const r = spawnSync('shellcheck', [INSTALL], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout);
    });
  });
});

