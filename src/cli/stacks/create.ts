// stacks create <name> --password-stdin | --kms-key <key>
import { AuditLog } from '../../audit/index.ts';
import { checkStackName } from '../../state/index.ts';
import type { StateStore } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import { interactive } from '../io.ts';
import type { CliIO } from '../io.ts';
import { readHidden } from '../prompt.ts';
import { openStore, passphraseSource } from '../stack-context.ts';
import { json } from './render.ts';
import { stacksCommand } from '../audit/stacks.ts';

/** What a create did: the stack's encryption, where earlier records went, whether it finished an interrupted create. */
interface Created {
  secretsDescription: string;
  archived?: string;
  resumed?: true;
}

export async function createStack(io: CliIO, name: string, opts: { passwordStdin?: boolean; kmsKey?: string; json?: boolean }): Promise<void> {
  if (opts.passwordStdin && opts.kmsKey) throw new CliError('choose one encryption: --password-stdin or --kms-key, not both');
  checkStackName(name); // before asking for a passphrase
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
    const result = await stacksCommand(io, 'create', { type: 'state', action: 'create', resourceId: name, resourceType: 'stack', description: `create stack '${name}'` }, async (audit): Promise<Created> => {
      const unlock = async () => ('passphrase' in secrets ? secrets.passphrase : undefined);
      let done: Created;
      if (await store.stackExists(name)) {
        // Only an interrupted create of this very stack is finished here; anything else exists.
        const repaired = await finishInterruptedCreate(store, name, unlock);
        if (!repaired) return store.createStack(name, secrets); // refused: the stack exists
        done = { ...repaired, resumed: true };
      } else {
        // Records a deleted stack of the same name left behind are moved aside first, so no
        // moment exists where the new stack sits on records its key cannot read.
        const archived = await store.attachments(name).archive();
        done = { ...(await store.createStack(name, secrets)), ...(archived ? { archived } : {}) };
      }
      const opened = await store.openStack(name, { passphrase: unlock });
      audit.attach(opened.attachments);
      audit.summary.description = `Stack '${name}' ${done.resumed ? 'existed, left by an interrupted create' : 'created'} (${done.secretsDescription})${done.archived ? `; the records of an earlier stack '${name}' were archived to ${done.archived}` : ''}`;
      audit.summary.metadata = { encryption: done.secretsDescription, backend: store.url, ...(done.resumed ? { resumed: 'true' } : {}) };
      return done;
    });
    if (opts.json) {
      io.stdout.write(json({ name, backend: store.url, encryption: result.secretsDescription, ...(result.archived ? { archivedRecords: result.archived } : {}) }));
      return;
    }
    // Printed once the stack exists, so a refused name or an unreachable KMS key prints only the error.
    const notes = [
      ...(result.resumed ? [`The stack existed, left by an interrupted create; that create is finished now.`] : []),
      ...(result.archived ? [`The records of an earlier stack '${name}' (history, snapshots, audit log) were moved to ${result.archived}.`] : []),
    ];
    io.stdout.write(`Creating encrypted stack: ${name}\nEncryption: ${result.secretsDescription}\n${notes.map((n) => `${n}\n`).join('')}\n✓ Stack created successfully\n\nNext steps:\n  ${io.programName} deploy ${name} --config cluster.lisp\n`);
  } finally {
    store.close();
  }
}

/**
 * A stack left by a `stacks create` that stopped between creating it and moving an earlier
 * stack's records aside (as versions before the create-after-archive order did): it has no
 * deployment, and records its key cannot open. Those records are archived now. Anything else
 * (a stack in use, records that open, a passphrase that does not fit) is left alone.
 */
async function finishInterruptedCreate(store: StateStore, name: string, passphrase: () => Promise<string | undefined>): Promise<{ secretsDescription: string; archived: string } | undefined> {
  let stack;
  try {
    stack = await store.openStack(name, { passphrase });
  } catch {
    return undefined;
  }
  if (stack.deployment.resources.length > 0 || (await stack.history(1)).length > 0) return undefined;
  const foreign = (await new AuditLog(stack.attachments).keyOpens()) === false || (await stack.attachments.firstForeignSealed()) !== undefined;
  if (!foreign) return undefined;
  const archived = await stack.attachments.archive();
  return archived ? { secretsDescription: stack.secretsDescription, archived } : undefined;
}
