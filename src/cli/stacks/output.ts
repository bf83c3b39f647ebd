// stacks output <name> [key] [--show-secrets] [--json]. Without --show-secrets nothing is
// decrypted (so no passphrase is needed): secrets print as "[secret]", and one secret output
// asked for by its key is refused. One value prints bare when it is text (for scripts:
// `ssh root@$(sloth-kubernetes stacks output prod master_ips | head -1)`), else as JSON.
import { stringify } from 'yaml';
import { stackOutputOf, stackOutputsOf } from '../../ops/stacks.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json } from './render.ts';

export async function stackOutput(io: CliIO, name: string, key: string | undefined, opts: { showSecrets?: boolean; passwordStdin?: boolean; json?: boolean }): Promise<void> {
  if (key !== undefined) {
    const { value } = await withCli(io, opts, (ctx) => stackOutputOf(ctx, { stack: name, key, showSecrets: opts.showSecrets }));
    if (opts.json) io.stdout.write(json(value));
    else if (typeof value === 'string') io.stdout.write(value.endsWith('\n') ? value : `${value}\n`);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) io.stdout.write(value.map((v) => `${v}\n`).join(''));
    else io.stdout.write(json(value));
    return;
  }
  const { stack, outputs } = await withCli(io, opts, (ctx) => stackOutputsOf(ctx, { stack: name, showSecrets: opts.showSecrets }));
  if (opts.json) io.stdout.write(json(outputs));
  else if (Object.keys(outputs).length === 0) io.stdout.write(`Stack '${stack}' has no outputs yet.\n`);
  else io.stdout.write(stringify(outputs, { lineWidth: 0 }));
}
