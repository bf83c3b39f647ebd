// A real-cloud test's stack is kept when its destroy fails, so whoever runs the test can
// finish the job by hand. The passphrase goes into a 0600 file in the test's directory, the
// CLI reads it from there (PULUMI_CONFIG_PASSPHRASE_FILE), and what the test prints names
// that file, never the passphrase.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fresh random passphrase, written to `<dir>/passphrase` (mode 0600; an existing file is an error). */
export function stackPassphrase(dir: string): { passphrase: string; file: string } {
  const passphrase = randomBytes(16).toString('hex');
  const file = join(dir, 'passphrase');
  writeFileSync(file, `${passphrase}\n`, { mode: 0o600, flag: 'wx' });
  return { passphrase, file };
}

export interface KeptStack {
  stack: string;
  dir: string;
  backendUrl: string;
  passphraseFile: string;
  /** Variables the command also needs, by name only (their values are the user's). */
  alsoSet?: readonly string[];
}

/** A word for a POSIX shell: as is when that is safe, else single-quoted. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * What to print when destroy failed: where the stack is and the command that finishes it. The
 * command drops a PULUMI_CONFIG_PASSPHRASE of the caller's shell, which would win over the file.
 */
export function keptStackNotice(k: KeptStack): string {
  const also = k.alsoSet?.length ? ` (with ${k.alsoSet.join(', ')} set as for the test)` : '';
  return `\n!!! destroy of ${k.stack} failed; the stack is kept in ${k.dir}. Run${also}:\n  env -u PULUMI_CONFIG_PASSPHRASE PULUMI_BACKEND_URL=${shellWord(k.backendUrl)} PULUMI_CONFIG_PASSPHRASE_FILE=${shellWord(k.passphraseFile)} sloth-kubernetes destroy ${shellWord(k.stack)} --yes\n`;
}
