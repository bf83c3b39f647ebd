// stacks create <name> --password-stdin | --kms-key <key>
import { CliError } from '../errors.ts';
import { interactive } from '../io.ts';
import type { CliIO } from '../io.ts';
import { readHidden } from '../prompt.ts';
import { openStore, passphraseSource } from '../stack-context.ts';
import { json } from './render.ts';
import { stacksCommand } from '../audit/stacks.ts';

export async function createStack(io: CliIO, name: string, opts: { passwordStdin?: boolean; kmsKey?: string; json?: boolean }): Promise<void> {
  if (opts.passwordStdin && opts.kmsKey) throw new CliError('choose one encryption: --password-stdin or --kms-key, not both');
  const store = await openStore(io);
  try {
    let secrets: { passphrase: string } | { kmsKey: string };
    if (opts.kmsKey) secrets = { kmsKey: opts.kmsKey };
    else {
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
      if (passphrase === '') throw new CliError('the passphrase is empty; choose a real one (nothing was created)');
      secrets = { passphrase };
    }
    const { secretsDescription } = await stacksCommand(io, 'create', { type: 'state', action: 'create', resourceId: name, resourceType: 'stack', description: `create stack '${name}'` }, async (audit) => {
      const created = await store.createStack(name, secrets);
      // Records a deleted stack of the same name left behind are moved aside, not adopted.
      const archived = await store.attachments(name).archive();
      const opened = await store.openStack(name, { passphrase: async () => ('passphrase' in secrets ? secrets.passphrase : undefined) });
      audit.attach(opened.attachments);
      audit.summary.description = `Stack '${name}' created (${created.secretsDescription})${archived ? `; the records of an earlier stack '${name}' were archived to ${archived}` : ''}`;
      audit.summary.metadata = { encryption: created.secretsDescription, backend: store.url };
      return created;
    });
    if (opts.json) {
      io.stdout.write(json({ name, backend: store.url, encryption: secretsDescription }));
      return;
    }
    // Printed once the stack exists, so a refused name or an unreachable KMS key prints only the error.
    io.stdout.write(`Creating encrypted stack: ${name}\nEncryption: ${secretsDescription}\n\n✓ Stack created successfully\n\nNext steps:\n  ${io.programName} deploy ${name} --config cluster.lisp\n`);
  } finally {
    store.close();
  }
}
