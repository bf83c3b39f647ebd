// The launcher's bundle (scripts/build-cli.ts, scripts/bundle.ts): bin/sloth-kubernetes.js runs
// dist/cli/main.mjs only while the sources it was made from are unchanged, and the bundle runs
// the CLI as the sources do, the files it finds beside itself at run time (the command modules,
// the web UI) written in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshBundle } from '../../bin/fresh-bundle.js';
import { bundleFolder } from '../../scripts/bundle.ts';
import { cleanEnv } from '../helpers/cli.ts';
import { REPO } from '../helpers/parts.ts';
import { startServerProcess } from '../helpers/server-process.ts';

describe('the launcher, between its bundle and the sources', () => {
  // A tree shaped like the repository: the real launcher, a "bundle" and "sources" that say which ran.
  let root: string;
  const main = () => join(root, 'src', 'cli', 'main.ts');
  const record = () => {
    const s = statSync(main());
    const files = { 'src/cli/main.ts': [s.size, s.mtimeMs] };
    writeFileSync(join(root, 'dist', 'cli', 'sources.json'), JSON.stringify({ files, dirs: { 'src/cli': statSync(join(root, 'src', 'cli')).mtimeMs } }));
  };
  const ran = (env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'sloth-kubernetes.js')], { encoding: 'utf8', env: cleanEnv(env) });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'sloth-launcher-'));
    for (const d of ['bin', 'src/cli', 'dist/cli']) mkdirSync(join(root, d), { recursive: true });
    for (const f of ['sloth-kubernetes.js', 'fresh-bundle.js']) copyFileSync(join(REPO, 'bin', f), join(root, 'bin', f));
    writeFileSync(main(), "process.stdout.write('sources\\n');\n");
    writeFileSync(join(root, 'dist', 'cli', 'main.mjs'), "process.stdout.write('bundle\\n');\n");
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('runs the bundle while every file it was made from is as recorded, the sources with SLOTH_FROM_SOURCES=1', () => {
    record();
    assert.equal(ran(), 'bundle');
    assert.equal(freshBundle(root, join(root, 'dist', 'cli')), true);
    assert.equal(ran({ SLOTH_FROM_SOURCES: '1' }), 'sources');
  });

  it('runs the sources once a source was edited (its time or size), a file was added to a listed folder, or the record is missing or unreadable', () => {
    record();
    const t = statSync(main()).mtime;
    utimesSync(main(), t, new Date(t.getTime() + 1000));
    assert.equal(ran(), 'sources', 'an edit that kept the size');
    record();
    writeFileSync(main(), "process.stdout.write('sources, edited\\n');\n");
    utimesSync(main(), t, t);
    assert.equal(ran(), 'sources, edited', 'an edit that kept the time');

    record();
    writeFileSync(join(root, 'src', 'cli', 'new-command.ts'), '');
    assert.equal(ran(), 'sources, edited', 'a file added to a folder the bundle lists');
    record();
    assert.equal(ran(), 'bundle');

    writeFileSync(join(root, 'dist', 'cli', 'sources.json'), '{"files": ');
    assert.equal(ran(), 'sources, edited', 'an unreadable record');
    rmSync(join(root, 'dist', 'cli', 'sources.json'));
    assert.equal(ran(), 'sources, edited', 'no record');
  });
});

describe('a folder bundle of the CLI', { timeout: 120_000 }, () => {
  let dir: string;
  const run = (args: string[], entry: string) => spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: cleanEnv({ CLUSTER_ENV: 'production', SLOTH_INVOKED_AS: 'sloth-kubernetes' }) });

  before(async () => {
    // Under the repository, as dist/cli is: the SDKs the bundle leaves out come from its node_modules.
    mkdirSync(join(REPO, 'dist'), { recursive: true });
    dir = mkdtempSync(join(REPO, 'dist', 'test-bundle-'));
    writeFileSync(join(dir, 'sources.json'), JSON.stringify(await bundleFolder(dir, [join(REPO, 'src', 'cli', 'main.ts')])));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('records what it was made from: our files and npm\'s record of node_modules, and matches them', () => {
    const { files } = JSON.parse(readFileSync(join(dir, 'sources.json'), 'utf8')) as { files: Record<string, unknown> };
    for (const f of ['src/cli/main.ts', 'src/cli/commands/deploy.ts', 'src/server/ui/app.js', 'package.json']) assert.ok(f in files, f);
    assert.ok(Object.keys(files).every((f) => !f.startsWith('node_modules/') || f === 'node_modules/.package-lock.json'));
    assert.equal(freshBundle(REPO, dir), true);
  });

  it('prints the help and validates a config as the sources do', () => {
    const quick = join(REPO, 'test/fixtures/config/seeds/quick-start.lisp');
    for (const args of [['--help'], ['validate', '--help'], ['validate', '-c', quick]]) {
      const bundled = run(args, join(dir, 'main.mjs'));
      const sources = run(args, join(REPO, 'src', 'cli', 'main.ts'));
      assert.equal(bundled.status, 0, bundled.stderr);
      assert.equal(bundled.stdout, sources.stdout, args.join(' '));
      assert.equal(bundled.stderr, '');
    }
  });

  it('serves the web UI from inside itself', async () => {
    const work = mkdtempSync(join(tmpdir(), 'sloth-bundle-server-'));
    const options = ['--data-dir', join(work, 'server'), '--backend', `file://${join(work, 'backend')}`];
    const server = await startServerProcess(process.execPath, [join(dir, 'main.mjs')], options, cleanEnv({ HOME: work }) as NodeJS.ProcessEnv);
    const { url } = server;
    try {
      for (const file of ['index.html', 'app.js', 'style.css']) {
        const r = await fetch(`${url}/ui/${file}`);
        assert.equal(r.status, 200, file);
        assert.equal(await r.text(), readFileSync(join(REPO, 'src/server/ui', file), 'utf8'));
      }
    } finally {
      server.kill();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
