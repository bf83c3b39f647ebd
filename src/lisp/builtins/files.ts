// Files. Paths expand a leading ~ to the home directory and resolve relative paths against
// the directory of the file being evaluated (the working directory for --expr). Reading and
// probing files is refused in restricted mode unless allow-listed; dirname and basename only
// compute on the text.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { LispError } from '../types.ts';
import type { Value } from '../types.ts';
import { argError, fn, str } from './registry.ts';
import type { Call } from './registry.ts';

function expand(c: Call, path: string): string {
  if (path === '~' || path.startsWith('~/')) path = join(c.interp.system.homedir(), path.slice(1));
  return isAbsolute(path) ? resolve(path) : resolve(c.interp.baseDir, path);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readFile(c: Call): Value {
  c.interp.restrictions.checkBuiltin(c.name, c.node);
  const given = str(c, 0);
  const path = expand(c, given);
  const max = c.interp.limits.maxFileSize;
  let data: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw argError(c, 0, `'${given}' (${path}) is a directory, not a file`);
    // Devices and pipes report no size and may never end: only regular files are read.
    if (!st.isFile()) throw argError(c, 0, `'${given}' (${path}) is not a regular file`);
    if (st.size > max) throw argError(c, 0, `'${given}' (${path}) is ${st.size} bytes, more than the limit of ${max}`);
    // Read at most one byte past the limit, in case the file grew since fstat.
    const buf = Buffer.alloc(Math.min(st.size, max) + 1);
    let got = 0;
    for (let n; got < buf.length && (n = readSync(fd, buf, got, buf.length - got, null)) > 0; ) got += n;
    if (got > max) throw argError(c, 0, `'${given}' (${path}) is more than the limit of ${max} bytes`);
    data = buf.subarray(0, got);
  } catch (err) {
    if (err instanceof LispError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw argError(c, 0, `cannot read '${given}' (${path}): ${why}`, 'paths are relative to the directory of the file being evaluated; ~ is the home directory');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    return utf8.decode(data);
  } catch {
    throw argError(c, 0, `'${given}' is not UTF-8 text`);
  }
}

function fileExists(c: Call): Value {
  c.interp.restrictions.checkBuiltin(c.name, c.node);
  try {
    statSync(expand(c, str(c, 0)));
    return true;
  } catch {
    return false;
  }
}

export const fileBuiltins = [
  fn('read-file', [1, 1], { usage: '(read-file path)', summary: 'the content of a UTF-8 text file', examples: [['(read-file "~/.ssh/id_rsa.pub")', '"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTestsOnly0000000000000000000 user@host\\n"']] }, readFile),
  fn('file-exists?', [1, 1], { usage: '(file-exists? path)', summary: 'true when something exists at path', examples: [['(file-exists? "/etc/hosts")', 'true']] }, fileExists),
  fn('dirname', [1, 1], { usage: '(dirname path)', summary: 'the directory part of path', examples: [['(dirname "/a/b/c.txt")', '"/a/b"']] }, (c) => dirname(str(c, 0))),
  fn('basename', [1, 1], { usage: '(basename path)', summary: 'the last part of path', examples: [['(basename "/a/b/c.txt")', '"c.txt"']] }, (c) => basename(str(c, 0))),
  fn(
    'expand-path',
    [1, 1],
    { usage: '(expand-path path)', summary: 'path with ~ expanded, made absolute against the config\'s directory', examples: [['(expand-path "~/file")', '"/home/user/file"']] },
    (c) => {
      c.interp.restrictions.checkBuiltin(c.name, c.node);
      return expand(c, str(c, 0));
    },
  ),
];
