// stacks import <name> <file>
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';
import { openStore, passphraseSource } from '../stack-context.ts';
import { attachStack, stacksCommand } from '../audit/stacks.ts';

export async function importStack(io: CliIO, name: string, file: string, opts: { force?: boolean; passwordStdin?: boolean }): Promise<void> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const store = await openStore(io);
  try {
    const passphrase = passphraseSource(io, store, opts);
    const exists = await store.stackExists(name).catch(() => false);
    await stacksCommand(io, 'import', { type: 'state', action: 'import', resourceId: name, resourceType: 'stack', description: `import into stack '${name}' from ${path}` }, async (audit) => {
      if (exists) audit.attach(store.attachments(name));
      const r = await store.importStack(name, text, { force: opts.force, passphrase, source: path });
      await attachStack(audit, store, name, passphrase);
      audit.summary.description = `Imported ${r.resources} resource(s) into stack '${name}' from ${path}${opts.force ? ' (--force)' : ''}`;
      audit.summary.metadata = { file: path, force: String(Boolean(opts.force)), warnings: String(r.warnings.length) };
      for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
      io.stdout.write(`✓ Imported ${r.resources} resource${r.resources === 1 ? '' : 's'} into stack '${name}'\n`);
    });
  } finally {
    store.close();
  }
}
