// The command tree. Each file in ./commands/ exports `register(program, io)`, which only
// declares flags and help; a command's implementation is imported when it runs, so `--help`
// and completion stay fast however large the rest of the tool grows. Commands are found by
// listing that folder (command-list.ts), so adding one never touches a shared file. The
// conventions every command follows without doing anything for them — errors in the output
// convention (output.ts), suggestions (suggest.ts), planned commands (planned.ts), an unknown
// option reported before a missing required one — are applied to the whole tree here.
import { Command, CommanderError } from 'commander';
import type { Option } from 'commander';
import type { CliIO } from './io.ts';
import { setActor } from './audit/actor.ts';
import { commandModules } from './command-list.ts';
import { versionLine } from './version-info.ts';
import { addCompletion } from './completion.ts';
import { jsonError } from './output.ts';
import { addPlannedCommands } from './planned.ts';
import { suggest } from './suggest.ts';

export interface CommandModule {
  register(program: Command, io: CliIO): void;
}

let modules: Promise<CommandModule[]> | undefined;

/** `json`: the command line asks for JSON output (output.ts); errors are then JSON too. */
export async function buildProgram(io: CliIO, json = false): Promise<Command> {
  const program = new Command(io.programName)
    .description('Deploy multi-cloud Kubernetes clusters described in Lisp, with encrypted stacks.')
    .option('-V, --version', 'print the version, the commit and the Node.js inside')
    .option('-v, --verbose', 'print more detail, and stack traces for internal errors')
    .option('--actor <name>', 'who is acting, for the audit log and change log (default: $SLOTH_ACTOR, else user@host)')
    .showHelpAfterError(json ? false : '(add --help for usage)')
    .showSuggestionAfterError(false)
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
  addPlannedCommands(program);

  addCompletion(program, io, async () => {
    const [{ withCli }, { stackNames }] = await Promise.all([import('./host.ts'), import('../ops/stacks.ts')]);
    return withCli(io, {}, (ctx) => stackNames(ctx));
  });
  for (const command of allCommands(program)) applyConventions(command, json);
  return program;
}

function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap(allCommands)];
}

/** The conventions every command follows, applied once the tree is complete. */
function applyConventions(command: Command, json: boolean): void {
  // Errors of the command line: what the user mistyped first, JSON when asked for, and a
  // suggestion only for a close, harmless match.
  command.configureOutput({
    outputError: (text, write) => {
      const message = mistypedFirst(command, text.replace(/^error: /, '').trimEnd());
      const close = closeMatches(command, message);
      const hint = close.length > 0 ? `Did you mean ${close.join(' or ')}?` : undefined;
      write(json ? jsonError(message, hint) : `error: ${message}\n${hint ? `(${hint})\n` : ''}`);
    },
  });
}

/**
 * Commander checks required options before it looks for unknown ones (`deploy --bogus` said
 * "required option '--config' not specified"); the option the user mistyped is the error.
 */
function mistypedFirst(command: Command, message: string): string {
  if (!message.startsWith('required option ')) return message;
  const stray = command.args.find((a) => /^-./.test(a));
  return stray ? `unknown option '${stray}'` : message;
}

/** The commands or options `message` (an unknown command or option) may have meant. */
function closeMatches(command: Command, message: string): string[] {
  const unknown = /^unknown (command|option) '([^']+)'/.exec(message);
  if (!unknown) return [];
  if (unknown[1] === 'command') {
    // A close alias suggests its command.
    const names = new Map(command.createHelp().visibleCommands(command).flatMap((c) => [c.name(), ...c.aliases()].map((n) => [n, c.name()] as const)));
    return [...new Set(suggest(unknown[2]!, [...names.keys()]).map((n) => names.get(n)!))];
  }
  const options: Option[] = [];
  for (let c: Command | null = command; c; c = c.parent) options.push(...c.options);
  return suggest(unknown[2]!.split('=')[0]!, options.flatMap((o) => (o.long && !o.hidden ? [o.long] : [])));
}
