// stacks import <name> <file>
import { importStack as importInto } from '../../ops/stacks.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';

export async function importStack(io: CliIO, name: string, file: string, opts: { force?: boolean; passwordStdin?: boolean }): Promise<void> {
  const r = await withCli(io, opts, (ctx) => importInto(ctx, { stack: name, file, force: opts.force }));
  io.stdout.write(`✓ Imported ${r.resources} resource${r.resources === 1 ? '' : 's'} into stack '${r.stack}'\n`);
}
