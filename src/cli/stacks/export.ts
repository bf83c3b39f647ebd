// stacks export <name> [--show-secrets] [--file F]
import { exportStack as exportOf } from '../../ops/stacks.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';

export async function exportStack(io: CliIO, name: string, opts: { showSecrets?: boolean; file?: string; passwordStdin?: boolean }): Promise<void> {
  const out = await withCli(io, opts, (ctx) => exportOf(ctx, { stack: name, showSecrets: opts.showSecrets, output: opts.file }));
  if (out.path) io.stderr.write(`Exported stack '${out.stack}' to ${out.path}${opts.showSecrets ? ' (secrets in plaintext, mode 0600)' : ''}\n`);
  else io.stdout.write(out.text);
}
