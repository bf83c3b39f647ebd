// stacks create <name> --password-stdin | --kms-key <key>
import { createStack as create } from '../../ops/stacks.ts';
import { checkStackName } from '../../state/index.ts';
import type { NewStackSecrets } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import { interactive } from '../io.ts';
import type { CliIO } from '../io.ts';
import { readHidden } from '../prompt.ts';
import { openStore, passphraseSource } from '../stack-context.ts';
import { json } from './render.ts';

/** The new stack's encryption: the KMS key, or a passphrase (typed twice on a terminal). */
async function secretsOf(io: CliIO, name: string, opts: { passwordStdin?: boolean; kmsKey?: string }): Promise<NewStackSecrets> {
  if (opts.kmsKey) return { kmsKey: opts.kmsKey };
  const store = await openStore(io);
  try {
    const passphrase = await passphraseSource(io, store, opts, 'Enter a passphrase to encrypt the stack: ')();
    if (passphrase === undefined) {
      throw new CliError('a new stack must be encrypted: give a passphrase or a KMS key', {
        hint: `echo "your-passphrase" | ${io.programName} stacks create ${name} --password-stdin\n${io.programName} stacks create ${name} --kms-key <arn-or-alias>`,
      });
    }
    if (!opts.passwordStdin && interactive(io) && store.env.PULUMI_CONFIG_PASSPHRASE === undefined && !store.env.PULUMI_CONFIG_PASSPHRASE_FILE) {
      const again = await readHidden(io, 'Re-enter the passphrase to confirm: ');
      if (again !== passphrase) throw new CliError('the passphrases do not match; nothing was created');
    }
    return { passphrase };
  } finally {
    store.close();
  }
}

export async function createStack(io: CliIO, name: string, opts: { passwordStdin?: boolean; kmsKey?: string; json?: boolean }): Promise<void> {
  if (opts.passwordStdin && opts.kmsKey) throw new CliError('choose one encryption: --password-stdin or --kms-key, not both');
  checkStackName(name); // before asking for a passphrase
  const secrets = await secretsOf(io, name, opts);
  const result = await withCli(io, opts, (ctx) => create(ctx, { stack: name, secrets }));
  if (opts.json) {
    io.stdout.write(json({ name, backend: result.backend, encryption: result.encryption, ...(result.archived ? { archivedRecords: result.archived } : {}) }));
    return;
  }
  // Printed once the stack exists, so a refused name or an unreachable KMS key prints only the error.
  const notes = [
    ...(result.resumed ? [`The stack existed, left by an interrupted create; that create is finished now.`] : []),
    ...(result.archived ? [`The records of an earlier stack '${name}' (history, snapshots, audit log) were moved to ${result.archived}.`] : []),
  ];
  io.stdout.write(`Creating encrypted stack: ${name}\nEncryption: ${result.encryption}\n${notes.map((n) => `${n}\n`).join('')}\n✓ Stack created successfully\n\nNext steps:\n  ${io.programName} deploy ${name} --config cluster.lisp\n`);
}
