import type { Command } from 'commander';
import pkg from '../../../package.json' with { type: 'json' };
import type { CliIO } from '../io.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('version')
    .description('print the version of sloth-kubernetes and of the Node.js running it')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      const info = { version: pkg.version, node: process.versions.node, platform: `${process.platform}/${process.arch}` };
      io.stdout.write(
        opts.json ? `${JSON.stringify(info, null, 2)}\n` : `sloth-kubernetes ${info.version} (node ${info.node}, ${info.platform})\n`,
      );
    });
}
