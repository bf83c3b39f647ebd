// The command tree. Each file in ./commands/ exports `register(program, io)`, which only
// declares flags and help; a command's implementation is imported when it runs, so `--help`
// and completion stay fast however large the rest of the tool grows. Commands are found by
// listing that folder (command-list.ts), so adding one never touches a shared file.
import { Command, CommanderError } from 'commander';
import tab from '@bomb.sh/tab/commander';
import type { CliIO } from './io.ts';
import { setActor } from './audit/actor.ts';
import { commandModules } from './command-list.ts';
import { versionLine } from './version-info.ts';

export interface CommandModule {
  register(program: Command, io: CliIO): void;
}

let modules: Promise<CommandModule[]> | undefined;

export async function buildProgram(io: CliIO): Promise<Command> {
  const program = new Command(io.programName)
    .description('Deploy multi-cloud Kubernetes clusters described in Lisp, with encrypted stacks.')
    .option('-V, --version', 'print the version, the commit and the Node.js inside')
    .option('-v, --verbose', 'print more detail, and stack traces for internal errors')
    .option('--actor <name>', 'who is acting, for the audit log and change log (default: $SLOTH_ACTOR, else user@host)')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride()
    .hook('preAction', (_program, action) => {
      // Under `audit`, --actor is the event filter, not who is acting.
      if (action.parent?.name() !== 'audit') setActor(io, action.optsWithGlobals<{ actor?: string }>().actor);
    });

  // Like commander's own --version, but the line is built only when asked for.
  program.on('option:version', () => {
    io.stdout.write(`${versionLine(io.programName)}\n`);
    throw new CommanderError(0, 'commander.version', '');
  });

  for (const mod of await (modules ??= commandModules())) mod.register(program, io);

  tab(program, { completionCommandName: 'completion' });
  const completion = program.commands.find((c) => c.name() === 'completion');
  completion?.description('print a shell completion script (bash, zsh, fish or powershell)');
  completion?.addHelpText(
    'after',
    `\nInstall, for example:\n  ${io.programName} completion bash > ~/.local/share/bash-completion/completions/${io.programName}\n  ${io.programName} completion zsh > "\${fpath[1]}/_${io.programName}"\n  ${io.programName} completion fish > ~/.config/fish/completions/${io.programName}.fish\n`,
  );
  return program;
}
