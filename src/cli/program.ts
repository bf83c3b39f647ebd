// The command tree. Each file in ./commands/ exports `register(program, io)`, which only
// declares flags and help; a command's implementation is imported when it runs, so `--help`
// and completion stay fast however large the rest of the tool grows. Commands are found by
// listing that folder, so adding one never touches a shared file.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import tab from '@bomb.sh/tab/commander';
import pkg from '../../package.json' with { type: 'json' };
import type { CliIO } from './io.ts';
import { setActor } from './audit/actor.ts';

export interface CommandModule {
  register(program: Command, io: CliIO): void;
}

const commandsDir = join(import.meta.dirname, 'commands');
const commandFiles = readdirSync(commandsDir)
  .filter((f) => /\.(ts|js)$/.test(f) && !/\.(test|d)\.(ts|js)$/.test(f))
  .sort();
const commandModules = (await Promise.all(
  commandFiles.map((f) => import(join(commandsDir, f))),
)) as CommandModule[];

export function buildProgram(io: CliIO): Command {
  const program = new Command(io.programName)
    .description('Deploy multi-cloud Kubernetes clusters described in Lisp, with encrypted stacks.')
    .version(pkg.version, '-V, --version', 'print the version')
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

  for (const mod of commandModules) mod.register(program, io);

  tab(program, { completionCommandName: 'completion' });
  const completion = program.commands.find((c) => c.name() === 'completion');
  completion?.description('print a shell completion script (bash, zsh, fish or powershell)');
  completion?.addHelpText(
    'after',
    `\nInstall, for example:\n  ${io.programName} completion bash > ~/.local/share/bash-completion/completions/${io.programName}\n  ${io.programName} completion zsh > "\${fpath[1]}/_${io.programName}"\n  ${io.programName} completion fish > ~/.config/fish/completions/${io.programName}.fish\n`,
  );
  return program;
}
