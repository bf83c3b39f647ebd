// stacks output <name> [--show-secrets] [--json]. Without --show-secrets nothing is
// decrypted (so no passphrase is needed): secrets print as "[secret]".
import { stringify } from 'yaml';
import { stackOutputsOf } from '../../ops/stacks.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json } from './render.ts';

export async function stackOutput(io: CliIO, name: string, opts: { showSecrets?: boolean; passwordStdin?: boolean; json?: boolean }): Promise<void> {
  const { stack, outputs } = await withCli(io, opts, (ctx) => stackOutputsOf(ctx, { stack: name, showSecrets: opts.showSecrets }));
  if (opts.json) io.stdout.write(json(outputs));
  else if (Object.keys(outputs).length === 0) io.stdout.write(`Stack '${stack}' has no outputs yet.\n`);
  else io.stdout.write(stringify(outputs, { lineWidth: 0 }));
}
