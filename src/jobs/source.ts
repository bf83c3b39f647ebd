// Where a job's config comes from: a Lisp file sent with the request, or a file in a git
// repository at a branch, tag or commit. A repository is fetched with the real `git`, shallow
// (one commit, `fetch --depth 1`), into a directory of the job's own; the commit a branch or
// tag named at creation is recorded, and the run fetches exactly that commit.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { JobsError } from './errors.ts';

const run = promisify(execFile);

export const configHash = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface GitSource {
  url: string;
  ref: string;
  path: string;
}

export interface GitOptions {
  /** Accept file:// URLs (repositories on the server's own disk). Default false. */
  allowFileUrls?: boolean;
  /** Seconds a fetch may take. */
  timeoutSeconds?: number;
}

/** Refuses what git must not be asked: unknown schemes, option-like refs, paths leaving the repository. */
export function checkGitSource(s: Partial<GitSource>, options: GitOptions = {}): string[] {
  const problems: string[] = [];
  const url = typeof s.url === 'string' ? s.url : '';
  const schemes = options.allowFileUrls ? /^(https:\/\/|ssh:\/\/|file:\/\/)/ : /^(https:\/\/|ssh:\/\/)/;
  if (!schemes.test(url)) problems.push(`git URL '${url}': use ${options.allowFileUrls ? 'https://, ssh:// or file://' : 'https:// or ssh://'}`);
  if (typeof s.ref !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/.test(s.ref) || s.ref.includes('..')) problems.push(`git ref '${String(s.ref)}': a branch, tag or commit`);
  const path = typeof s.path === 'string' ? s.path : '';
  if (!path || isAbsolute(path) || normalize(path).startsWith('..')) problems.push(`git path '${path}': a file inside the repository, e.g. clusters/prod.lisp`);
  return problems;
}

/**
 * Fetches `ref` (a branch, tag or commit) of the repository shallow into `dir` and reads the
 * file. Returns the commit and the file's text.
 */
export async function fetchGit(source: GitSource, dir: string, options: GitOptions = {}): Promise<{ commit: string; text: string }> {
  const problems = checkGitSource(source, options);
  if (problems.length) throw new JobsError('invalid', problems.join('; '));
  await mkdir(dir, { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_ASKPASS: 'true' };
  const git = async (...args: string[]) => (await run('git', args, { cwd: dir, env, timeout: (options.timeoutSeconds ?? 120) * 1000 })).stdout.trim();
  try {
    await git('init', '--quiet');
    await git('fetch', '--quiet', '--depth', '1', '--', source.url, source.ref);
    await git('checkout', '--quiet', '--detach', 'FETCH_HEAD');
  } catch (err) {
    const detail = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n').slice(-2).join(' ');
    throw new JobsError('invalid', `cannot fetch ${source.ref} of ${source.url}: ${detail}`, 'Check the repository URL and that the branch, tag or commit exists.');
  }
  const commit = await git('rev-parse', 'HEAD');
  let text: string;
  try {
    text = await readFile(join(dir, source.path), 'utf8');
  } catch {
    throw new JobsError('invalid', `${source.path} does not exist at ${source.ref} (${commit.slice(0, 12)}) of ${source.url}`);
  }
  return { commit, text };
}
