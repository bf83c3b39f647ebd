// The git config source: which commit a Stack asks for (a pinned commit, or the head of a
// tracked branch, asked of the remote with ls-remote), and the config file at that commit,
// read from a bare cache of the repository that fetches only what it lacks. git runs with an
// environment of its own (no system or user config, no prompts), and credentials reach it
// through that environment and a 0600 key file, never its command line.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';

export interface GitCredentials {
  sshPrivateKey?: string;
  accessToken?: string;
  basic?: { userName: string; password: string };
}

/** The repository could not be reached or does not hold what was asked: nothing to deploy yet. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

/** The repository answered, but the config file is not there: the Stack's spec must change. */
export class SourceMissingError extends SourceError {}

interface Run {
  env: Record<string, string>;
  secrets: string[];
  cleanup(): Promise<void>;
}

export class GitSource {
  readonly #cacheDir: string;
  readonly #path: string | undefined;
  /** One git operation at a time per repository cache. */
  readonly #busy = new Map<string, Promise<unknown>>();

  /** `cacheDir`: where bare copies are kept; `path`: PATH for git (and ssh). */
  constructor(cacheDir: string, path: string | undefined) {
    this.#cacheDir = cacheDir;
    this.#path = path;
  }

  /** The commit to deploy: `commit` as given, else the head of `branch` on the remote. */
  async resolve(url: string, ref: { commit?: string; branch?: string }, creds: GitCredentials): Promise<string> {
    if (ref.commit) return ref.commit;
    const branch = ref.branch!.replace(/^refs\/heads\//, '');
    const out = await this.#git(url, ['ls-remote', '--heads', url, `refs/heads/${branch}`], creds);
    const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
    if (!line) throw new SourceError(`branch '${branch}' not found in ${redactUrl(url)}`);
    return line.split('\t')[0]!;
  }

  /** The text of `file` (a path in the repository) at `commit`. */
  async read(url: string, commit: string, file: string, creds: GitCredentials): Promise<string> {
    const dir = join(this.#cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 16));
    return this.#serial(dir, async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await this.#git(url, ['init', '--quiet', '--bare', dir], {});
      const has = await this.#git(url, ['-C', dir, 'cat-file', '-e', `${commit}^{commit}`], {}).then(() => true, () => false);
      if (!has) {
        // By id first (servers allow it for reachable commits); else every branch and tag.
        await this.#git(url, ['-C', dir, 'fetch', '--quiet', '--no-tags', url, commit], creds).catch(() =>
          this.#git(url, ['-C', dir, 'fetch', '--quiet', '--tags', url, '+refs/heads/*:refs/remotes/origin/*'], creds),
        );
        const now = await this.#git(url, ['-C', dir, 'cat-file', '-e', `${commit}^{commit}`], {}).then(() => true, () => false);
        if (!now) throw new SourceError(`commit ${commit} not found in ${redactUrl(url)}`);
      }
      const path = posix.normalize(file).replace(/^\/+/, '');
      try {
        return await this.#git(url, ['-C', dir, 'show', `${commit}:${path}`], {});
      } catch {
        throw new SourceMissingError(`${path} does not exist at commit ${commit.slice(0, 12)} of ${redactUrl(url)}`);
      }
    });
  }

  async #serial<T>(key: string, body: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(key) ?? Promise.resolve();
    const mine = before.then(body, body);
    const settled = mine.catch(() => undefined);
    this.#busy.set(key, settled);
    try {
      return await mine;
    } finally {
      if (this.#busy.get(key) === settled) this.#busy.delete(key);
    }
  }

  async #prepare(creds: GitCredentials): Promise<Run> {
    const env: Record<string, string> = {
      PATH: this.#path ?? '/usr/bin:/bin',
      HOME: this.#cacheDir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'true',
      SSH_ASKPASS: 'true',
    };
    const secrets: string[] = [];
    let tmp: string | undefined;
    const header = (value: string) => {
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = `Authorization: ${value}`;
    };
    if (creds.sshPrivateKey) {
      tmp = await mkdtemp(join(this.#cacheDir, 'ssh-'));
      const key = join(tmp, 'key');
      await writeFile(key, creds.sshPrivateKey.endsWith('\n') ? creds.sshPrivateKey : `${creds.sshPrivateKey}\n`, { mode: 0o600 });
      env.GIT_SSH_COMMAND = `ssh -i ${key} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=${join(tmp, 'known_hosts')}`;
      secrets.push(creds.sshPrivateKey);
    } else if (creds.accessToken) {
      header(`Basic ${Buffer.from(`x-access-token:${creds.accessToken}`).toString('base64')}`);
      secrets.push(creds.accessToken);
    } else if (creds.basic) {
      header(`Basic ${Buffer.from(`${creds.basic.userName}:${creds.basic.password}`).toString('base64')}`);
      secrets.push(creds.basic.password);
    }
    if (env.GIT_CONFIG_VALUE_0) secrets.push(env.GIT_CONFIG_VALUE_0.slice('Authorization: Basic '.length));
    return { env, secrets, cleanup: async () => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined) };
  }

  async #git(url: string, args: string[], creds: GitCredentials): Promise<string> {
    await mkdir(this.#cacheDir, { recursive: true, mode: 0o700 });
    const run = await this.#prepare(creds);
    try {
      return await new Promise<string>((resolve, reject) => {
        execFile('git', args, { env: run.env, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          let why = (stderr || err.message).trim().split('\n').slice(-3).join(' ');
          for (const s of run.secrets) why = why.split(s).join('[secret]');
          reject(new SourceError(`git ${args.find((a) => !a.startsWith('-') && a !== dir(args)) ?? ''} of ${redactUrl(url)} failed: ${redactUrl(why)}`));
        });
      });
    } finally {
      await run.cleanup();
    }
  }
}

const dir = (args: string[]): string | undefined => (args[0] === '-C' ? args[1] : undefined);

/** A URL with any user:password@ hidden. */
export function redactUrl(text: string): string {
  return text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1[secret]@');
}
