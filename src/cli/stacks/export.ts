// stacks export <name> [--show-secrets] [--file F]
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIO } from '../io.ts';
import { openStore, passphraseSource } from '../stack-context.ts';
import { resolveStackName } from '../../ops/stack.ts';
import { attachStack, stacksCommand } from '../audit/stacks.ts';

export async function exportStack(io: CliIO, name: string, opts: { showSecrets?: boolean; file?: string; passwordStdin?: boolean }): Promise<void> {
  const store = await openStore(io);
  try {
    const stack = await resolveStackName(store, name);
    const passphrase = passphraseSource(io, store, opts);
    const write = async () => {
      const text = await store.exportStack(stack, { showSecrets: opts.showSecrets, passphrase });
      if (!opts.file) {
        io.stdout.write(text);
        return 'standard output';
      }
      const path = resolve(io.cwd, opts.file);
      // 0600 from the first byte: with --show-secrets the file holds plaintext credentials.
      const fh = await open(path, 'w', 0o600);
      try {
        await fh.chmod(0o600);
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
      io.stderr.write(`Exported stack '${stack}' to ${path}${opts.showSecrets ? ' (secrets in plaintext, mode 0600)' : ''}\n`);
      return path;
    };
    if (!opts.showSecrets) {
      await write();
      return;
    }
    // Secrets leave the stack in plaintext: that is on record.
    await stacksCommand(io, 'export', { type: 'state', action: 'export', severity: 'warning', resourceId: stack, resourceType: 'stack', description: `export of stack '${stack}' with secrets in plaintext` }, async (audit) => {
      audit.attach(store.attachments(stack));
      const where = await write();
      await attachStack(audit, store, stack, passphrase);
      audit.summary.description = `Stack '${stack}' exported with secrets in plaintext to ${where}`;
    });
  } finally {
    store.close();
  }
}
