// The command tree. Each command lives in ./commands/<name>.ts and exports `register`, which
// only declares flags and help; its implementation is imported when the command runs, so
// `--help` and completion stay fast however large the rest of the tool grows.
import { Command, CommanderError } from 'commander';
import tab from '@bomb.sh/tab/commander';
import pkg from '../../package.json' with { type: 'json' };
import type { CliIO } from './io.ts';
import { registerVersion } from './commands/version.ts';

export interface GlobalOptions {
  verbose?: boolean;
}

export function buildProgram(io: CliIO): Command {
  const program = new Command(io.programName)
    .description('Deploy multi-cloud Kubernetes clusters described in Lisp, with encrypted stacks.')
    .version(pkg.version, '-V, --version', 'print the version')
    .option('-v, --verbose', 'print more detail, and stack traces for internal errors')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  registerVersion(program, io);

  tab(program, { completionCommandName: 'completion' });
  const completion = program.commands.find((c) => c.name() === 'completion');
  completion?.description('print a shell completion script (bash, zsh, fish or powershell)');
  completion?.addHelpText(
    'after',
    `\nInstall, for example:\n  ${io.programName} completion bash > ~/.local/share/bash-completion/completions/${io.programName}\n  ${io.programName} completion zsh > "\${fpath[1]}/_${io.programName}"\n  ${io.programName} completion fish > ~/.config/fish/completions/${io.programName}.fish\n`,
  );
  return program;
}

export { CommanderError };
