// Salt on lab machines, configured with exactly what the bootstrap's steps deliver (the
// salt-master and salt-minion-<n> payload files recorded in the stack: keys, accepted minion
// keys, master.d and minion.d files), each daemon rooted in a directory of its own
// (`root_dir`, in the top-level config file the packages would own), running in the machine's
// network namespace: salt-master and salt-api (rest_cherrypy) on its mesh address, salt-minion
// on each node. The API certificate is made with the bootstrap's own command. The master's
// file_roots is the lab's `srv/salt`, where a test puts its states.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SALT_BIN } from '../helpers/parts.ts';
import { saltApiCertificateCommand } from '../../src/cluster/bootstrap/salt.ts';
import type { LabMachine } from './harness.ts';

export interface PayloadFile {
  path: string;
  mode: string;
  content: string;
}

export class SaltLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'sloth-salt-'));
  /** The master's file_roots (base). */
  readonly states = join(this.dir, 'srv', 'salt');
  readonly #children: ChildProcess[] = [];
  readonly #logs: string[] = [];

  #root(name: string, files: readonly PayloadFile[], rewrite: (text: string) => string = (t) => t): string {
    const root = join(this.dir, name);
    for (const f of files) {
      const path = join(root, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, rewrite(f.content), { mode: parseInt(f.mode, 8) });
    }
    return root;
  }

  #start(machine: LabMachine, program: string, configDir: string): void {
    const log = join(this.dir, `${machine.name}-${program}.log`);
    const fd = openSync(log, 'a');
    const child = spawn('ip', ['netns', 'exec', machine.ns, join(SALT_BIN, program), '-c', configDir, '-l', 'warning'], { stdio: ['ignore', 'ignore', fd], detached: true });
    closeSync(fd);
    this.#logs.push(log);
    this.#children.push(child);
  }

  /** The master and the API; returns the API certificate (what the salt-master step reports). */
  startMaster(machine: LabMachine, address: string, files: readonly PayloadFile[]): string {
    const api = join(this.dir, 'master', 'etc/salt/pki/api');
    const root = this.#root('master', files, (t) => t.replaceAll('/etc/salt/pki/api/', `${api}/`));
    mkdirSync(api, { recursive: true });
    mkdirSync(this.states, { recursive: true });
    const r = spawnSync('sh', ['-ec', saltApiCertificateCommand(api)], { env: { ...process.env, ADDRESS: address }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the API certificate command failed: ${r.stderr}`);
    writeFileSync(join(root, 'etc/salt/master'), `root_dir: ${root}\nuser: root\nfile_roots:\n  base: [${this.states}]\n`);
    this.#start(machine, 'salt-master', join(root, 'etc/salt'));
    this.#start(machine, 'salt-api', join(root, 'etc/salt'));
    return readFileSync(join(api, 'api.crt'), 'utf8');
  }

  startMinion(machine: LabMachine, files: readonly PayloadFile[]): void {
    const root = this.#root(`minion-${machine.name}`, files);
    writeFileSync(join(root, 'etc/salt/minion'), `root_dir: ${root}\nuser: root\n`);
    this.#start(machine, 'salt-minion', join(root, 'etc/salt'));
  }

  /** The end of every daemon's log (for a failing test's message). */
  get log(): string {
    return this.#logs.map((f) => `--- ${f}\n${existsSync(f) ? readFileSync(f, 'utf8').slice(-3000) : ''}`).join('\n');
  }

  stop(): void {
    for (const c of this.#children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
