// `export-config [stack] --format lisp|json|meta`: recover the configuration from the stack.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag, outputFileFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('export-config [stack]')
    .description('print the configuration the stack was deployed with: the original Lisp, the normalized JSON, or the deployment metadata')
    .option('-f, --format <format>', 'lisp (the Lisp text as deployed), json (normalized, secrets redacted) or meta (deployment metadata)', 'lisp')
    .addOption(jsonFlag('print the normalized configuration as JSON (same as --format json)').conflicts('format'))
    .addOption(outputFileFlag())
    .option('--regenerate', 'print the Lisp from the stored configuration with the printer instead of the original text')
    .option('--show-secrets', 'include secret values (json), or allow Lisp text that holds them')
    .option('--password-stdin', 'read the passphrase from standard input')
    .addHelpText('after', '\nRecover a lost file: export-config <stack> --format lisp --output recovered.lisp')
    .action(async (stack: string | undefined, opts: { format?: string; json?: boolean; output?: string; regenerate?: boolean; showSecrets?: boolean; passwordStdin?: boolean }) => {
      const [{ exportConfig, EXPORT_FORMATS }, { withCli }, { CliError }] = await Promise.all([import('../../ops/export-config.ts'), import('../host.ts'), import('../errors.ts')]);
      const format = opts.json ? 'json' : (opts.format ?? 'lisp');
      if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
        throw new CliError(`unknown format '${format}'`, { hint: `Use one of: ${EXPORT_FORMATS.join(', ')}.${format === 'yaml' ? ' (yaml is not supported yet.)' : ''}` });
      }
      const out = await withCli(io, opts, (ctx) => exportConfig(ctx, { stack, format: format as (typeof EXPORT_FORMATS)[number], regenerate: opts.regenerate, showSecrets: opts.showSecrets, output: opts.output }));
      if (!out.path) io.stdout.write(out.text);
      else io.stderr.write(`Exported the ${format === 'meta' ? 'deployment metadata' : 'configuration'} of stack '${out.stack}' to ${out.path}${out.secretsShown ? ' (with secrets, mode 0600)' : ''}\n`);
    });
}
