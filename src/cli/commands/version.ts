import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('version')
    .description('print the version, the commit it was built from and the Node.js running it')
    .addOption(jsonFlag())
    .action(async (opts: { json?: boolean }) => {
      const { versionInfo, versionLine } = await import('../version-info.ts');
      io.stdout.write(opts.json ? `${JSON.stringify(versionInfo(), null, 2)}\n` : `${versionLine(io.programName)}\n`);
    });
}
